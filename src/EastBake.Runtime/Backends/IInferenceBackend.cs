using EastBake.Runtime.Plans;

namespace EastBake.Runtime.Backends;

/// <summary>
/// Runs a plan's network. Input: NHWC float32 RGB <c>[batch, height, width, 3]</c>; outputs
/// written into caller buffers: score <c>[batch, height/4, width/4, 1]</c> and geometry
/// <c>[batch, height/4, width/4, 5]</c>. Implementations allocate their device/host buffers at
/// creation (for the profile's max shape) and nothing large per call.
/// </summary>
public interface IInferenceBackend : IDisposable
{
    /// <summary>Which engine and device, e.g. <c>onnxruntime:cpu</c>, <c>ilgpu:cuda NVIDIA H100</c>.</summary>
    string Description { get; }

    /// <summary>True when concurrent <see cref="Run"/> calls are safe (otherwise the detector serializes them).</summary>
    bool IsThreadSafe { get; }

    void Run(ReadOnlySpan<float> input, int batch, int height, int width, Span<float> score, Span<float> geometry);
}

/// <summary>
/// Creates backends for plans. Registered explicitly on <c>DetectorOptions</c> (no reflection,
/// so trimming keeps what is used). The detector tries providers by descending priority.
/// </summary>
public interface IBackendProvider
{
    string Name { get; }

    /// <summary>Higher runs first (TensorRT 300, ILGPU GPU 200, CUDA EP 150, ILGPU CPU/OpenCL 100, CPU EP 50).</summary>
    int Priority { get; }

    /// <summary>A backend for <paramref name="plan"/>, or null with the reason it cannot serve it here.</summary>
    IInferenceBackend? TryCreate(Plan plan, Action<string> log, out string reason);
}
