namespace EastBake.Runtime.Ilgpu;

public static class DetectorOptionsExtensions
{
    /// <summary>
    /// Registers EastBake's own ILGPU engine. <see cref="EngineDevice.Auto"/> registers CUDA
    /// (priority 200), OpenCL and the CPU accelerator (100) so the detector falls through them in
    /// that order; any other value registers that accelerator alone. The CPU accelerator is
    /// ILGPU's simulator: correct but slow, meant for tests and machines without a GPU.
    /// </summary>
    public static DetectorOptions UseIlgpu(this DetectorOptions options, EngineDevice device = EngineDevice.Auto)
    {
        if (device == EngineDevice.Auto)
        {
            options.Providers.Add(new IlgpuBackendProvider(EngineDevice.Cuda));
            options.Providers.Add(new IlgpuBackendProvider(EngineDevice.OpenCL));
            options.Providers.Add(new IlgpuBackendProvider(EngineDevice.Cpu));
        }
        else options.Providers.Add(new IlgpuBackendProvider(device));
        return options;
    }
}
