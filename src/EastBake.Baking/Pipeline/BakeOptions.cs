using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline;

/// <summary>Everything one bake needs: the <c>&lt;EastModel&gt;</c> item's metadata, or the tool's options.</summary>
public sealed record BakeOptions
{
    /// <summary>Frozen GraphDef (.pb/.pbtxt), SavedModel directory, or checkpoint prefix.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Checkpoint prefix (model.ckpt) to freeze instead of a frozen graph.</summary>
    public string? Checkpoint { get; init; }

    public required string OutputPath { get; init; }
    public Precision Precision { get; init; } = Precision.FP32;
    public ShapeProfile Profile { get; init; } = ShapeProfile.Fixed(704, 1280);
    public int MinimumSegmentSize { get; init; } = Partitioning.SegmentPartitioner.DefaultMinimumSegmentSize;

    /// <summary>Engine backends to bake for, e.g. ["Ilgpu", "Onnx"].</summary>
    public IReadOnlyList<string> Backends { get; init; } = ["Ilgpu", "Onnx"];

    public IReadOnlyList<string>? Inputs { get; init; }
    public IReadOnlyList<string>? Outputs { get; init; }
    public string? CalibrationImages { get; init; }
    public string CalibrationMethod { get; init; } = "Entropy";
    public int CalibrationLimit { get; init; } = 500;
    public bool RequireTensorRt { get; init; }

    /// <summary>
    /// How FP16 ILGPU convolutions get their kernels: <c>Auto</c> measures on the build machine's
    /// CUDA GPU when there is one, else the heuristic; <c>Measure</c> warns when there is none;
    /// <c>Heuristic</c> never measures (reproducible across machines).
    /// </summary>
    public string Tuning { get; init; } = "Auto";

    /// <summary>Rebake even when the existing plan is up to date.</summary>
    public bool Force { get; init; }

    /// <summary>The options that change the plan's content, in a canonical text (part of the input hash).</summary>
    public string CanonicalOptions() => string.Join("\n",
        $"precision={Precision}", $"profile={ProfileText.Format(Profile)}", $"min_segment={MinimumSegmentSize}",
        $"backends={string.Join(";", Backends.Select(b => b.ToLowerInvariant()).Order(StringComparer.Ordinal))}",
        $"inputs={string.Join(";", Inputs ?? [])}", $"outputs={string.Join(";", Outputs ?? [])}",
        $"calibration_method={CalibrationMethod}", $"calibration_limit={CalibrationLimit}", $"tuning={Tuning.ToLowerInvariant()}");
}
