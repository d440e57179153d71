using EastBake.Runtime.OnnxRuntime.Native;

namespace EastBake.Runtime.OnnxRuntime;

public static class DetectorOptionsExtensions
{
    /// <summary>
    /// Registers the ONNX Runtime backends: <paramref name="best"/> and every lesser one as a
    /// fallback (TensorRT → CUDA → CPU). The detector takes the first that can serve the plan
    /// here and logs why the others were skipped (e.g. a TensorRT engine built for another GPU
    /// architecture or TensorRT version).
    /// </summary>
    public static DetectorOptions UseOnnxRuntime(this DetectorOptions options,
        OnnxExecutionProvider best = OnnxExecutionProvider.TensorRt, int intraOpThreads = 0) =>
        options.UseOnnxRuntime(best, intraOpThreads, () => GpuEnvironment.Current);

    /// <summary>The same, with the machine facts given (tests).</summary>
    internal static DetectorOptions UseOnnxRuntime(this DetectorOptions options, OnnxExecutionProvider best,
        int intraOpThreads, Func<GpuEnvironment> environment)
    {
        for (var ep = best; ep >= OnnxExecutionProvider.Cpu; ep--)
            options.Providers.Add(new OnnxRuntimeProvider(ep, intraOpThreads, environment));
        return options;
    }
}
