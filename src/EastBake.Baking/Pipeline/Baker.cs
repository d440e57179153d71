using System.Diagnostics;
using System.Globalization;
using EastBake.Baking.Calibration;
using EastBake.Baking.Partitioning;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Optimizer;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Plans;
using Google.Protobuf;

namespace EastBake.Baking.Pipeline;

/// <summary>What a bake did.</summary>
public sealed record BakeResult(string PlanPath, bool UpToDate, string InputHash, TimeSpan Elapsed,
    IReadOnlyList<PartitionResult> Partitions, Plan Plan);

/// <summary>
/// The baking pipeline: hash inputs (skip when the existing plan is verified and current) →
/// import/freeze → shape inference → optimize → partition per backend → build each segment's
/// payload → write the plan atomically.
/// </summary>
public sealed class Baker
{
    public static string Version { get; } =
        typeof(Baker).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly IBakeLog _log;
    private readonly ITensorRtContextBuilder? _tensorRt;

    /// <param name="tensorRt">Builds TensorRT engines (the east-bake tool passes its ONNX Runtime one); without it the TensorRT backend is reported unavailable.</param>
    public Baker(IBakeLog? log = null, ITensorRtContextBuilder? tensorRt = null)
    {
        _log = log ?? NullBakeLog.Instance;
        _tensorRt = tensorRt;
    }

    /// <summary>The plan at <see cref="BakeOptions.OutputPath"/> when it verifies and was baked from the same inputs.</summary>
    public static Plan? CurrentPlan(BakeOptions o, string inputHash)
    {
        if (!File.Exists(o.OutputPath)) return null;
        try
        {
            var plan = PlanReader.Read(o.OutputPath); // verifies length, checksum and structure
            return plan.ModelHash == inputHash ? plan : null;
        }
        catch (Exception e) when (e is EastBakeException or IOException or UnauthorizedAccessException) { return null; }
    }

    public BakeResult Bake(BakeOptions o)
    {
        var clock = Stopwatch.StartNew();
        var modelFile = o.Checkpoint ?? o.ModelPath;
        if (!File.Exists(o.ModelPath) && !Directory.Exists(o.ModelPath) && o.Checkpoint is null &&
            !File.Exists(o.ModelPath + ".meta") && !File.Exists(o.ModelPath + ".index"))
            throw new EastBakeException(ErrorCodes.ModelNotFound, "model file not found", o.ModelPath);
        // INT8: no folder, no image, a bad method or limit fail here, before any work (EB3001/2/5, EB3025).
        if (o.Precision == Precision.INT8) Int8Calibration.Validate(o);

        using var outputLock = OutputLock.Acquire(o.OutputPath, _log);
        var tensorRt = NormalizedBackends(o).Contains("tensorrt") ? new TensorRtStep(_log, _tensorRt, o, modelFile) : null;
        // A TensorRT engine is tied to the machine's GPU and TensorRT: they are inputs of the plan too.
        // Measured tactics depend on the build GPU, TensorRT engines on its TensorRT: both are inputs of the plan.
        var measuredOn = o.Precision == Precision.FP16 && !o.Tuning.Equals("Heuristic", StringComparison.OrdinalIgnoreCase) &&
                         Tuning.TuningDevice.Get() is { } gpu ? " tuned on " + gpu.Name : "";
        var hash = InputHasher.Compute(o, Version + measuredOn + (tensorRt is null ? "" : " tensorrt " + tensorRt.Probe().Target));
        if (!o.Force && CurrentPlan(o, hash) is { } current)
        {
            _log.Info($"{Path.GetFileName(o.OutputPath)} is up to date (plan verified, inputs unchanged" +
                      (current.Calibration is null ? "" : "; its INT8 calibration is reused") + "); skipping bake");
            if (current.Calibration is { } table) Int8Calibration.RestoreCaches(table, o, _log);
            return new BakeResult(o.OutputPath, true, hash, clock.Elapsed, [], current);
        }

        var (plan, partitions) = Compile(o, hash, tensorRt);
        _log.Progress("write", 0);
        PlanWriter.Write(plan, o.OutputPath);
        _log.Progress("write", 1);
        _log.Info($"wrote {o.OutputPath} ({new FileInfo(o.OutputPath).Length.ToString("N0", CultureInfo.InvariantCulture)} bytes) in {clock.Elapsed.TotalSeconds:F1} s");
        return new BakeResult(o.OutputPath, false, hash, clock.Elapsed, partitions, plan);
    }

    /// <summary>Import → optimize → partition → segment payloads, in memory (nothing is written; <see cref="BakeOptions.OutputPath"/> is unused).</summary>
    public (Plan Plan, IReadOnlyList<PartitionResult> Partitions) Compile(BakeOptions o, string inputHash) =>
        Compile(o, inputHash, NormalizedBackends(o).Contains("tensorrt") ? new TensorRtStep(_log, _tensorRt, o, o.Checkpoint ?? o.ModelPath) : null);

    /// <summary>Backend names lower-cased, trimmed, "onnxruntime" as "onnx", without duplicates.</summary>
    private static List<string> NormalizedBackends(BakeOptions o) =>
        o.Backends.Select(b => b.Trim().ToLowerInvariant()).Where(b => b.Length > 0)
            .Select(b => b == "onnxruntime" ? "onnx" : b).Distinct().ToList();

    private (Plan Plan, IReadOnlyList<PartitionResult> Partitions) Compile(BakeOptions o, string inputHash, TensorRtStep? tensorRt)
    {
        var modelFile = o.Checkpoint ?? o.ModelPath;
        var backends = NormalizedBackends(o);
        _log.Progress("import", 0);
        var graph = ModelLoader.Load(modelFile, new ImportOptions { Inputs = o.Inputs, Outputs = o.Outputs });
        _log.Info($"imported {Path.GetFileName(modelFile)}: {graph.Nodes.Count} nodes");
        _log.Progress("import", 1);

        var input = graph.Inputs.Count == 1 ? graph.Inputs[0]
            : throw new EastBakeException(ErrorCodes.NodeNotFound,
                $"EAST models have one image input; this graph has {graph.Inputs.Count} ({string.Join(", ", graph.Inputs.Select(i => i.Name))})",
                modelFile);
        _log.Progress("optimize", 0);
        var report = Optimize(graph, o.Profile);
        _log.Info($"optimized: {graph.Nodes.Count} nodes ({report})");
        _log.Progress("optimize", 1);
        var calibration = o.Precision == Precision.INT8 ? Int8Calibration.Run(graph, o, _log) : null;

        var partitions = new List<PartitionResult>();
        var segments = new List<PlanSegment>();
        var onnxSegments = new List<(PlanSegment, Segment)>();
        foreach (var backend in backends)
        {
            // TensorRT engines are built from the ONNX segments; one ONNX partition serves both.
            if (backend == "tensorrt" && backends.Contains("onnx")) continue;
            var caps = CapabilitiesFor(backend, modelFile);
            var part = SegmentPartitioner.Partition(graph, caps, o.MinimumSegmentSize);
            partitions.Add(part);
            _log.Info(PartitionReport.Format(part).TrimEnd());
            if (caps.Engine == EngineKinds.Onnx) HostPathCheck.RequireNoHostNodes(part, modelFile);
            foreach (var seg in part.Segments)
            {
                try
                {
                    var built = BuildSegment(graph, seg, segments.Count, GroupFor(segments, seg), o, calibration);
                    segments.Add(built);
                    if (built.Engine == EngineKinds.Onnx) onnxSegments.Add((built, seg));
                }
                catch (EastBakeException e) when (seg.Engine == EngineKinds.Ilgpu && IsLoweringError(e.Code) && HasOnnx(o))
                {
                    // The ONNX segments still cover the model: warn and bake without this engine program.
                    _log.Warning(e.Code, $"ILGPU segment {seg.Id} is not baked, the plan runs on ONNX Runtime only: {e.Message}", e.File ?? modelFile);
                }
            }
        }
        if (tensorRt is not null) segments.AddRange(tensorRt.Build(graph, onnxSegments, segments.Count, calibration));
        if (segments.Count == 0)
            throw new EastBakeException(ErrorCodes.NoEngineSegment,
                $"no engine segment could be built for backends {string.Join(";", o.Backends)}", modelFile);

        var plan = new Plan
        {
            EastBakeVersion = Version,
            ModelHash = inputHash,
            Precision = o.Precision,
            Profile = o.Profile,
            Target = new PlanTarget(string.Join(";", segments.Select(s => s.Engine).Distinct()),
                segments.FirstOrDefault(s => s.Engine == EngineKinds.TensorRtContext)?.Architecture ?? PlanTarget.Portable),
            InputName = input.Name,
            OutputNames = graph.Outputs.Select(v => v.Name).ToList(),
            Metadata = new Dictionary<string, string>(graph.Metadata),
            Segments = segments,
            Calibration = calibration,
        };
        return (plan, partitions);
    }

    /// <summary>
    /// Shape inference for the profile (concrete shapes when it is one fixed shape, else symbolic
    /// N, H, W), the optimizer, and shape inference again: the graph every engine is built from.
    /// </summary>
    public static OptimizerReport Optimize(Graph graph, ShapeProfile profile)
    {
        var fixedShape = profile.IsFixed && graph.Inputs.Count == 1
            ? new Dictionary<string, long[]> { [graph.Inputs[0].Name] = [profile.OptBatch, profile.OptHeight, profile.OptWidth, 3] }
            : null;
        ShapeInference.Run(graph, fixedShape);
        var report = GraphOptimizer.Run(graph);
        ShapeInference.Run(graph, fixedShape);
        return report;
    }

    /// <summary>The measuring tuner for FP16 ILGPU segments when the options and this machine allow it (see <see cref="BakeOptions.Tuning"/>).</summary>
    private Func<Runtime.Engine.EngineProgram, (string, int)?>? TunerFor(BakeOptions o)
    {
        if (o.Precision != Precision.FP16 || o.Tuning.Equals("Heuristic", StringComparison.OrdinalIgnoreCase)) return null;
        var device = Tuning.TuningDevice.Get();
        if (device is null)
        {
            var msg = "no CUDA GPU to measure kernel tactics on (" + Tuning.TuningDevice.Reason + "); recording heuristic tactics";
            if (o.Tuning.Equals("Measure", StringComparison.OrdinalIgnoreCase)) _log.Warning(ErrorCodes.TuningDeviceMissing, msg, o.ModelPath);
            else _log.Info(msg);
            return null;
        }
        return program =>
        {
            var (arch, layers) = Tuning.ConvTacticTuner.Tune(program, o.Profile, device, _log);
            _log.Info($"measured tactics for {layers} convolutions on {device.Name} ({arch})");
            return (arch, layers);
        };
    }

    private static bool IsLoweringError(string code) =>
        code is ErrorCodes.LoweringUnsupported or ErrorCodes.LoweringShapeUnsupported or ErrorCodes.LoweringPrecisionUnsupported;

    private static bool HasOnnx(BakeOptions o) => NormalizedBackends(o).Any(b => b is "onnx" or "tensorrt");

    /// <summary>A segment computing the same tensors as an earlier one of another engine is its twin: same group.</summary>
    private static int GroupFor(List<PlanSegment> earlier, Segment seg)
    {
        var inputs = seg.Inputs.Select(v => v.Name).ToList();
        var outputs = seg.Outputs.Select(v => v.Name).ToList();
        var twin = earlier.FirstOrDefault(s => s.Engine != seg.Engine && s.Inputs.SequenceEqual(inputs) && s.Outputs.SequenceEqual(outputs) &&
                                               earlier.All(o => o.Group != s.Group || o.Engine != seg.Engine));
        return twin?.Group ?? (earlier.Count == 0 ? 0 : earlier.Max(s => s.Group) + 1);
    }

    private static IEngineCapabilities CapabilitiesFor(string backend, string file)
    {
        switch (backend)
        {
            case "onnx" or "tensorrt":
                return new OnnxCapabilities();
            case "ilgpu":
                return new IlgpuCapabilities();
            default:
                throw new EastBakeException(ErrorCodes.BadBackendName,
                    $"unknown backend '{backend}' (expected Ilgpu, Onnx or TensorRT)", file);
        }
    }

    private PlanSegment BuildSegment(Graph graph, Segment seg, int id, int group, BakeOptions o, CalibrationTable? calibration)
    {
        var sub = SubgraphExtractor.Extract(graph, seg);
        var props = new Dictionary<string, string>
        {
            ["nodes"] = seg.Nodes.Count.ToString(CultureInfo.InvariantCulture),
            ["ops"] = string.Join(",", seg.OpHistogram.Select(kv => $"{kv.Key}:{kv.Value}")),
        };
        byte[] payload;
        string engine;
        switch (seg.Engine)
        {
            case EngineKinds.Onnx:
                payload = OnnxExporter.Export(sub).ToByteArray();
                engine = EngineKinds.Onnx;
                break;
            case EngineKinds.Ilgpu:
                payload = IlgpuLowering.Lower(sub, o.Precision, o.Profile, props, tune: TunerFor(o), calibration: calibration);
                engine = EngineKinds.Ilgpu;
                break;
            default:
                throw new InvalidOperationException(seg.Engine);
        }
        return new PlanSegment
        {
            Id = id,
            Group = group,
            Engine = engine,
            Inputs = seg.Inputs.Select(v => v.Name).ToList(),
            Outputs = seg.Outputs.Select(v => v.Name).ToList(),
            Properties = props,
            Payload = payload,
        };
    }
}
