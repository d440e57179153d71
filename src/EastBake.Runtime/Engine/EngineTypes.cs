namespace EastBake.Runtime.Engine;

/// <summary>Storage precision of a tensor or weight. Arithmetic is always at least FP32.</summary>
public enum EngineDataType : byte
{
    Float32 = 0,
    /// <summary>IEEE binary16 storage; kernels load to FP32, accumulate in FP32, round on store.</summary>
    Float16 = 1,
    /// <summary>Signed 8-bit integers with a per-tensor scale (INT8 layers' inputs and int8 outputs; OHWI int8 filters).</summary>
    Int8 = 2,
}

/// <summary>Activation fused at the end of a layer.</summary>
public enum EngineActivation : byte
{
    None = 0,
    Relu = 1,
    Sigmoid = 2,
    /// <summary>
    /// EAST's merged head (conv epilogue only, layer channel index c): c = 0 sigmoid (score),
    /// c = 1..4 sigmoid · TextScale (distances), c = 5 (sigmoid − 0.5) · AngleScale (angle),
    /// c ≥ 6 exactly 0 (alignment padding).
    /// </summary>
    EastHead = 3,
}

/// <summary>
/// How a weight's elements are ordered; kernels check it, so a tuning pass can re-lay out a
/// filter for another kernel by changing the weight and its layout together.
/// </summary>
public enum WeightLayout : byte
{
    /// <summary>A plain vector (biases, per-channel scales).</summary>
    Vector = 0,
    /// <summary>Conv filter [KH][KW][Cin][Cout], Cout fastest (TF's layout).</summary>
    Hwio = 1,
    /// <summary>Conv filter [Cout][KH][KW][Cin], Cin fastest: K contiguous per output channel (tensor-core tactics).</summary>
    Ohwi = 2,
}

/// <summary>
/// Kernel choice for one layer, filled by the tuner; <see cref="Default"/> means "executor heuristic".
/// Variant 0 is the baseline kernel of each family. For every variant <see cref="GroupSize"/> is
/// the threads per group (0 = heuristic); P1..P3 are variant-specific and 0 when unused.
/// </summary>
public readonly record struct Tactic(int Variant, int GroupSize = 0, int P1 = 0, int P2 = 0, int P3 = 0)
{
    public static Tactic Default => default;
}

/// <summary>
/// A channel slice of a tensor: channels [ChannelOffset, ChannelOffset + n) of every pixel, where n
/// is the layer's channel count. The pixel stride is always the tensor's full channel count, so a
/// layer can read from or write into part of a concat buffer without a copy.
/// </summary>
public readonly record struct TensorRef(int Tensor, int ChannelOffset = 0)
{
    public static implicit operator TensorRef(int tensor) => new(tensor);
}

internal static class EngineDataTypeExtensions
{
    public static int SizeInBytes(this EngineDataType t) => t switch
    {
        EngineDataType.Float32 => 4,
        EngineDataType.Float16 => 2,
        EngineDataType.Int8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };
}
