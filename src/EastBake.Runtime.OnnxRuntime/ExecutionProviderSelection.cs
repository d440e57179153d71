using EastBake.Runtime.OnnxRuntime.Native;
using EastBake.Runtime.Plans;

namespace EastBake.Runtime.OnnxRuntime;

/// <summary>Which ONNX Runtime execution provider a backend uses.</summary>
public enum OnnxExecutionProvider
{
    Cpu,
    Cuda,
    TensorRt,
}

/// <summary>Whether one execution provider can serve a plan here: the segments to run, or why not.</summary>
public sealed record EpChoice(OnnxExecutionProvider Provider, IReadOnlyList<PlanSegment> Segments, string Reason)
{
    public bool Usable => Reason.Length == 0;
}

/// <summary>
/// The pure part of backend selection: from a plan and what the machine offers, decide whether
/// an execution provider can run the plan and on which segments. TensorRT runs the plan's
/// <c>trt-epcontext</c> segments, each only on the GPU architecture and TensorRT version it was
/// built with; CUDA and CPU run the plan's ONNX segments. The detector tries TensorRT, then CUDA,
/// then CPU and logs each reason a provider was skipped.
/// </summary>
public static class ExecutionProviderSelection
{
    /// <param name="onnxSegments">The ONNX segments to run (default: all of the plan's); the provider passes the portable ones <see cref="SegmentSelector"/> picked.</param>
    public static EpChoice Evaluate(OnnxExecutionProvider ep, Plan plan, GpuEnvironment env, IReadOnlyList<PlanSegment>? onnxSegments = null)
    {
        var onnx = (onnxSegments ?? plan.Segments.Where(s => s.Engine == EngineKinds.Onnx)).ToList();
        EpChoice No(string why) => new(ep, [], why);
        switch (ep)
        {
            case OnnxExecutionProvider.Cpu:
                return onnx.Count == 0 ? No(NoOnnx) : new EpChoice(ep, onnx, "");
            case OnnxExecutionProvider.Cuda:
                if (onnx.Count == 0) return No(NoOnnx);
                return env.Cuda.Available ? new EpChoice(ep, onnx, "") : No("the CUDA EP cannot load: " + env.Cuda.Reason);
            case OnnxExecutionProvider.TensorRt:
                return EvaluateTensorRt(plan, onnx, env);
            default:
                throw new ArgumentOutOfRangeException(nameof(ep));
        }
    }

    private const string NoOnnx = "the plan has no ONNX segment (bake with Backends including Onnx or TensorRT)";

    private static EpChoice EvaluateTensorRt(Plan plan, List<PlanSegment> onnx, GpuEnvironment env)
    {
        EpChoice No(string why) => new(OnnxExecutionProvider.TensorRt, [], why);
        var contexts = plan.Segments.Where(s => s.Engine == EngineKinds.TensorRtContext).ToList();
        if (contexts.Count == 0)
            return No("the plan has no TensorRT engine (bake with Backends including TensorRT on a machine with TensorRT)");
        if (!env.TensorRt.Available) return No("the TensorRT EP cannot load: " + env.TensorRt.Reason);
        var device = env.Device!;
        foreach (var c in contexts)
        {
            var built = c.Properties.TryGetValue(TensorRtContextProperties.GpuName, out var g) ? $"{c.Architecture} ({g})" : c.Architecture;
            if (!string.Equals(c.Architecture, device.Architecture, StringComparison.OrdinalIgnoreCase))
                return No($"TensorRT engine of segment {c.Id} was built for {built}; this GPU is {device.Architecture} ({device.Name}): engines do not move between GPU architectures");
            var version = c.Properties.GetValueOrDefault(TensorRtContextProperties.TensorRtVersion, "unknown");
            if (version != env.TensorRtVersion)
                return No($"TensorRT engine of segment {c.Id} was built with TensorRT {version}; this machine has TensorRT {env.TensorRtVersion ?? "of unknown version"}: engines do not move between TensorRT versions");
        }
        // Run the engines in place of the ONNX segments they were built from, in plan order.
        var byTwin = contexts.Where(c => c.Properties.ContainsKey(TensorRtContextProperties.OnnxTwin))
            .ToDictionary(c => c.Properties[TensorRtContextProperties.OnnxTwin], StringComparer.Ordinal);
        var run = new List<PlanSegment>();
        foreach (var s in onnx)
        {
            if (!byTwin.TryGetValue(s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var engine))
                return No($"ONNX segment {s.Id} has no TensorRT engine (its TensorRT build failed or was skipped at bake time)");
            run.Add(engine);
        }
        return run.Count == 0 ? No("no TensorRT engine replaces an ONNX segment") : new EpChoice(OnnxExecutionProvider.TensorRt, run, "");
    }
}
