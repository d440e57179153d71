using EastBake.Baking.Pipeline;
using EastBake.Runtime.OnnxRuntime.Native;
using EastBake.Runtime.OnnxRuntime.TensorRt;
using EastBake.Runtime.Plans;

namespace EastBake.Tool.Commands;

/// <summary>The baker's TensorRT step on ONNX Runtime's TensorRT EP (EastBake.Runtime.OnnxRuntime).</summary>
internal sealed class OnnxRuntimeTensorRtBuilder(Func<GpuEnvironment> environment) : ITensorRtContextBuilder
{
    public OnnxRuntimeTensorRtBuilder() : this(() => GpuEnvironment.Current) { }

    /// <summary>The timing cache shared by builds on this machine (per GPU and TensorRT version).</summary>
    private static string TimingCacheFor(GpuEnvironment env) => Path.Combine(Path.GetTempPath(), "eastbake", "trt-timing-cache",
        $"{env.Device!.Architecture}-trt{env.TensorRtVersion ?? "unknown"}");

    public TensorRtAvailability Probe()
    {
        var env = environment();
        var target = env.TensorRt.Available ? $"{env.Device!.Architecture} TensorRT {env.TensorRtVersion}" : "unavailable";
        return new TensorRtAvailability(env.TensorRt.Available, env.TensorRt.Reason, target, env.TensorRt.MissingLibrary);
    }

    public TensorRtContext Build(TensorRtContextRequest r)
    {
        var env = environment();
        var engine = TensorRtEngineBuilder.Build(r.OnnxModel, new TensorRtBuildSettings
        {
            Precision = r.Precision,
            Inputs = r.Inputs.Select(i => new TensorRtProfileInput(i.Name, i.Min, i.Opt, i.Max)).ToList(),
            MinimumSubgraphSize = r.MinimumSubgraphSize,
            CalibrationTablePath = r.CalibrationTablePath,
            TimingCacheDirectory = env.TensorRt.Available ? TimingCacheFor(env) : null,
        }, env);
        return new TensorRtContext(engine.ContextModel, engine.Architecture, new Dictionary<string, string>
        {
            [TensorRtContextProperties.TensorRtVersion] = engine.TensorRtVersion,
            [TensorRtContextProperties.OnnxRuntimeVersion] = engine.OnnxRuntimeVersion,
            [TensorRtContextProperties.GpuName] = engine.GpuName,
        });
    }
}
