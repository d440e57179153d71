using EastBake.Diagnostics;
using EastBake.Runtime;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.OnnxRuntime;
using System.CommandLine;

namespace EastBake.Tool.Commands;

/// <summary>
/// <c>--backend ilgpu|onnx|auto</c> (or a provider name such as <c>onnxruntime:cpu</c>) and
/// <c>--device cuda|opencl|cpu|auto</c>, turned into the detector's provider registrations.
/// </summary>
internal sealed record BackendChoice(string Backend, EngineDevice Device)
{
    public static Option<string> BackendOption() => new("--backend")
    {
        Description = "ilgpu, onnx or auto (auto: the best of both; it skips ILGPU's slow CPU simulator), or a provider name such as onnxruntime:cpu",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<string> DeviceOption() => new("--device")
    {
        Description = "cuda, opencl, cpu or auto (ILGPU: that accelerator; ONNX Runtime: cuda uses the CUDA execution provider)",
        DefaultValueFactory = _ => "auto",
    };

    public static BackendChoice Parse(string backend, string device) =>
        new(backend.Trim().ToLowerInvariant(), ParseDevice(device));

    public static EngineDevice ParseDevice(string device) =>
        Enum.TryParse<EngineDevice>(device.Trim(), ignoreCase: true, out var d) && Enum.IsDefined(d)
            ? d : throw new EastBakeException(ErrorCodes.BadArgument, $"unknown device '{device}' (cuda, opencl, cpu or auto)");

    /// <summary>Whether a model baked on the fly needs an ILGPU segment.</summary>
    public bool WantsIlgpu => Backend is "ilgpu" or "auto" || Backend.StartsWith("ilgpu:", StringComparison.Ordinal);

    public void Apply(DetectorOptions o)
    {
        var ort = Device == EngineDevice.Cuda ? OnnxExecutionProvider.Cuda : OnnxExecutionProvider.Cpu;
        switch (Backend)
        {
            case "ilgpu":
                o.UseIlgpu(Device);
                break;
            case "onnx" or "onnxruntime":
                o.UseOnnxRuntime(ort);
                break;
            case "auto" when Device == EngineDevice.Auto:
                // The GPUs first (CUDA, then OpenCL), then ONNX Runtime; never the CPU simulator by surprise.
                o.UseIlgpu(EngineDevice.Cuda);
                o.UseIlgpu(EngineDevice.OpenCL);
                o.UseOnnxRuntime(OnnxExecutionProvider.Cuda);
                break;
            case "auto":
                o.UseIlgpu(Device);
                o.UseOnnxRuntime(ort);
                break;
            default:
                if (!Backend.Contains(':'))
                    throw new EastBakeException(ErrorCodes.BadArgument, $"unknown backend '{Backend}' (ilgpu, onnx, auto, or a provider name such as onnxruntime:cpu)");
                o.UseIlgpu();
                o.UseOnnxRuntime(OnnxExecutionProvider.Cuda);
                o.Backend = Backend;
                break;
        }
    }
}
