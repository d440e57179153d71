using ILGPU;

namespace EastBake.Runtime.Ilgpu.TensorCores;

/// <summary>
/// <see cref="ITensorCoreOps"/> in plain ILGPU code with warp shuffles, reproducing the PTX
/// instructions' fragment layouts (PTX ISA, "Matrix Fragments for mma.m16n8k16"): lane
/// l = 4g + t holds A rows g and g+8 (k pairs 2t and 2t+8), B column g (k pairs 2t, 2t+8), and
/// C rows g and g+8 at columns 2t, 2t+1. Copies are synchronous, so wait/commit are no-ops.
/// Needs 32-lane warps (e.g. ILGPU's CPU accelerator with <c>CPUDevice.Nvidia</c>).
/// </summary>
public readonly struct EmulatedTensorCoreOps : ITensorCoreOps
{
    private const int MaxWarps = 8;
    internal const int ExchangeWords = 6;

    public FragmentRegisters DeclareRegisters() => new(
        LocalMemory.Allocate<float>(FragmentRegisters.Accumulators), LocalMemory.Allocate<uint>(FragmentRegisters.AFragments),
        LocalMemory.Allocate<uint>(FragmentRegisters.BFragments), SharedMemory.Allocate<uint>(MaxWarps * 32 * ExchangeWords));

    public uint SharedBase() => 0;

    public void CopyAsync16(ArrayView<uint> smem, uint smemByte, ArrayView<ushort> src, long srcAddress, int element, bool valid)
    {
        int word = (int)(smemByte >> 2);
        for (int j = 0; j < 4; j++)
            smem[word + j] = valid ? src[element + 2 * j] | ((uint)src[element + 2 * j + 1] << 16) : 0u;
    }

    public void CommitGroup() { }

    public void WaitGroup(int pending) { }

    public void ZeroAccumulators(FragmentRegisters r)
    {
        for (int i = 0; i < FragmentRegisters.Accumulators; i++) r.C[i] = 0f;
    }

    public void LoadA(FragmentRegisters r, ArrayView<uint> smem, int mi, uint smemByte) => LoadX4(r, r.A, 4 * mi, smem, smemByte);

    public void LoadB(FragmentRegisters r, ArrayView<uint> smem, int nj, uint smemByte) => LoadX4(r, r.B, 4 * nj, smem, smemByte);

    /// <summary>ldmatrix.x4: matrix j's row addresses come from lanes 8j..8j+7; lane l receives row l/4, word l%4.</summary>
    private static void LoadX4(FragmentRegisters r, ArrayView<uint> dst, int first, ArrayView<uint> smem, uint smemByte)
    {
        int lane = Warp.LaneIdx;
        var x = r.Exchange.SubView(Warp.WarpIdx * 32 * ExchangeWords, 32 * ExchangeWords);
        x[lane * ExchangeWords] = smemByte;
        Warp.Barrier();
        int row = lane >> 2, word = lane & 3;
        for (int j = 0; j < 4; j++)
            dst[first + j] = smem[(int)(x[(8 * j + row) * ExchangeWords] >> 2) + word];
        Warp.Barrier();
    }

    /// <summary>
    /// Every lane publishes its fragments in the warp's exchange slots, then gathers the A rows
    /// and B columns its four outputs need (two warp barriers instead of 32 shuffles, which are
    /// slow on the CPU accelerator).
    /// </summary>
    public void Mma(FragmentRegisters r, int mi, int ni)
    {
        int lane = Warp.LaneIdx;
        int g = lane >> 2, t = lane & 3;
        var x = PublishFragments(r, mi, ni);
        int c = FragmentRegisters.CIndex(mi, ni, 0);
        float c0 = r.C[c], c1 = r.C[c + 1], c2 = r.C[c + 2], c3 = r.C[c + 3];
        for (int tp = 0; tp < 4; tp++)
        {
            // Lane 4g+tp holds A rows g and g+8 at k pairs 2tp and 2tp+8; lane 4n+tp holds B column n.
            int a = (4 * g + tp) * ExchangeWords, b0 = (8 * t + tp) * ExchangeWords, b1 = (8 * t + 4 + tp) * ExchangeWords;
            c0 += Dot2(x[a], x[b0 + 4]) + Dot2(x[a + 2], x[b0 + 5]);
            c1 += Dot2(x[a], x[b1 + 4]) + Dot2(x[a + 2], x[b1 + 5]);
            c2 += Dot2(x[a + 1], x[b0 + 4]) + Dot2(x[a + 3], x[b0 + 5]);
            c3 += Dot2(x[a + 1], x[b1 + 4]) + Dot2(x[a + 3], x[b1 + 5]);
        }
        r.C[c] = c0; r.C[c + 1] = c1; r.C[c + 2] = c2; r.C[c + 3] = c3;
        Warp.Barrier();
    }

    /// <summary>
    /// Lane l's A[mi] (4 words) and B[ni] (2 words) in words 6l..6l+5 of its warp's exchange slots,
    /// after a warp barrier; the caller reads the other lanes' words and ends with a barrier.
    /// </summary>
    internal static ArrayView<uint> PublishFragments(FragmentRegisters r, int mi, int ni)
    {
        var x = r.Exchange.SubView(Warp.WarpIdx * 32 * ExchangeWords, 32 * ExchangeWords);
        int mine = Warp.LaneIdx * ExchangeWords;
        x[mine] = r.A[4 * mi]; x[mine + 1] = r.A[4 * mi + 1]; x[mine + 2] = r.A[4 * mi + 2]; x[mine + 3] = r.A[4 * mi + 3];
        x[mine + 4] = r.B[2 * ni]; x[mine + 5] = r.B[2 * ni + 1];
        Warp.Barrier();
        return x;
    }

    public void ReadAccumulators(FragmentRegisters r, int mi, int ni, int half, out float v0, out float v1)
    {
        int c = FragmentRegisters.CIndex(mi, ni, 2 * half);
        v0 = r.C[c];
        v1 = r.C[c + 1];
    }

    public void StageAccumulators(FragmentRegisters r, ArrayView<uint> smem, int mi, int ni, int half, uint smemByte)
    {
        int c = FragmentRegisters.CIndex(mi, ni, 2 * half);
        smem[(int)(smemByte >> 2)] = Interop.FloatAsInt(r.C[c]);
        smem[(int)(smemByte >> 2) + 1] = Interop.FloatAsInt(r.C[c + 1]);
    }

    public void StoreChunk8(ArrayView<uint> smem, uint smemByte, ArrayView<float> bias, long biasAddress, int channel, int cout,
        ArrayView<uint> residual, long residualAddress, int residualElement, ArrayView<uint> output, long outputAddress, int outputElement,
        float outputScale, int mode)
    {
        int s = (int)(smemByte >> 2), residualWord = residualElement >> 1, outputWord = outputElement >> 1;
        for (int j = 0; j < 4; j++)
        {
            float lo = Interop.IntAsFloat(smem[s + 2 * j]), hi = Interop.IntAsFloat(smem[s + 2 * j + 1]);
            if ((mode & 1) != 0) { lo += bias[channel + 2 * j]; hi += bias[channel + 2 * j + 1]; }
            if ((mode & 2) != 0) { uint res = residual[residualWord + j]; lo += HalfLow(res); hi += HalfHigh(res); }
            if ((mode & 4) != 0) { lo = lo > 0f ? lo : 0f; hi = hi > 0f ? hi : 0f; }
            output[outputWord + j] = PackHalf2(lo, hi);
        }
    }

    private float Dot2(uint x, uint y) => HalfLow(x) * HalfLow(y) + HalfHigh(x) * HalfHigh(y);

    public uint PackHalf2(float lo, float hi)
    {
        var h = default(F16BitsOps);
        return h.FromFloat(lo) | ((uint)h.FromFloat(hi) << 16);
    }

    public float HalfLow(uint packed) => default(F16BitsOps).ToFloat((ushort)(packed & 0xFFFF));

    public float HalfHigh(uint packed) => default(F16BitsOps).ToFloat((ushort)(packed >> 16));
}
