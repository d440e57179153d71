using EastBake.Runtime.Plans;

namespace EastBake.Runtime.Calibration;

/// <summary>The calibrated range of one activation tensor: symmetric [−Amax, Amax], scale = Amax / 127.</summary>
/// <param name="Amax">The chosen clipping threshold (what the calibrator picked).</param>
/// <param name="ObservedMax">The largest |x| seen on the calibration images (for reports).</param>
public readonly record struct TensorRange(float Amax, float ObservedMax)
{
    /// <summary>INT8 scale: one quantization step, <c>Amax / 127</c> in float32 (as TensorRT stores it).</summary>
    public float Scale => Amax / 127f;
}

/// <summary>The precision one layer (a convolution, by its graph node name) runs at in an INT8 plan, and why.</summary>
public sealed record LayerPrecision(string Layer, Precision Precision, string Reason);

/// <summary>
/// The result of INT8 calibration: a range per activation tensor (keyed by the tensor's name in
/// the exported ONNX graph, so TensorRT and ONNX Runtime can use it as is), the per-layer
/// precision choices, and what it was computed from (for cache reuse).
/// </summary>
public sealed class CalibrationTable
{
    /// <summary>Canonical method text: <c>Entropy</c>, <c>MinMax</c> or <c>Percentile:99.99</c>.</summary>
    public required string Method { get; init; }

    /// <summary>SHA-256 (hex) of the FP32 network that was calibrated and the input size used.</summary>
    public required string ModelHash { get; init; }

    /// <summary>SHA-256 (hex) of the calibration image set (relative paths and bytes, after the limit).</summary>
    public required string ImageSetHash { get; init; }

    /// <summary>Images the statistics were collected on.</summary>
    public required int ImageCount { get; init; }

    /// <summary>Image files of the set that could not be read (skipped with a warning).</summary>
    public int SkippedImages { get; init; }

    /// <summary>Activation ranges by ONNX tensor name, sorted by name (ordinal).</summary>
    public required IReadOnlyDictionary<string, TensorRange> Tensors { get; init; }

    /// <summary>Precision per convolution layer, in graph order.</summary>
    public IReadOnlyList<LayerPrecision> Layers { get; init; } = [];

    /// <summary>True when this table was computed from the same network, images and method.</summary>
    public bool Matches(string modelHash, string imageSetHash, string method) =>
        ModelHash == modelHash && ImageSetHash == imageSetHash && Method == method;
}
