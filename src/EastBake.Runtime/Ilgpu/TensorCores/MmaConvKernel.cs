using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace EastBake.Runtime.Ilgpu.TensorCores;

/// <summary>Run-time arguments of one tensor-core convolution launch (sizes follow the input shape).</summary>
public struct MmaConvArgs
{
    public int InH, InW, InStride, InOffset;
    public int OutH, OutW, OutStride, OutOffset;
    public int Cout, K, M;
    public int PadTop, PadLeft;
    public int ResStride, ResOffset, HasResidual, HasBias, Activation;
    public float TextScale, AngleScale;
    /// <summary>INT8 kernels: one output step when the output is int8, else 0.</summary>
    public float OutputScale;
    /// <summary>Device addresses of element 0 of each view (the inline PTX needs raw addresses).</summary>
    public long InputAddress, FilterAddress, BiasAddress, ResidualAddress, OutputAddress;
    /// <summary>Always 0 at run time; keeps the shared allocation alive (only inline PTX touches it).</summary>
    public int Never;
}

/// <summary>
/// Implicit-GEMM NHWC convolution on the tensor cores, FP16 storage and FP32 accumulation:
/// M = output pixels, N = output channels, K = KH·KW·Cin. A (the im2col view of the input) and
/// B (the filter, stored OHWI so K is contiguous per output channel) are streamed through a
/// multi-stage shared-memory pipeline with 16-byte zero-filling copies (padding and tile edges
/// cost nothing), read with ldmatrix from XOR-swizzled rows (conflict-free), and multiplied
/// with mma.m16n8k16. The epilogue adds bias and residual, applies the activation (ReLU,
/// sigmoid or the EAST head) and writes half2 pairs into a channel slice of the output.
/// Requires Cin, Cout, channel strides and offsets to be multiples of 8. With INT8 ops the same
/// kernel runs int8 tensors whose channel pairs are viewed as 16-bit elements (Cin, K, strides and
/// offsets of the input then count pairs; see <see cref="PtxInt8TensorCoreOps"/>).
/// </summary>
public static class MmaConvKernel
{
    public static void Conv<TTile, TOps>(
        ArrayView<ushort> input, ArrayView<ushort> filter, ArrayView<float> bias, ArrayView<uint> residual, ArrayView<uint> output,
        MmaConvArgs a, SpecializedValue<int> cinS, SpecializedValue<int> kwS, SpecializedValue<int> strideS)
        where TTile : struct, IMmaTile where TOps : struct, ITensorCoreOps
    {
        var regs = default(TOps).DeclareRegisters();
        var tile = default(TTile);
        var smem = SharedMemory.Allocate<uint>(tile.Stages * (tile.BM + tile.BN) * 16);
        if (a.Never != 0) smem[Group.IdxX] = 0;
        var k = new ConvCta<TTile, TOps>(smem, regs, a, cinS.Value, kwS.Value, strideS.Value);
        k.Run(input, filter, bias, residual, output);
    }
}

/// <summary>
/// One CTA of <see cref="MmaConvKernel"/>. Everything indexed per fragment or producer row is
/// indexed by compile-time constants only: the loops over them are unrolled by hand with branches
/// on the tile's constants, which fold away (ILGPU does not unroll these loops itself), so the
/// values stay in registers.
/// </summary>
internal struct ConvCta<TTile, TOps> where TTile : struct, IMmaTile where TOps : struct, ITensorCoreOps
{
    private const int BK = 32;
    private readonly ArrayView<uint> _smem;
    private readonly MmaConvArgs _a;
    private readonly int _cin, _kw, _stride;
    private readonly uint _sbase;
    private readonly int _tid, _lane, _wm, _wn, _mBase, _nBase;
    private readonly ArrayView<int> _ih, _iw;
    private readonly FragmentRegisters _regs;

    private static int Threads => 32 * default(TTile).WarpsM * default(TTile).WarpsN;
    private static int StageBytes => (default(TTile).BM + default(TTile).BN) * 64;
    private static int WarpRows => default(TTile).BM / default(TTile).WarpsM;
    private static int WarpCols => default(TTile).BN / default(TTile).WarpsN;
    private static int MI => WarpRows / 16;
    private static int NI => WarpCols / 8;
    private static int APer => default(TTile).BM * 4 / Threads;
    private static int BPer => default(TTile).BN * 4 / Threads;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ConvCta(ArrayView<uint> smem, FragmentRegisters regs, MmaConvArgs a, int cin, int kw, int stride)
    {
        _smem = smem;
        _a = a;
        _cin = cin; _kw = kw; _stride = stride;
        _sbase = default(TOps).SharedBase();
        _tid = Group.IdxX;
        _lane = _tid & 31;
        int warp = _tid >> 5;
        _wm = warp % default(TTile).WarpsM;
        _wn = warp / default(TTile).WarpsM;
        _mBase = Grid.IdxX * default(TTile).BM;
        _nBase = Grid.IdxY * default(TTile).BN;
        _ih = LocalMemory.Allocate<int>(4);
        _iw = LocalMemory.Allocate<int>(4);
        _regs = regs;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Run(ArrayView<ushort> input, ArrayView<ushort> filter, ArrayView<float> bias, ArrayView<uint> residual, ArrayView<uint> output)
    {
        var ops = default(TOps);
        int stages = default(TTile).Stages;
        InitRow(0); if (APer > 1) InitRow(1); if (APer > 2) { InitRow(2); InitRow(3); }
        ops.ZeroAccumulators(_regs);

        int numK = (_a.K + BK - 1) / BK;
        for (int s = 0; s < stages - 1; s++)
        {
            if (s < numK) LoadStage(input, filter, s % stages, s);
            ops.CommitGroup();
        }
        for (int kt = 0; kt < numK; kt++)
        {
            ops.WaitGroup(stages - 2);
            Group.Barrier();
            int next = kt + stages - 1;
            if (next < numK) LoadStage(input, filter, next % stages, next);
            ops.CommitGroup();
            uint aStage = _sbase + (uint)(kt % stages * StageBytes);
            ComputeK16(aStage, 0);
            ComputeK16(aStage, 1);
        }
        ops.WaitGroup(0);

        if (_a.Activation is Epilogue.None or Epilogue.Relu)
        {
            StagedEpilogue(bias, residual, output);
            return;
        }
        StoreRow(0, bias, residual, output);
        if (MI > 1) StoreRow(1, bias, residual, output);
        if (MI > 2) { StoreRow(2, bias, residual, output); StoreRow(3, bias, residual, output); }
    }

    /// <summary>Floats per staged tile row: BN plus 4, so rows start 16 bytes apart in the banks.</summary>
    private static int StageStride => default(TTile).BN + 4;

    /// <summary>Staging passes: the fp32 tile must fit the 48 KB pipeline buffer; 128×128 goes one warp row at a time.</summary>
    private static int StagePasses => default(TTile).BM * StageStride * 4 > 48 * 1024 ? default(TTile).WarpsM : 1;

    /// <summary>
    /// The tile goes through shared memory as fp32, then every thread finishes 8 consecutive channels
    /// with 16-byte loads and stores (bias, residual, ReLU fused): coalesced, unlike the fragments'
    /// scattered pairs. Memory-bound layers (large M, small K) spend most of their time here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StagedEpilogue(ArrayView<float> bias, ArrayView<uint> residual, ArrayView<uint> output)
    {
        Group.Barrier(); // every warp is done reading the pipeline buffers
        StagePass(0, bias, residual, output);
        if (StagePasses > 1) StagePass(1, bias, residual, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StagePass(int pass, ArrayView<float> bias, ArrayView<uint> residual, ArrayView<uint> output)
    {
        var ops = default(TOps);
        int rowsPerPass = default(TTile).BM / StagePasses;
        if (StagePasses == 1 || _wm == pass)
        {
            StageRow(0, pass * rowsPerPass); if (MI > 1) StageRow(1, pass * rowsPerPass);
            if (MI > 2) { StageRow(2, pass * rowsPerPass); StageRow(3, pass * rowsPerPass); }
        }
        Group.Barrier();
        int chunksPerRow = default(TTile).BN / 8;
        int mode = (_a.HasBias != 0 ? 1 : 0) | (_a.HasResidual != 0 ? 2 : 0) | (_a.Activation == Epilogue.Relu ? 4 : 0) |
            (_a.OutputScale > 0f ? 8 : 0);
        for (int idx = _tid; idx < rowsPerPass * chunksPerRow; idx += Threads)
        {
            int row = idx / chunksPerRow, j = idx - row * chunksPerRow;
            int m = _mBase + pass * rowsPerPass + row, n = _nBase + 8 * j;
            if (m >= _a.M || n >= _a.Cout) continue;
            ops.StoreChunk8(_smem, _sbase + (uint)((row * StageStride + 8 * j) * 4), bias, _a.BiasAddress, n, _a.Cout,
                residual, _a.ResidualAddress, m * _a.ResStride + _a.ResOffset + n,
                output, _a.OutputAddress, m * _a.OutStride + _a.OutOffset + n, _a.OutputScale, mode);
        }
        Group.Barrier();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StageRow(int mi, int firstRow)
    {
        StageAt(mi, 0, firstRow); StageAt(mi, 1, firstRow);
        if (NI > 2) { StageAt(mi, 2, firstRow); StageAt(mi, 3, firstRow); }
        if (NI > 4) { StageAt(mi, 4, firstRow); StageAt(mi, 5, firstRow); StageAt(mi, 6, firstRow); StageAt(mi, 7, firstRow); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StageAt(int mi, int ni, int firstRow)
    {
        int row = _wm * WarpRows + mi * 16 + (_lane >> 2) - firstRow;
        int col = _wn * WarpCols + ni * 8 + 2 * (_lane & 3);
        default(TOps).StageAccumulators(_regs, _smem, mi, ni, 0, _sbase + (uint)((row * StageStride + col) * 4));
        default(TOps).StageAccumulators(_regs, _smem, mi, ni, 1, _sbase + (uint)(((row + 8) * StageStride + col) * 4));
    }

    /// <summary>Producer row i of this thread: the input position of its output pixel's top-left tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void InitRow(int i)
    {
        int row = (_tid + i * Threads) >> 2;
        int m = _mBase + row;
        int oh = m / _a.OutW, ow = m - oh * _a.OutW;
        // Rows past M get an impossible input row, so every tap reads as padding.
        _ih[i] = m < _a.M ? oh * _stride - _a.PadTop : int.MinValue / 2;
        _iw[i] = ow * _stride - _a.PadLeft;
    }

    /// <summary>Byte offset of 16-byte chunk <paramref name="chunk"/> (0..3) of a 64-byte tile row, XOR-swizzled so ldmatrix's 8 rows hit 8 distinct bank groups.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Swizzled(int row, int chunk) => (uint)(row * 64 + ((chunk ^ ((row >> 1) & 3)) << 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void LoadStage(ArrayView<ushort> input, ArrayView<ushort> filter, int slot, int kt)
    {
        uint stage = _sbase + (uint)(slot * StageBytes);
        int chunk = _tid & 3;
        int kk = kt * BK + chunk * 8;
        bool kValid = kk < _a.K;
        int tap = kk / _cin, ci = kk - tap * _cin;
        int ky = tap / _kw, kx = tap - ky * _kw;
        LoadA(input, stage, 0, chunk, ky, kx, ci, kValid);
        if (APer > 1) LoadA(input, stage, 1, chunk, ky, kx, ci, kValid);
        if (APer > 2) { LoadA(input, stage, 2, chunk, ky, kx, ci, kValid); LoadA(input, stage, 3, chunk, ky, kx, ci, kValid); }
        uint bStage = stage + (uint)(default(TTile).BM * 64);
        LoadB(filter, bStage, 0, chunk, kk, kValid);
        if (BPer > 1) LoadB(filter, bStage, 1, chunk, kk, kValid);
        if (BPer > 2) { LoadB(filter, bStage, 2, chunk, kk, kValid); LoadB(filter, bStage, 3, chunk, kk, kValid); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void LoadA(ArrayView<ushort> input, uint stage, int i, int chunk, int ky, int kx, int ci, bool kValid)
    {
        int row = (_tid + i * Threads) >> 2;
        int ih = _ih[i] + ky, iw = _iw[i] + kx;
        bool valid = kValid && (uint)ih < (uint)_a.InH && (uint)iw < (uint)_a.InW;
        int element = valid ? (ih * _a.InW + iw) * _a.InStride + _a.InOffset + ci : 0;
        default(TOps).CopyAsync16(_smem, stage + Swizzled(row, chunk), input, _a.InputAddress, element, valid);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void LoadB(ArrayView<ushort> filter, uint bStage, int i, int chunk, int kk, bool kValid)
    {
        int row = (_tid + i * Threads) >> 2;
        int n = _nBase + row;
        bool valid = kValid && n < _a.Cout;
        default(TOps).CopyAsync16(_smem, bStage + Swizzled(row, chunk), filter, _a.FilterAddress, valid ? n * _a.K + kk : 0, valid);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ComputeK16(uint aStage, int ks)
    {
        uint bStage = aStage + (uint)(default(TTile).BM * 64);
        FragA(aStage, ks, 0); if (MI > 1) FragA(aStage, ks, 1); if (MI > 2) { FragA(aStage, ks, 2); FragA(aStage, ks, 3); }
        FragB(bStage, ks, 0); if (NI > 2) FragB(bStage, ks, 1); if (NI > 4) { FragB(bStage, ks, 2); FragB(bStage, ks, 3); }
        MmaRow(0); if (MI > 1) MmaRow(1); if (MI > 2) { MmaRow(2); MmaRow(3); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FragA(uint aStage, int ks, int mi)
    {
        int row = _wm * WarpRows + mi * 16 + (_lane & 15);
        int chunk = ks * 2 + (_lane >> 4);
        default(TOps).LoadA(_regs, _smem, mi, aStage + Swizzled(row, chunk));
    }

    /// <summary>B fragments of n8 tiles 2·nj and 2·nj+1 (two k-halves each) with one ldmatrix.x4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FragB(uint bStage, int ks, int nj)
    {
        int row = _wn * WarpCols + nj * 16 + (_lane & 7) + ((_lane >> 4) << 3);
        int chunk = ks * 2 + ((_lane >> 3) & 1);
        default(TOps).LoadB(_regs, _smem, nj, bStage + Swizzled(row, chunk));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MmaRow(int mi)
    {
        MmaAt(mi, 0); MmaAt(mi, 1);
        if (NI > 2) { MmaAt(mi, 2); MmaAt(mi, 3); }
        if (NI > 4) { MmaAt(mi, 4); MmaAt(mi, 5); MmaAt(mi, 6); MmaAt(mi, 7); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MmaAt(int mi, int ni) => default(TOps).Mma(_regs, mi, ni);

    /// <summary>Epilogue of m16 row block mi: lane (g, t) holds rows g and g+8 at columns 2t, 2t+1 of every n8 tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreRow(int mi, ArrayView<float> bias, ArrayView<uint> residual, ArrayView<uint> output)
    {
        int g = _lane >> 2;
        int m = _mBase + _wm * WarpRows + mi * 16 + g;
        StoreHalfRow(mi, 0, m, bias, residual, output);
        StoreHalfRow(mi, 1, m + 8, bias, residual, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreHalfRow(int mi, int half, int m, ArrayView<float> bias, ArrayView<uint> residual, ArrayView<uint> output)
    {
        if (m >= _a.M) return;
        StorePair(mi, 0, half, m, bias, residual, output); StorePair(mi, 1, half, m, bias, residual, output);
        if (NI > 2) { StorePair(mi, 2, half, m, bias, residual, output); StorePair(mi, 3, half, m, bias, residual, output); }
        if (NI > 4)
        {
            StorePair(mi, 4, half, m, bias, residual, output); StorePair(mi, 5, half, m, bias, residual, output);
            StorePair(mi, 6, half, m, bias, residual, output); StorePair(mi, 7, half, m, bias, residual, output);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StorePair(int mi, int ni, int half, int m, ArrayView<float> bias, ArrayView<uint> residual, ArrayView<uint> output)
    {
        var ops = default(TOps);
        int n = _nBase + _wn * WarpCols + ni * 8 + 2 * (_lane & 3);
        if (n >= _a.Cout) return;
        ops.ReadAccumulators(_regs, mi, ni, half, out float v0, out float v1);
        if (_a.HasBias != 0) { v0 += bias[n]; v1 += bias[n + 1]; }
        if (_a.HasResidual != 0)
        {
            uint r = residual[(m * _a.ResStride + _a.ResOffset + n) >> 1];
            v0 += ops.HalfLow(r);
            v1 += ops.HalfHigh(r);
        }
        v0 = Epilogue.Activate(v0, n, _a.Activation, _a.TextScale, _a.AngleScale);
        v1 = Epilogue.Activate(v1, n + 1, _a.Activation, _a.TextScale, _a.AngleScale);
        output[(m * _a.OutStride + _a.OutOffset + n) >> 1] = ops.PackHalf2(v0, v1);
    }
}

/// <summary>Fused activations shared by the convolution epilogues (codes of <see cref="Engine.EngineActivation"/>).</summary>
internal static class Epilogue
{
    public const int None = 0, Relu = 1, Sigmoid = 2, EastHead = 3;

    /// <summary>EAST head: channel 0 score = σ, 1..4 distances = σ·textScale, 5 angle = (σ − ½)·angleScale, others 0.</summary>
    public static float Activate(float v, int channel, int activation, float textScale, float angleScale)
    {
        if (activation == Relu) return v > 0f ? v : 0f;
        if (activation == Sigmoid) return 1f / (1f + MathF.Exp(-v));
        if (activation == EastHead)
        {
            float s = 1f / (1f + MathF.Exp(-v));
            return channel == 0 ? s : channel < 5 ? s * textScale : channel == 5 ? (s - 0.5f) * angleScale : 0f;
        }
        return v;
    }
}
