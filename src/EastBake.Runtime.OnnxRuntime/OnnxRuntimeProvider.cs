using EastBake.Diagnostics;
using EastBake.Runtime.Backends;
using EastBake.Runtime.Plans;
using Microsoft.ML.OnnxRuntime;

namespace EastBake.Runtime.OnnxRuntime;

/// <summary>Which ONNX Runtime execution provider a backend uses.</summary>
public enum OnnxExecutionProvider
{
    Cpu,
    Cuda,
    TensorRt,
}

/// <summary>Creates ONNX Runtime backends for the ONNX segments of a plan, on one execution provider.</summary>
public sealed class OnnxRuntimeProvider : IBackendProvider
{
    private readonly OnnxExecutionProvider _ep;
    private readonly int _threads;

    public OnnxRuntimeProvider(OnnxExecutionProvider ep, int intraOpThreads = 0)
    {
        _ep = ep;
        _threads = intraOpThreads;
    }

    public string Name => $"onnxruntime:{_ep.ToString().ToLowerInvariant()}";

    public int Priority => _ep switch { OnnxExecutionProvider.TensorRt => 300, OnnxExecutionProvider.Cuda => 150, _ => 50 };

    public IInferenceBackend? TryCreate(Plan plan, Action<string> log, out string reason)
    {
        IReadOnlyList<PlanSegment> segments;
        try
        {
            // ONNX payloads run on any device ONNX Runtime supports: only portable ones are taken.
            segments = SegmentSelector.Select(plan, EngineKinds.Onnx, PlanTarget.Portable, log);
        }
        catch (EastBakeException e)
        {
            reason = $"{e.Code}: {e.Message}";
            return null;
        }
        if (segments.Count == 0)
        {
            reason = "the plan has no ONNX segment (bake with Backends including Onnx)";
            return null;
        }
        try
        {
            reason = "";
            return new OnnxRuntimeBackend(plan, segments, CreateOptions, Name);
        }
        catch (OnnxRuntimeException e)
        {
            reason = $"{Name} is unavailable: {e.Message}";
            return null;
        }
    }

    private SessionOptions CreateOptions()
    {
        var o = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (_threads > 0) o.IntraOpNumThreads = _threads;
        switch (_ep)
        {
            case OnnxExecutionProvider.Cuda:
                o.AppendExecutionProvider_CUDA();
                break;
            case OnnxExecutionProvider.TensorRt:
                o.AppendExecutionProvider_Tensorrt();
                break;
        }
        return o;
    }
}
