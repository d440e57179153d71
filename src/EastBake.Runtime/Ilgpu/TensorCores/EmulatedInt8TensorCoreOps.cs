using ILGPU;

namespace EastBake.Runtime.Ilgpu.TensorCores;

/// <summary>
/// <see cref="PtxInt8TensorCoreOps"/> emulated like <see cref="EmulatedTensorCoreOps"/> (same copies
/// and ldmatrix): mma.m16n8k32 with s8 operands, where lane l = 4g + t holds A rows g and g+8 at
/// k bytes 4t..4t+3 and 16+4t.., B column g at the same k bytes, and s32 accumulators (kept as
/// their bits in the float fragment storage, so sums stay exact).
/// </summary>
public readonly struct EmulatedInt8TensorCoreOps : ITensorCoreOps
{
    private const int ExchangeWords = EmulatedTensorCoreOps.ExchangeWords;
    private static EmulatedTensorCoreOps F16 => default;

    public FragmentRegisters DeclareRegisters() => F16.DeclareRegisters();

    public uint SharedBase() => 0;

    public void CopyAsync16(ArrayView<uint> smem, uint smemByte, ArrayView<ushort> src, long srcAddress, int element, bool valid) =>
        F16.CopyAsync16(smem, smemByte, src, srcAddress, element, valid);

    public void CommitGroup() { }

    public void WaitGroup(int pending) { }

    public void ZeroAccumulators(FragmentRegisters r)
    {
        for (int i = 0; i < FragmentRegisters.Accumulators; i++) r.C[i] = Interop.IntAsFloat(0u);
    }

    public void LoadA(FragmentRegisters r, ArrayView<uint> smem, int mi, uint smemByte) => F16.LoadA(r, smem, mi, smemByte);

    public void LoadB(FragmentRegisters r, ArrayView<uint> smem, int nj, uint smemByte) => F16.LoadB(r, smem, nj, smemByte);

    public void Mma(FragmentRegisters r, int mi, int ni)
    {
        int lane = Warp.LaneIdx;
        int g = lane >> 2, t = lane & 3;
        var x = EmulatedTensorCoreOps.PublishFragments(r, mi, ni);
        int c = FragmentRegisters.CIndex(mi, ni, 0);
        int c0 = Acc(r, c), c1 = Acc(r, c + 1), c2 = Acc(r, c + 2), c3 = Acc(r, c + 3);
        for (int tp = 0; tp < 4; tp++)
        {
            int a = (4 * g + tp) * ExchangeWords, b0 = (8 * t + tp) * ExchangeWords, b1 = (8 * t + 4 + tp) * ExchangeWords;
            c0 += Dot4(x[a], x[b0 + 4]) + Dot4(x[a + 2], x[b0 + 5]);
            c1 += Dot4(x[a], x[b1 + 4]) + Dot4(x[a + 2], x[b1 + 5]);
            c2 += Dot4(x[a + 1], x[b0 + 4]) + Dot4(x[a + 3], x[b0 + 5]);
            c3 += Dot4(x[a + 1], x[b1 + 4]) + Dot4(x[a + 3], x[b1 + 5]);
        }
        r.C[c] = Interop.IntAsFloat((uint)c0); r.C[c + 1] = Interop.IntAsFloat((uint)c1);
        r.C[c + 2] = Interop.IntAsFloat((uint)c2); r.C[c + 3] = Interop.IntAsFloat((uint)c3);
        Warp.Barrier();
    }

    private static int Acc(FragmentRegisters r, int i) => (int)Interop.FloatAsInt(r.C[i]);

    private static int Dot4(uint x, uint y) =>
        (sbyte)x * (sbyte)y + (sbyte)(x >> 8) * (sbyte)(y >> 8) + (sbyte)(x >> 16) * (sbyte)(y >> 16) + (sbyte)(x >> 24) * (sbyte)(y >> 24);

    public void ReadAccumulators(FragmentRegisters r, int mi, int ni, int half, out float v0, out float v1)
    {
        int c = FragmentRegisters.CIndex(mi, ni, 2 * half);
        v0 = Acc(r, c);
        v1 = Acc(r, c + 1);
    }

    public void StageAccumulators(FragmentRegisters r, ArrayView<uint> smem, int mi, int ni, int half, uint smemByte)
    {
        int c = FragmentRegisters.CIndex(mi, ni, 2 * half);
        smem[(int)(smemByte >> 2)] = Interop.FloatAsInt((float)Acc(r, c));
        smem[(int)(smemByte >> 2) + 1] = Interop.FloatAsInt((float)Acc(r, c + 1));
    }

    public void StoreChunk8(ArrayView<uint> smem, uint smemByte, ArrayView<float> bias, long biasAddress, int channel, int cout,
        ArrayView<uint> residual, long residualAddress, int residualElement, ArrayView<uint> output, long outputAddress, int outputElement,
        float outputScale, int mode)
    {
        int s = (int)(smemByte >> 2), residualWord = residualElement >> 1;
        uint packed = 0;
        for (int j = 0; j < 8; j++)
        {
            float v = Interop.IntAsFloat(smem[s + j]) * bias[channel + j] + bias[cout + channel + j];
            if ((mode & 2) != 0)
            {
                uint res = residual[residualWord + (j >> 1)];
                v += (j & 1) == 0 ? HalfLow(res) : HalfHigh(res);
            }
            if ((mode & 4) != 0 && v < 0f) v = 0f;
            if ((mode & 8) != 0)
            {
                // Four int8 per word; the word index counts bytes / 4.
                packed |= (uint)(byte)Int8ConvKernels.Requantize(v, outputScale) << (8 * (j & 3));
                if ((j & 3) == 3) { output[(outputElement >> 2) + (j >> 2)] = packed; packed = 0; }
            }
            else if ((j & 1) == 0) packed = default(F16BitsOps).FromFloat(v);
            else output[(outputElement >> 1) + (j >> 1)] = packed | ((uint)default(F16BitsOps).FromFloat(v) << 16);
        }
    }

    public uint PackHalf2(float lo, float hi) => F16.PackHalf2(lo, hi);

    public float HalfLow(uint packed) => F16.HalfLow(packed);

    public float HalfHigh(uint packed) => F16.HalfHigh(packed);
}
