namespace EastBake.Runtime.OnnxRuntime;

public static class DetectorOptionsExtensions
{
    /// <summary>
    /// Registers ONNX Runtime backends. <paramref name="provider"/> is the best one to try; the
    /// lesser ones follow as fallbacks (TensorRT → CUDA → CPU, CUDA → CPU).
    /// </summary>
    public static DetectorOptions UseOnnxRuntime(this DetectorOptions options,
        OnnxExecutionProvider provider = OnnxExecutionProvider.Cpu, int intraOpThreads = 0)
    {
        if (provider == OnnxExecutionProvider.TensorRt) options.Providers.Add(new OnnxRuntimeProvider(OnnxExecutionProvider.TensorRt, intraOpThreads));
        if (provider != OnnxExecutionProvider.Cpu) options.Providers.Add(new OnnxRuntimeProvider(OnnxExecutionProvider.Cuda, intraOpThreads));
        options.Providers.Add(new OnnxRuntimeProvider(OnnxExecutionProvider.Cpu, intraOpThreads));
        return options;
    }
}
