using EastBake.Diagnostics;
using EastBake.Runtime.Backends;

namespace EastBake.Runtime.Ilgpu;

/// <summary>
/// A plan's ILGPU segment on one accelerator. The executor holds one activation arena and one
/// stream, so this backend is not thread-safe (the detector serializes calls). A batch runs
/// image by image.
/// </summary>
public sealed class IlgpuBackend : IInferenceBackend
{
    private readonly IlgpuExecutor _executor;
    private readonly bool _scoreFirst;

    /// <param name="scoreFirst">whether the program's first output is the score map (else the geometry)</param>
    internal IlgpuBackend(IlgpuExecutor executor, bool scoreFirst)
    {
        _executor = executor;
        _scoreFirst = scoreFirst;
        Description = "ilgpu:" + executor.DeviceName;
    }

    public string Description { get; }

    public bool IsThreadSafe => false;

    /// <summary>Activation memory the engine allocated (for the largest shape of the profile).</summary>
    public MemoryPlan MemoryPlan => _executor.MemoryPlan;

    public void Run(ReadOnlySpan<float> input, int batch, int height, int width, Span<float> score, Span<float> geometry)
    {
        int pixels = height * width * 3;
        int scoreLength = _executor.OutputLength(_scoreFirst ? 0 : 1, height, width);
        int geometryLength = _executor.OutputLength(_scoreFirst ? 1 : 0, height, width);
        if (batch < 1 || input.Length < batch * pixels || score.Length < batch * scoreLength || geometry.Length < batch * geometryLength)
            throw new EastBakeException(ErrorCodes.BackendFailed,
                $"buffers do not fit a batch of {batch} at {height}x{width} (input {input.Length}, score {score.Length}, geometry {geometry.Length} floats)");
        for (int b = 0; b < batch; b++)
        {
            var image = input.Slice(b * pixels, pixels);
            var s = score.Slice(b * scoreLength, scoreLength);
            var g = geometry.Slice(b * geometryLength, geometryLength);
            if (_scoreFirst) _executor.Run(image, height, width, s, g);
            else _executor.Run(image, height, width, g, s);
        }
    }

    public void Dispose() => _executor.Dispose();
}
