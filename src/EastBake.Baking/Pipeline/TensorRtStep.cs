using System.Globalization;
using EastBake.Baking.Partitioning;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline;

/// <summary>
/// The bake's TensorRT step: for each ONNX segment, a TensorRT engine built by ONNX Runtime's
/// TensorRT EP and stored as a <c>trt-epcontext</c> segment beside its ONNX twin (same group;
/// property <c>onnx.segment</c> names the twin). The twin stays in the plan: it is what the CUDA
/// and CPU EPs run when the engine does not fit the machine. When TensorRT is unavailable the
/// step says so once (EB5004, an error with RequireTensorRT) and the plan keeps the other
/// backends.
/// </summary>
internal sealed class TensorRtStep(IBakeLog log, ITensorRtContextBuilder? builder, BakeOptions options, string modelFile)
{
    private TensorRtAvailability? _probe;

    public TensorRtAvailability Probe() => _probe ??= builder?.Probe() ?? new TensorRtAvailability(false,
        "this baker was built without ONNX Runtime (TensorRT engines are built by the east-bake tool, which carries EastBake.Runtime.OnnxRuntime)",
        "unavailable");

    /// <summary>Engines for <paramref name="onnx"/> (ONNX plan segments with the partition segments they came from), numbered from <paramref name="nextId"/>.</summary>
    public List<PlanSegment> Build(Graph graph, IReadOnlyList<(PlanSegment Plan, Segment Part)> onnx, int nextId,
        Runtime.Calibration.CalibrationTable? calibration = null)
    {
        var built = new List<PlanSegment>();
        var probe = Probe();
        if (!probe.Available)
        {
            Fail(ErrorCodes.TensorRtMissing, options.RequireTensorRt
                ? $"TensorRT backend: {probe.Reason} (RequireTensorRT is set)"
                : $"TensorRT backend: {probe.Reason}; baking the other backends only");
            return built;
        }
        var precision = options.Precision;
        string? table = null;
        if (precision == Precision.INT8 && calibration is null)
        {
            log.Warning(ErrorCodes.TensorRtCalibrationTableMissing,
                "TensorRT backend: no INT8 calibration table was produced for this model; building the TensorRT engine in FP16", modelFile);
            precision = Precision.FP16;
        }
        else if (precision == Precision.INT8)
        {
            // TensorRT reads our calibration in its native cache format (trt_int8_use_native_calibration_table).
            table = Path.Combine(Path.GetTempPath(), $"eastbake-{Guid.NewGuid():N}.int8.cache");
            File.WriteAllText(table, Runtime.Calibration.TensorRtCalibrationCache.Format(calibration!));
        }
        try
        {
            foreach (var (twin, part) in onnx) BuildOne(twin, part);
        }
        finally
        {
            if (table is not null) File.Delete(table);
        }
        return built;

        void BuildOne(PlanSegment twin, Segment part)
        {
            var inputs = Profiles(graph, part, out var why);
            if (inputs is null)
            {
                Fail(ErrorCodes.TensorRtBuildFailed, $"TensorRT backend: segment {twin.Id}: {why}");
                return;
            }
            TensorRtContext ctx;
            try
            {
                ctx = builder!.Build(new TensorRtContextRequest(twin.Payload, precision, inputs, options.MinimumSegmentSize, table));
            }
            catch (EastBakeException e) when (e.Code is ErrorCodes.TensorRtBuildFailed or ErrorCodes.TensorRtMissing)
            {
                Fail(e.Code, $"TensorRT backend: segment {twin.Id}: {e.Message}");
                return;
            }
            var props = new Dictionary<string, string>(ctx.Properties)
            {
                [TensorRtContextProperties.OnnxTwin] = twin.Id.ToString(CultureInfo.InvariantCulture),
                ["precision"] = precision.ToString(),
            };
            if (!Inspect(ctx.ContextModel, props, out why))
            {
                Fail(ErrorCodes.TensorRtBuildFailed, $"TensorRT backend: segment {twin.Id}: {why}");
                return;
            }
            log.Info($"TensorRT engine for segment {twin.Id}: {ctx.ContextModel.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, {ctx.Architecture}");
            built.Add(new PlanSegment
            {
                Id = nextId + built.Count,
                Group = twin.Group,
                Engine = EngineKinds.TensorRtContext,
                Architecture = ctx.Architecture,
                Inputs = twin.Inputs,
                Outputs = twin.Outputs,
                Properties = props,
                Payload = ctx.ContextModel,
            });
        }
    }

    private void Fail(string code, string message)
    {
        if (options.RequireTensorRt) throw new EastBakeException(code, message, modelFile);
        log.Warning(code, message, modelFile);
    }

    /// <summary>
    /// Each segment input's min/opt/max shape: the image input follows the plan's profile; any
    /// other input must have a static shape (TensorRT needs every dynamic input in the profile).
    /// </summary>
    private List<TensorRtInputProfile>? Profiles(Graph graph, Segment part, out string why)
    {
        why = "";
        var list = new List<TensorRtInputProfile>();
        foreach (var v in part.Inputs)
        {
            var name = v.Name.Replace(':', '_'); // the ONNX input name (SubgraphExtractor)
            if (graph.Inputs.Contains(v))
            {
                var p = options.Profile;
                list.Add(new TensorRtInputProfile(name, [p.MinBatch, p.MinHeight, p.MinWidth, 3],
                    [p.OptBatch, p.OptHeight, p.OptWidth, 3], [p.MaxBatch, p.MaxHeight, p.MaxWidth, 3]));
            }
            else if (v.Shape.IsFullyKnown)
            {
                var dims = v.Shape.ToArray();
                list.Add(new TensorRtInputProfile(name, dims, dims, dims));
            }
            else
            {
                why = $"it reads {v.Name} of dynamic shape {v.Shape}, which the TensorRT profile cannot cover; bake a fixed InputShape";
                return null;
            }
        }
        return list;
    }

    /// <summary>Checks the EPContext model ONNX Runtime wrote and records what it holds.</summary>
    private static bool Inspect(byte[] contextModel, Dictionary<string, string> props, out string why)
    {
        why = "";
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(contextModel); }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            why = "ONNX Runtime wrote an EPContext model that does not parse: " + e.Message;
            return false;
        }
        var ctx = model.Graph.Node.Where(n => n.OpType == "EPContext").ToList();
        if (ctx.Count == 0)
        {
            why = "TensorRT took none of the segment's nodes (the dumped model has no EPContext node)";
            return false;
        }
        props["epcontext.nodes"] = ctx.Count.ToString(CultureInfo.InvariantCulture);
        props["epcontext.other_nodes"] = (model.Graph.Node.Count - ctx.Count).ToString(CultureInfo.InvariantCulture);
        if (ctx[0].Attribute.FirstOrDefault(a => a.Name == "hardware_architecture") is { } hw)
            props["epcontext.hardware_architecture"] = hw.S.ToStringUtf8();
        return true;
    }
}
