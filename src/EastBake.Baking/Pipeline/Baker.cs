using System.Diagnostics;
using System.Globalization;
using EastBake.Baking.Partitioning;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Optimizer;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;
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

    public Baker(IBakeLog? log = null) => _log = log ?? NullBakeLog.Instance;

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
        if (o.Precision == Precision.INT8 && string.IsNullOrEmpty(o.CalibrationImages))
            throw new EastBakeException(ErrorCodes.CalibrationFolderMissing,
                "Precision INT8 needs CalibrationImages (a folder of representative images)", modelFile);

        using var outputLock = OutputLock.Acquire(o.OutputPath, _log);
        var hash = InputHasher.Compute(o, Version);
        if (!o.Force && CurrentPlan(o, hash) is { } current)
        {
            _log.Info($"{Path.GetFileName(o.OutputPath)} is up to date (plan verified, inputs unchanged); skipping bake");
            return new BakeResult(o.OutputPath, true, hash, clock.Elapsed, [], current);
        }

        _log.Progress("import", 0);
        var graph = ModelLoader.Load(modelFile, new ImportOptions { Inputs = o.Inputs, Outputs = o.Outputs });
        _log.Info($"imported {Path.GetFileName(modelFile)}: {graph.Nodes.Count} nodes");
        _log.Progress("import", 1);

        var input = graph.Inputs.Count == 1 ? graph.Inputs[0]
            : throw new EastBakeException(ErrorCodes.NodeNotFound,
                $"EAST models have one image input; this graph has {graph.Inputs.Count} ({string.Join(", ", graph.Inputs.Select(i => i.Name))})",
                modelFile);
        var fixedShape = o.Profile.IsFixed
            ? new Dictionary<string, long[]> { [input.Name] = [o.Profile.OptBatch, o.Profile.OptHeight, o.Profile.OptWidth, 3] }
            : null;
        ShapeInference.Run(graph, fixedShape);
        _log.Progress("optimize", 0);
        var report = GraphOptimizer.Run(graph);
        ShapeInference.Run(graph, fixedShape);
        _log.Info($"optimized: {graph.Nodes.Count} nodes ({report})");
        _log.Progress("optimize", 1);

        var partitions = new List<PartitionResult>();
        var segments = new List<PlanSegment>();
        foreach (var backend in o.Backends.Select(b => b.Trim()).Where(b => b.Length > 0))
        {
            var caps = CapabilitiesFor(backend, modelFile, o);
            if (caps is null) continue;
            var part = SegmentPartitioner.Partition(graph, caps, o.MinimumSegmentSize);
            partitions.Add(part);
            _log.Info(PartitionReport.Format(part).TrimEnd());
            if (caps.Engine == EngineKinds.Onnx) HostPathCheck.RequireNoHostNodes(part, modelFile);
            foreach (var seg in part.Segments)
                segments.Add(BuildSegment(graph, seg, segments.Count, o));
        }
        if (segments.Count == 0)
            throw new EastBakeException(ErrorCodes.NoEngineSegment,
                $"no engine segment could be built for backends {string.Join(";", o.Backends)}", modelFile);

        var plan = new Plan
        {
            EastBakeVersion = Version,
            ModelHash = hash,
            Precision = o.Precision,
            Profile = o.Profile,
            Target = new PlanTarget(string.Join(";", segments.Select(s => s.Engine).Distinct()), PlanTarget.Portable),
            InputName = input.Name,
            OutputNames = graph.Outputs.Select(v => v.Name).ToList(),
            Metadata = new Dictionary<string, string>(graph.Metadata),
            Segments = segments,
        };
        _log.Progress("write", 0);
        PlanWriter.Write(plan, o.OutputPath);
        _log.Progress("write", 1);
        _log.Info($"wrote {o.OutputPath} ({new FileInfo(o.OutputPath).Length.ToString("N0", CultureInfo.InvariantCulture)} bytes) in {clock.Elapsed.TotalSeconds:F1} s");
        return new BakeResult(o.OutputPath, false, hash, clock.Elapsed, partitions, plan);
    }

    private IEngineCapabilities? CapabilitiesFor(string backend, string file, BakeOptions o)
    {
        switch (backend.ToLowerInvariant())
        {
            case "onnx" or "onnxruntime":
                return new OnnxCapabilities();
            case "ilgpu":
                return new IlgpuCapabilities();
            case "tensorrt":
                var msg = "TensorRT backend: TensorRT (libnvinfer) is not installed on this machine; baking the other backends only";
                if (o.RequireTensorRt) throw new EastBakeException(ErrorCodes.TensorRtMissing, msg, file);
                _log.Warning(ErrorCodes.TensorRtMissing, msg, file);
                return null;
            default:
                throw new EastBakeException(ErrorCodes.BadBackendName,
                    $"unknown backend '{backend}' (expected Ilgpu, Onnx or TensorRT)", file);
        }
    }

    private PlanSegment BuildSegment(Graph graph, Segment seg, int id, BakeOptions o)
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
                payload = IlgpuLowering.Lower(sub, o.Precision, o.Profile, props);
                engine = EngineKinds.Ilgpu;
                break;
            default:
                throw new InvalidOperationException(seg.Engine);
        }
        return new PlanSegment
        {
            Id = id,
            Group = 0,
            Engine = engine,
            Inputs = seg.Inputs.Select(v => v.Name).ToList(),
            Outputs = seg.Outputs.Select(v => v.Name).ToList(),
            Properties = props,
            Payload = payload,
        };
    }
}
