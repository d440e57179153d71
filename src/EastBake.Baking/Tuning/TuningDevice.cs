using EastBake.Diagnostics;
using EastBake.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EastBake.Baking.Tuning;

/// <summary>The build machine's CUDA GPU for measured tuning, opened once per process (null without one).</summary>
internal static class TuningDevice
{
    private static readonly Lazy<(Context? Context, Accelerator? Accelerator, string Reason)> Device = new(Open);

    public static Accelerator? Get() => Device.Value.Accelerator;

    public static string Reason => Device.Value.Reason;

    private static (Context?, Accelerator?, string) Open()
    {
        try
        {
            var (context, accelerator) = IlgpuDeviceSelector.Create(EngineDevice.Cuda);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => { accelerator.Dispose(); context.Dispose(); };
            return (context, accelerator, "");
        }
        catch (EastBakeException e)
        {
            return (null, null, e.Message);
        }
    }
}
