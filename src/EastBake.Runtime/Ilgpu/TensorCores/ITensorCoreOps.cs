using ILGPU;

namespace EastBake.Runtime.Ilgpu.TensorCores;

/// <summary>
/// Per-thread fragment registers of the tensor-core kernels: accumulators C[mi][ni][4]
/// (mi &lt; 4, ni &lt; 8), A fragments A[mi][4] and B fragments B[ni][2]. On CUDA these are named
/// PTX registers declared once per kernel (<see cref="PtxTensorCoreOps"/>), so the hot loop's
/// inline assembly has no outputs (ILGPU routes asm outputs through local memory). The views here
/// are the emulation's storage and are unused (and removed) on CUDA.
/// </summary>
public readonly struct FragmentRegisters
{
    public const int Accumulators = 128, AFragments = 16, BFragments = 16;

    public FragmentRegisters(ArrayView<float> c, ArrayView<uint> a, ArrayView<uint> b, ArrayView<uint> exchange)
    {
        C = c;
        A = a;
        B = b;
        Exchange = exchange;
    }

    public ArrayView<float> C { get; }
    public ArrayView<uint> A { get; }
    public ArrayView<uint> B { get; }

    /// <summary>Shared scratch through which emulated lanes exchange fragments (6 words a lane).</summary>
    public ArrayView<uint> Exchange { get; }

    public static int CIndex(int mi, int ni, int j) => (mi * 8 + ni) * 4 + j;
}

/// <summary>
/// The warp-level primitives the tensor-core kernels are written against. On CUDA they are single
/// PTX instructions (<see cref="PtxTensorCoreOps"/>: cp.async, ldmatrix, mma.sync); on ILGPU's CPU
/// accelerator <see cref="EmulatedTensorCoreOps"/> reproduces their exact data movement with
/// shuffles, so tiling, swizzling and fragment bookkeeping are tested without a GPU. Every index
/// argument must be a compile-time constant after inlining. Shared addresses are byte offsets in
/// the kernel's single shared allocation plus <see cref="SharedBase"/>.
/// </summary>
public interface ITensorCoreOps
{
    /// <summary>Declares the fragment registers (the kernel's first statement) and returns their handle.</summary>
    FragmentRegisters DeclareRegisters();

    /// <summary>Shared-window address of the kernel's shared allocation (0 when emulated).</summary>
    uint SharedBase();

    /// <summary>
    /// Asynchronously copies 16 bytes (8 halves) of <paramref name="src"/> from element
    /// <paramref name="element"/> to shared byte <paramref name="smemByte"/>; zeros when
    /// <paramref name="valid"/> is false. <paramref name="srcAddress"/> is the device address of src[0].
    /// </summary>
    void CopyAsync16(ArrayView<uint> smem, uint smemByte, ArrayView<ushort> src, long srcAddress, int element, bool valid);

    void CommitGroup();

    /// <summary>Waits until at most <paramref name="pending"/> (0..5) copy groups are in flight.</summary>
    void WaitGroup(int pending);

    void ZeroAccumulators(FragmentRegisters r);

    /// <summary>ldmatrix.x4 of a 16×16 A block into A[mi]; lane l gives the address of row l%16, k-half l/16.</summary>
    void LoadA(FragmentRegisters r, ArrayView<uint> smem, int mi, uint smemByte);

    /// <summary>ldmatrix.x4 of two n8×k16 B blocks into B[2nj], B[2nj+1]; lane l gives row (l%8) + 8·(l/16), k-half (l/8)%2.</summary>
    void LoadB(FragmentRegisters r, ArrayView<uint> smem, int nj, uint smemByte);

    /// <summary>C[mi][ni] += A[mi] · B[ni] (mma.m16n8k16.row.col, f32 accumulate).</summary>
    void Mma(FragmentRegisters r, int mi, int ni);

    /// <summary>C[mi][ni][2·half], C[mi][ni][2·half + 1]: row g + 8·half, columns 2t, 2t+1 of the m16n8 tile.</summary>
    void ReadAccumulators(FragmentRegisters r, int mi, int ni, int half, out float v0, out float v1);

    /// <summary>Writes C[mi][ni][2·half], C[mi][ni][2·half + 1] as two floats at shared byte <paramref name="smemByte"/> (epilogue staging).</summary>
    void StageAccumulators(FragmentRegisters r, ArrayView<uint> smem, int mi, int ni, int half, uint smemByte);

    /// <summary>
    /// Epilogue of 8 consecutive output channels <paramref name="channel"/>..+8: 8 staged floats at
    /// <paramref name="smemByte"/>, plus bias[channel..+8] (mode bit 1), plus the 8 residual halves from
    /// element <paramref name="residualElement"/> (bit 2), ReLU (bit 4), rounded to halves and written
    /// as one 16-byte store from element <paramref name="outputElement"/> of <paramref name="output"/>.
    /// INT8 ops always scale by bias[channel..] and add bias[cout + channel..], and with bit 8 store
    /// int8 requantized by <paramref name="outputScale"/>. Addresses are device addresses of element 0.
    /// </summary>
    void StoreChunk8(ArrayView<uint> smem, uint smemByte, ArrayView<float> bias, long biasAddress, int channel, int cout,
        ArrayView<uint> residual, long residualAddress, int residualElement, ArrayView<uint> output, long outputAddress, int outputElement,
        float outputScale, int mode);

    /// <summary>Two floats rounded to nearest-even binary16 and packed (lo in the low half).</summary>
    uint PackHalf2(float lo, float hi);

    float HalfLow(uint packed);

    float HalfHigh(uint packed);
}
