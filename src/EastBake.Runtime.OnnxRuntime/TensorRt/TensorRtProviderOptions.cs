using System.Globalization;
using EastBake.Runtime.Plans;

namespace EastBake.Runtime.OnnxRuntime.TensorRt;

/// <summary>One engine input's optimization profile: its ONNX input name and min/opt/max dims.</summary>
public sealed record TensorRtProfileInput(string Name, long[] Min, long[] Opt, long[] Max)
{
    /// <summary>The plan's NHWC image input over the plan's profile.</summary>
    public static TensorRtProfileInput ForImage(string name, ShapeProfile p) => new(name,
        [p.MinBatch, p.MinHeight, p.MinWidth, 3], [p.OptBatch, p.OptHeight, p.OptWidth, 3], [p.MaxBatch, p.MaxHeight, p.MaxWidth, 3]);

    /// <summary>A tensor whose shape is the same at every profile point.</summary>
    public static TensorRtProfileInput Static(string name, long[] dims) => new(name, dims, dims, dims);
}

/// <summary>What one TensorRT engine build (one plan segment) asks of the TensorRT EP.</summary>
public sealed record TensorRtBuildSettings
{
    public required Precision Precision { get; init; }

    /// <summary>Every input of the segment with its profile (TensorRT needs all dynamic inputs covered).</summary>
    public required IReadOnlyList<TensorRtProfileInput> Inputs { get; init; }

    /// <summary>Where ONNX Runtime writes the EPContext model (a file path; <see cref="TensorRtEngineBuilder"/> sets it).</summary>
    public string ContextModelPath { get; init; } = "";

    /// <summary>Smallest subgraph TensorRT takes (the bake's MinimumSegmentSize).</summary>
    public int MinimumSubgraphSize { get; init; } = 1;

    /// <summary>Builder workspace limit in bytes.</summary>
    public long MaxWorkspaceBytes { get; init; } = DefaultWorkspaceBytes;

    /// <summary>TensorRT-native calibration cache for INT8 (see <see cref="TensorRtCalibrationTable"/>); required for INT8.</summary>
    public string? CalibrationTablePath { get; init; }

    /// <summary>Folder of the timing cache reused across builds on this machine; null disables it.</summary>
    public string? TimingCacheDirectory { get; init; }

    public int DeviceId { get; init; }

    public const long DefaultWorkspaceBytes = 4L << 30;
}

/// <summary>
/// BakeOptions/plan → TensorRT EP provider options, a pure function. Names and value syntax as
/// ONNX Runtime documents them (TensorRT-ExecutionProvider.md, "Execution Provider Options":
/// trt_max_workspace_size, trt_min_subgraph_size, trt_fp16_enable, trt_int8_enable,
/// trt_int8_calibration_table_name, trt_int8_use_native_calibration_table,
/// trt_engine_cache_enable, trt_timing_cache_enable, trt_timing_cache_path,
/// trt_profile_min/opt/max_shapes as "input1:d0xd1x…,input2:…" (PR #15546),
/// trt_dump_ep_context_model, trt_ep_context_file_path, trt_ep_context_embed_mode (PRs #18217,
/// #19154)); a test also finds every name in the shipped libonnxruntime_providers_tensorrt.so.
/// </summary>
public static class TensorRtProviderOptions
{
    /// <summary>Every option name this class can emit.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "device_id", "trt_max_workspace_size", "trt_min_subgraph_size", "trt_fp16_enable", "trt_int8_enable",
        "trt_int8_calibration_table_name", "trt_int8_use_native_calibration_table", "trt_engine_cache_enable",
        "trt_timing_cache_enable", "trt_timing_cache_path", "trt_profile_min_shapes", "trt_profile_opt_shapes",
        "trt_profile_max_shapes", "trt_dump_ep_context_model", "trt_ep_context_file_path", "trt_ep_context_embed_mode",
    ];

    /// <summary>Options that build one engine and dump it, embedded, into an EPContext model.</summary>
    public static IReadOnlyDictionary<string, string> ForBuild(TensorRtBuildSettings s)
    {
        if (s.ContextModelPath.Length == 0) throw new ArgumentException("the EPContext model path is not set", nameof(s));
        if (s.Inputs.Count == 0) throw new ArgumentException("an engine needs at least one input profile", nameof(s));
        if (s.Precision == Precision.INT8 && string.IsNullOrEmpty(s.CalibrationTablePath))
            throw new ArgumentException("INT8 engines need a calibration table", nameof(s));
        foreach (var i in s.Inputs)
            if (i.Min.Length != i.Opt.Length || i.Opt.Length != i.Max.Length ||
                i.Min.Where((d, k) => d > i.Opt[k] || i.Opt[k] > i.Max[k]).Any())
                throw new ArgumentException($"profile of '{i.Name}' must have min <= opt <= max in every dim", nameof(s));
        var o = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = Int(s.DeviceId),
            ["trt_max_workspace_size"] = s.MaxWorkspaceBytes.ToString(CultureInfo.InvariantCulture),
            ["trt_min_subgraph_size"] = Int(Math.Max(1, s.MinimumSubgraphSize)),
            // INT8 keeps FP16 on so layers without a calibrated range run in FP16, not FP32.
            ["trt_fp16_enable"] = Flag(s.Precision is Precision.FP16 or Precision.INT8),
            ["trt_int8_enable"] = Flag(s.Precision == Precision.INT8),
            // The engine travels inside the EPContext model; no separate engine cache files.
            ["trt_engine_cache_enable"] = "0",
            ["trt_profile_min_shapes"] = Shapes(s.Inputs, i => i.Min),
            ["trt_profile_opt_shapes"] = Shapes(s.Inputs, i => i.Opt),
            ["trt_profile_max_shapes"] = Shapes(s.Inputs, i => i.Max),
            ["trt_dump_ep_context_model"] = "1",
            ["trt_ep_context_file_path"] = s.ContextModelPath,
            ["trt_ep_context_embed_mode"] = "1",
            ["trt_timing_cache_enable"] = Flag(s.TimingCacheDirectory is not null),
        };
        if (s.Precision == Precision.INT8)
        {
            o["trt_int8_calibration_table_name"] = s.CalibrationTablePath!;
            o["trt_int8_use_native_calibration_table"] = "1";
        }
        if (s.TimingCacheDirectory is not null) o["trt_timing_cache_path"] = s.TimingCacheDirectory;
        return o;
    }

    /// <summary>Options that load an EPContext model (the engine comes from the model; nothing is built).</summary>
    public static IReadOnlyDictionary<string, string> ForContextModel(int deviceId = 0) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = Int(deviceId),
            ["trt_engine_cache_enable"] = "0",
        };

    /// <summary><c>name:d0xd1x…</c> per input, comma-separated (trtexec's --minShapes syntax).</summary>
    public static string Shapes(IReadOnlyList<TensorRtProfileInput> inputs, Func<TensorRtProfileInput, long[]> pick) =>
        string.Join(",", inputs.Select(i =>
        {
            if (i.Name.Length == 0 || i.Name.IndexOfAny([':', ',']) >= 0)
                throw new ArgumentException($"TensorRT profile input names cannot be empty or hold ':' or ',' ('{i.Name}')");
            var dims = pick(i);
            if (dims.Length == 0 || dims.Any(d => d < 1))
                throw new ArgumentException($"profile dims of '{i.Name}' must be positive ({string.Join("x", dims)})");
            return i.Name + ":" + string.Join("x", dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        }));

    private static string Flag(bool on) => on ? "1" : "0";
    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
}
