using System.Globalization;
using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Build.Baker;

/// <summary>Maps an <c>&lt;EastModel&gt;</c> item's metadata to <see cref="BakeOptions"/>; bad values name the project file.</summary>
public static class EastModelMetadata
{
    public static BakeOptions ToOptions(BakeRequest r)
    {
        var project = r.ProjectFile;
        // MSBuild metadata names are case-insensitive (precision="FP16" overrides the Precision default).
        var meta = new Dictionary<string, string>(r.Metadata, StringComparer.OrdinalIgnoreCase);
        string? Get(string name) => meta.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        string? PathOf(string name) => Get(name) is { } v
            ? Path.GetFullPath(r.ProjectDirectory is null ? v : Path.Combine(r.ProjectDirectory, v))
            : null;
        int Int(string name, int fallback)
        {
            var v = Get(name);
            if (v is null) return fallback;
            return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                : throw new EastBakeException(ErrorCodes.BadArgument, $"EastModel '{r.Model}': {name}=\"{v}\" is not an integer", project);
        }
        static IReadOnlyList<string>? List(string? v) =>
            v is null ? null : v.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        var precisionText = Get("Precision") ?? "FP32";
        if (!Enum.TryParse<Precision>(precisionText, true, out var precision) || !Enum.IsDefined(precision))
            throw new EastBakeException(ErrorCodes.BadArgument,
                $"EastModel '{r.Model}': Precision=\"{precisionText}\" (expected FP32, FP16 or INT8)", project);
        var method = Get("CalibrationMethod") ?? "Entropy";
        if (method is not ("Entropy" or "Percentile" or "MinMax"))
            throw new EastBakeException(ErrorCodes.BadCalibrationMethod,
                $"EastModel '{r.Model}': CalibrationMethod=\"{method}\" (expected Entropy, Percentile or MinMax)", project);
        var requireTrt = Get("RequireTensorRT");
        return new BakeOptions
        {
            ModelPath = r.Model,
            Checkpoint = PathOf("Checkpoint"),
            OutputPath = r.Plan,
            Precision = precision,
            Profile = ProfileText.Parse(Get("InputShape") ?? "704x1280", project),
            MinimumSegmentSize = Int("MinimumSegmentSize", Baking.Partitioning.SegmentPartitioner.DefaultMinimumSegmentSize),
            Backends = List(Get("Backends")) ?? ["Ilgpu", "Onnx"],
            CalibrationImages = PathOf("CalibrationImages"),
            CalibrationMethod = method,
            CalibrationLimit = Int("CalibrationLimit", 500),
            RequireTensorRt = string.Equals(requireTrt, "true", StringComparison.OrdinalIgnoreCase),
            Inputs = List(Get("Inputs")),
            Outputs = List(Get("Outputs")),
        };
    }
}
