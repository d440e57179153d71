using EastBake.Diagnostics;
using EastBake.Runtime.Backends;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;

namespace EastBake.Runtime.Ilgpu;

/// <summary>
/// Runs a plan's ILGPU engine program on one kind of accelerator. It serves plans whose every
/// segment group has an ILGPU segment, as one program that reads the image and writes the score
/// and geometry maps (what the baker produces for EAST); otherwise it says why not.
/// </summary>
public sealed class IlgpuBackendProvider(EngineDevice device, IlgpuExecutorOptions? options = null) : IBackendProvider
{
    public EngineDevice Device { get; } = device;

    public string Name => "ilgpu:" + Device.ToString().ToLowerInvariant();

    /// <summary>CUDA 200; OpenCL, the CPU accelerator and Auto 100 (see <see cref="IBackendProvider.Priority"/>).</summary>
    public int Priority => Device == EngineDevice.Cuda ? 200 : 100;

    public IInferenceBackend? TryCreate(Plan plan, Action<string> log, out string reason)
    {
        if (ProgramOf(plan, out reason) is not { } program) return null;
        bool scoreFirst = program.Outputs[0].Name == plan.OutputNames[0];
        try
        {
            var executor = IlgpuExecutor.Create(program, Device, new IlgpuExecutorOptions
            {
                Log = line => { log(line); options?.Log?.Invoke(line); },
                Fp16Conversion = options?.Fp16Conversion ?? Fp16Conversion.Auto,
            });
            reason = "";
            return new IlgpuBackend(executor, scoreFirst);
        }
        catch (EastBakeException e)
        {
            reason = $"{e.Code}: {e.Message}";
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Kernel compilation or device setup failed (e.g. a device capability ILGPU needs is missing).
            reason = $"{Name} could not set up the engine: {e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    /// <summary>The one ILGPU program that computes the plan's outputs from its input, or null with the reason.</summary>
    public static EngineProgram? ProgramOf(Plan plan, out string reason)
    {
        var ilgpu = plan.Segments.Where(s => s.Engine == EngineKinds.Ilgpu).ToList();
        if (ilgpu.Count == 0)
        {
            reason = "the plan has no ILGPU segment (bake with Backends including Ilgpu)";
            return null;
        }
        var uncovered = plan.Segments.Select(s => s.Group).Distinct().Where(g => ilgpu.All(s => s.Group != g)).ToList();
        if (uncovered.Count > 0)
        {
            reason = $"segment group(s) {string.Join(", ", uncovered)} have no ILGPU segment (parts of the model run only on " +
                     string.Join("/", plan.Segments.Where(s => uncovered.Contains(s.Group)).Select(s => s.Engine).Distinct()) + ")";
            return null;
        }
        if (ilgpu.Count > 1)
        {
            reason = $"the plan has {ilgpu.Count} ILGPU segments; the ILGPU backend runs plans baked into one";
            return null;
        }
        var seg = ilgpu[0];
        if (seg.Inputs.Count != 1 || seg.Inputs[0] != plan.InputName || plan.OutputNames.Count != 2 || plan.OutputNames.Any(o => !seg.Outputs.Contains(o)))
        {
            reason = $"the ILGPU segment reads [{string.Join(", ", seg.Inputs)}] and writes [{string.Join(", ", seg.Outputs)}], " +
                     $"not the plan's {plan.InputName} → {string.Join(", ", plan.OutputNames)}";
            return null;
        }
        EngineProgram program;
        try
        {
            program = EngineProgramSerializer.Read(seg.Payload);
        }
        catch (EastBakeException e)
        {
            reason = $"the ILGPU segment's payload is unusable: {e.Code}: {e.Message}";
            return null;
        }
        var names = program.Outputs.Select(o => o.Name).ToList();
        if (names.Count != 2 || !plan.OutputNames.All(names.Contains) || program.InputChannels != 3)
        {
            reason = $"the engine program reads {program.InputChannels} channels and writes [{string.Join(", ", names)}], " +
                     $"not RGB → {string.Join(", ", plan.OutputNames)}";
            return null;
        }
        reason = "";
        return program;
    }
}
