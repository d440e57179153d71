using EastBake.Runtime.Calibration;

namespace EastBake.Runtime.Plans;

/// <summary>Numeric precision a plan was baked for.</summary>
public enum Precision
{
    FP32,
    FP16,
    INT8,
}

/// <summary>
/// The input shapes a plan (and its engine programs) serves: min/opt/max batch and height×width.
/// Heights and widths are multiples of <see cref="SizeMultiple"/> (32, EAST's stride, in every
/// plan; engine kernel tests use smaller steps). Engines allocate for max and tune for opt.
/// </summary>
public sealed record ShapeProfile(int MinBatch, int OptBatch, int MaxBatch,
    int MinHeight, int OptHeight, int MaxHeight, int MinWidth, int OptWidth, int MaxWidth)
{
    /// <summary>Step between served heights and widths (not part of the plan's text form, which is always 32).</summary>
    public int SizeMultiple { get; init; } = 32;

    /// <summary>A single fixed shape.</summary>
    public static ShapeProfile Fixed(int height, int width, int batch = 1) =>
        new(batch, batch, batch, height, height, height, width, width, width);

    /// <summary>Batch 1, sizes from min to max (opt = max).</summary>
    public static ShapeProfile Sizes(int minHeight, int minWidth, int maxHeight, int maxWidth, int sizeMultiple = 32) =>
        new(1, 1, 1, minHeight, maxHeight, maxHeight, minWidth, maxWidth, maxWidth) { SizeMultiple = sizeMultiple };

    public bool IsFixed => MinHeight == MaxHeight && MinWidth == MaxWidth && MinBatch == MaxBatch;

    /// <summary>Fixed height and width (the batch may still vary).</summary>
    public bool IsFixedSize => MinHeight == MaxHeight && MinWidth == MaxWidth;

    public bool Contains(int batch, int height, int width) =>
        batch >= MinBatch && batch <= MaxBatch && height >= MinHeight && height <= MaxHeight &&
        width >= MinWidth && width <= MaxWidth;

    /// <summary>Height and width within the profile and multiples of <see cref="SizeMultiple"/>.</summary>
    public bool ContainsSize(int height, int width) =>
        height >= MinHeight && height <= MaxHeight && width >= MinWidth && width <= MaxWidth &&
        SizeMultiple > 0 && height % SizeMultiple == 0 && width % SizeMultiple == 0;

    /// <summary>Every height the profile serves, smallest first.</summary>
    public IEnumerable<int> Heights() => Steps(MinHeight, MaxHeight);

    /// <summary>Every width the profile serves, smallest first.</summary>
    public IEnumerable<int> Widths() => Steps(MinWidth, MaxWidth);

    private IEnumerable<int> Steps(int min, int max)
    {
        for (int v = min; v <= max; v += Math.Max(1, SizeMultiple)) yield return v;
    }

    public override string ToString() => IsFixed
        ? $"{OptBatch}x{OptHeight}x{OptWidth}"
        : $"min:{MinBatch}x{MinHeight}x{MinWidth};opt:{OptBatch}x{OptHeight}x{OptWidth};max:{MaxBatch}x{MaxHeight}x{MaxWidth}";
}

/// <summary>Where a plan's engine segments were built for.</summary>
public sealed record PlanTarget(string Backend, string Architecture)
{
    /// <summary>Architecture tag of segments that run on any device.</summary>
    public const string Portable = "portable";
}

/// <summary>Engine kinds a segment can hold.</summary>
public static class EngineKinds
{
    /// <summary>EastBake's own ILGPU engine program.</summary>
    public const string Ilgpu = "ilgpu";

    /// <summary>An ONNX model run by ONNX Runtime (CPU/CUDA EP); also the host path.</summary>
    public const string Onnx = "onnx";

    /// <summary>An ONNX EPContext model embedding a serialized TensorRT engine.</summary>
    public const string TensorRtContext = "trt-epcontext";
}

/// <summary>
/// One execution unit of a plan: an engine payload with named inputs and outputs. Segments are
/// stored in execution order; several segments may implement the same subgraph for different
/// engines (e.g. an ILGPU program and its ONNX twin), marked by the same <see cref="Group"/>.
/// </summary>
public sealed class PlanSegment
{
    public required int Id { get; init; }

    /// <summary>Segments with the same group compute the same tensors on different engines.</summary>
    public required int Group { get; init; }

    /// <summary>One of <see cref="EngineKinds"/>.</summary>
    public required string Engine { get; init; }

    /// <summary>Architecture the payload is specialized for, or <see cref="PlanTarget.Portable"/>.</summary>
    public string Architecture { get; init; } = PlanTarget.Portable;

    public required IReadOnlyList<string> Inputs { get; init; }
    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary>Free-form facts (node count, op histogram, TensorRT version, tactics…), sorted on write.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    public required byte[] Payload { get; init; }
}

/// <summary>An in-memory <c>.eastplan</c>. See docs/PLAN_FORMAT.md.</summary>
public sealed class Plan
{
    public required string EastBakeVersion { get; init; }

    /// <summary>SHA-256 (hex) of the model's bytes (frozen graph or checkpoint files) and bake options.</summary>
    public required string ModelHash { get; init; }

    public required Precision Precision { get; init; }
    public required ShapeProfile Profile { get; init; }
    public required PlanTarget Target { get; init; }

    /// <summary>Graph input name (NHWC float32 RGB).</summary>
    public required string InputName { get; init; }

    /// <summary>Score and geometry output names, in that order.</summary>
    public required IReadOnlyList<string> OutputNames { get; init; }

    /// <summary>Model metadata (e.g. in-graph mean subtraction), sorted on write.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public required IReadOnlyList<PlanSegment> Segments { get; init; }

    /// <summary>INT8 plans: the activation ranges and per-layer precisions (section <c>CALB</c>); null otherwise.</summary>
    public CalibrationTable? Calibration { get; init; }

    /// <summary>True when the graph subtracts the RGB means itself (callers feed raw 0–255 RGB).</summary>
    public bool InGraphMeanSubtraction =>
        Metadata.TryGetValue("in_graph_mean_subtraction", out var v) && v == "true";
}
