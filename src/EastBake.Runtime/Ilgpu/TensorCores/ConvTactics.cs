using EastBake.Runtime.Engine;

namespace EastBake.Runtime.Ilgpu.TensorCores;

/// <summary>Tile shapes of the tensor-core convolution (the value of <see cref="Tactic.P1"/>).</summary>
public enum MmaTileShape
{
    T128x128 = 1,
    T128x64 = 2,
    T64x128 = 3,
    T64x64 = 4,
    T128x32 = 5,
    T64x32 = 6,
}

/// <summary>
/// Convolution kernel choices recorded per layer in <see cref="EngineLayer.Tactic"/>, and the
/// filter layout each one reads. The layout follows the tactic: the baker permutes a layer's
/// filter when it records a tensor-core tactic, and the executor permutes it back when that
/// tactic cannot run on the device at hand.
/// </summary>
public static class ConvTactics
{
    /// <summary>Portable kernels (the direct kernel, one output per thread); filter HWIO.</summary>
    public const int Direct = 0;

    /// <summary>Tensor-core implicit GEMM (<see cref="MmaConvKernel"/>); P1 = <see cref="MmaTileShape"/>; filter OHWI.</summary>
    public const int TensorCore = 1;

    public static Tactic For(MmaTileShape shape) => new(TensorCore, 0, (int)shape);

    public static bool IsTensorCore(Tactic t) => t.Variant == TensorCore;

    public static MmaTileShape Shape(Tactic t) => (MmaTileShape)t.P1;

    public static (int BM, int BN) Size(MmaTileShape s) => s switch
    {
        MmaTileShape.T128x128 => (128, 128),
        MmaTileShape.T128x64 => (128, 64),
        MmaTileShape.T64x128 => (64, 128),
        MmaTileShape.T64x64 => (64, 64),
        MmaTileShape.T128x32 => (128, 32),
        MmaTileShape.T64x32 => (64, 32),
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    /// <summary>
    /// Whether the tensor-core kernel can run this layer: FP16 tensors, square stride, and every
    /// channel count, pixel stride and slice offset a multiple of 8 (16-byte copies).
    /// </summary>
    public static bool Eligible(EngineProgram p, Conv2DLayer c, out string reason)
    {
        EngineTensor inT = p.Tensors[c.Input.Tensor], outT = p.Tensors[c.Output.Tensor];
        reason = "";
        if (inT.DataType != EngineDataType.Float16 || outT.DataType != EngineDataType.Float16) reason = "not FP16";
        else if (c.StrideH != c.StrideW) reason = "non-square stride";
        else if (c.InChannels % 8 != 0 || c.OutChannels % 8 != 0) reason = "channels not a multiple of 8";
        else if (inT.Channels % 8 != 0 || c.Input.ChannelOffset % 8 != 0 || outT.Channels % 8 != 0 || c.Output.ChannelOffset % 8 != 0)
            reason = "tensor slice not 8-channel aligned";
        else if (c.Residual is { } r && (p.Tensors[r.Tensor].Channels % 8 != 0 || r.ChannelOffset % 8 != 0))
            reason = "residual slice not 8-channel aligned";
        return reason.Length == 0;
    }

    /// <summary>
    /// Whether the INT8 tensor-core kernel can run this layer: as <see cref="Eligible"/>, with the
    /// int8 input's channels, pixel stride and offset multiples of 16 (16-byte copies of int8) and
    /// the FP16 epilogue activations only (None or ReLU).
    /// </summary>
    public static bool EligibleInt8(EngineProgram p, QuantizedConv2DLayer q, out string reason)
    {
        var c = q.Conv;
        EngineTensor inT = p.Tensors[c.Input.Tensor], outT = p.Tensors[c.Output.Tensor];
        reason = "";
        if (inT.DataType != EngineDataType.Int8 || outT.DataType is not (EngineDataType.Int8 or EngineDataType.Float16)) reason = "not int8 → int8/FP16";
        else if (c.StrideH != c.StrideW) reason = "non-square stride";
        else if (c.InChannels % 16 != 0 || inT.Channels % 16 != 0 || c.Input.ChannelOffset % 16 != 0) reason = "int8 input not 16-channel aligned";
        else if (c.OutChannels % 8 != 0 || outT.Channels % 8 != 0 || c.Output.ChannelOffset % 8 != 0) reason = "output not 8-channel aligned";
        else if (c.Residual is { } r && (p.Tensors[r.Tensor].DataType != EngineDataType.Float16 ||
                                         p.Tensors[r.Tensor].Channels % 8 != 0 || r.ChannelOffset % 8 != 0))
            reason = "residual not an 8-channel aligned FP16 slice";
        else if (c.Activation is not (EngineActivation.None or EngineActivation.Relu)) reason = $"activation {c.Activation}";
        return reason.Length == 0;
    }

    /// <summary>
    /// The tile a layer gets without measurements, fitted to the H200 sweep of every EAST shape
    /// (docs/PERFORMANCE.md): 32-wide tiles for narrow layers; for 64 channels 128×64 at high
    /// resolution, else 64×64; wider layers take 128×128 or 128×64 only while that still gives
    /// about three CTAs per SM, else 64×64 (more CTAs in flight hide the pipeline's latency).
    /// </summary>
    public static MmaTileShape Heuristic(long outputPixels, int cout, int k = 0, int multiprocessors = 132)
    {
        long Ctas(int bm, int bn) => (outputPixels + bm - 1) / bm * ((cout + bn - 1) / bn);
        if (cout <= 32) return MmaTileShape.T128x32;
        if (cout <= 64) return outputPixels >= 32768 ? MmaTileShape.T128x64 : MmaTileShape.T64x64;
        if (Ctas(128, 128) >= 3 * multiprocessors) return MmaTileShape.T128x128;
        if (Ctas(128, 64) >= 3 * multiprocessors / 2 && (k == 0 || k <= 1152)) return MmaTileShape.T128x64;
        return MmaTileShape.T64x64;
    }

    /// <summary>Records a tensor-core tactic on <paramref name="c"/> and permutes its filter to OHWI (bake time).</summary>
    public static void AssignTensorCore(EngineProgram p, Conv2DLayer c, MmaTileShape shape)
    {
        if (!Eligible(p, c, out var reason)) throw new ArgumentException($"layer '{c.Name}' cannot use tensor cores: {reason}");
        if (!IsTensorCore(c.Tactic))
            p.Weights[c.Filter] = Permute(p.Weights[c.Filter], c.KernelH, c.KernelW, c.InChannels, c.OutChannels);
        c.Tactic = For(shape);
    }

    /// <summary>HWIO [kh][kw][cin][cout] → OHWI [cout][kh][kw][cin] (or back with <paramref name="inverse"/>).</summary>
    public static EngineWeight Permute(EngineWeight w, int kh, int kw, int cin, int cout, bool inverse = false)
    {
        if (w.Layout != (inverse ? WeightLayout.Ohwi : WeightLayout.Hwio))
            throw new ArgumentException($"weight '{w.Name}' is {w.Layout}, expected {(inverse ? WeightLayout.Ohwi : WeightLayout.Hwio)}");
        int es = w.DataType == EngineDataType.Float16 ? 2 : 4;
        int taps = kh * kw;
        var src = w.Data;
        var dst = new byte[src.Length];
        for (int t = 0; t < taps; t++)
            for (int i = 0; i < cin; i++)
                for (int o = 0; o < cout; o++)
                {
                    int hwio = ((t * cin) + i) * cout + o;
                    int ohwi = ((o * taps) + t) * cin + i;
                    int from = inverse ? ohwi : hwio, to = inverse ? hwio : ohwi;
                    Buffer.BlockCopy(src, from * es, dst, to * es, es);
                }
        return new EngineWeight(w.Name, w.DataType, dst, inverse ? WeightLayout.Hwio : WeightLayout.Ohwi);
    }
}
