using EastBake.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Algorithms;
using ILGPU.Runtime.OpenCL;

namespace EastBake.Runtime.Ilgpu;

/// <summary>Which accelerator the ILGPU engine runs on.</summary>
public enum EngineDevice
{
    /// <summary>CUDA if present, else OpenCL, else ILGPU's CPU accelerator.</summary>
    Auto = 0,
    Cuda = 1,
    OpenCL = 2,
    Cpu = 3,
}

/// <summary>Creates an ILGPU context and accelerator for an <see cref="EngineDevice"/>; EB5005 when none fits.</summary>
public static class IlgpuDeviceSelector
{
    public static (Context Context, Accelerator Accelerator) Create(EngineDevice device, Action<string>? log = null)
    {
        // OpenCL(_ => true): let every CL device be tried so a refusal is logged with its reason.
        // EnableAlgorithms: MathF.Exp and friends have no PTX intrinsic in ILGPU itself. Profiling: stream markers for the benchmarks.
        var context = Context.Create(b => b.Default().OpenCL(_ => true).EnableAlgorithms().Profiling());
        try
        {
            var order = device switch
            {
                EngineDevice.Auto => [AcceleratorType.Cuda, AcceleratorType.OpenCL, AcceleratorType.CPU],
                EngineDevice.Cuda => [AcceleratorType.Cuda],
                EngineDevice.OpenCL => [AcceleratorType.OpenCL],
                EngineDevice.Cpu => new[] { AcceleratorType.CPU },
                _ => throw new ArgumentOutOfRangeException(nameof(device)),
            };
            var failures = new List<string>();
            foreach (var type in order)
            {
                foreach (var d in context.Devices.Where(d => d.AcceleratorType == type))
                {
                    try
                    {
                        var acc = d.CreateAccelerator(context);
                        log?.Invoke($"ILGPU engine: using {type} device '{d.Name}' (requested {device})");
                        return (context, acc);
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{type} '{d.Name}': {e.Message}");
                        log?.Invoke($"ILGPU engine: skipping {type} device '{d.Name}': {e.Message}");
                    }
                }
            }
            throw new EastBakeException(ErrorCodes.AcceleratorUnavailable,
                $"no usable ILGPU accelerator for device '{device}'" + (failures.Count > 0 ? ": " + string.Join("; ", failures) : " (none found)"));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }
}
