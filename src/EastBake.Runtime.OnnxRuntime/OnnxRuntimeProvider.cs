using EastBake.Diagnostics;
using EastBake.Runtime.Backends;
using EastBake.Runtime.OnnxRuntime.Native;
using EastBake.Runtime.OnnxRuntime.TensorRt;
using EastBake.Runtime.Plans;
using Microsoft.ML.OnnxRuntime;

namespace EastBake.Runtime.OnnxRuntime;

/// <summary>
/// Creates ONNX Runtime backends on one execution provider. Whether the provider can serve the
/// plan is decided by <see cref="ExecutionProviderSelection"/>; a session that still fails to
/// load (e.g. TensorRT refusing an engine) is a reason too, so the detector moves on.
/// </summary>
public sealed class OnnxRuntimeProvider : IBackendProvider
{
    private readonly OnnxExecutionProvider _ep;
    private readonly int _threads;
    private readonly Func<GpuEnvironment> _environment;

    public OnnxRuntimeProvider(OnnxExecutionProvider ep, int intraOpThreads = 0)
        : this(ep, intraOpThreads, () => GpuEnvironment.Current) { }

    internal OnnxRuntimeProvider(OnnxExecutionProvider ep, int intraOpThreads, Func<GpuEnvironment> environment)
    {
        _ep = ep;
        _threads = intraOpThreads;
        _environment = environment;
    }

    public string Name => $"onnxruntime:{_ep.ToString().ToLowerInvariant()}";

    public int Priority => _ep switch { OnnxExecutionProvider.TensorRt => 300, OnnxExecutionProvider.Cuda => 150, _ => 50 };

    public IInferenceBackend? TryCreate(Plan plan, Action<string> log, out string reason)
    {
        IReadOnlyList<PlanSegment> onnx;
        try
        {
            // ONNX payloads run on any device ONNX Runtime supports: only portable ones are taken.
            onnx = SegmentSelector.Select(plan, EngineKinds.Onnx, PlanTarget.Portable, log);
        }
        catch (EastBakeException e)
        {
            reason = $"{e.Code}: {e.Message}";
            return null;
        }
        var env = _ep == OnnxExecutionProvider.Cpu ? GpuEnvironment.None("not probed for the CPU EP") : _environment();
        var choice = ExecutionProviderSelection.Evaluate(_ep, plan, env, onnx);
        if (!choice.Usable)
        {
            reason = choice.Reason;
            return null;
        }
        try
        {
            OnnxRuntimeLibrary.EnsureConfigured();
            reason = "";
            var device = env.Device is { } d ? $" {d.Name} ({d.Architecture})" : "";
            return new OnnxRuntimeBackend(plan, choice.Segments, CreateOptions, Name + device);
        }
        catch (OnnxRuntimeException e)
        {
            reason = $"{Name} could not load the plan's segments: {e.Message}";
            return null;
        }
    }

    private SessionOptions CreateOptions()
    {
        var o = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        try
        {
            if (_threads > 0) o.IntraOpNumThreads = _threads;
            switch (_ep)
            {
                case OnnxExecutionProvider.Cuda:
                    o.AppendExecutionProvider_CUDA();
                    break;
                case OnnxExecutionProvider.TensorRt:
                    // EPContext models load fastest without graph rewrites (ORT's own advice for embed_mode=1).
                    o.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
                    using (var trt = new OrtTensorRTProviderOptions())
                    {
                        trt.UpdateOptions(new Dictionary<string, string>(TensorRtProviderOptions.ForContextModel()));
                        o.AppendExecutionProvider_Tensorrt(trt);
                    }
                    break;
            }
            return o;
        }
        catch
        {
            o.Dispose();
            throw;
        }
    }
}
