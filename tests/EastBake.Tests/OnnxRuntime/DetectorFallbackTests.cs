using EastBake.Baking.Pipeline;
using EastBake.Runtime;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Runtime.OnnxRuntime.Native;
using EastBake.Runtime.Plans;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;
using static EastBake.Tests.OnnxRuntime.ExecutionProviderSelectionTests;

namespace EastBake.Tests.OnnxRuntime;

/// <summary>The detector's walk TensorRT → CUDA → CPU, with the reason each step was skipped in the log.</summary>
public sealed class DetectorFallbackTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eb-fallback-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A real CPU-baked plan plus an engine segment "built" for <paramref name="arch"/> (its payload is no engine).</summary>
    private Plan PlanWithEngine(string arch, string trt)
    {
        var baked = new Baker().Bake(new BakeOptions
        {
            ModelPath = SharedData.Repo("testassets/models/east_r50_w8.pb"), OutputPath = Path.Combine(_dir, "w8.eastplan"),
            Profile = ShapeProfile.Fixed(64, 96), Backends = ["Onnx"],
        }).Plan;
        var twin = baked.Segments.Single(s => s.Engine == EngineKinds.Onnx);
        var fake = EngineSegment(baked.Segments.Count, twin.Id, arch, trt);
        return new Plan
        {
            EastBakeVersion = baked.EastBakeVersion, ModelHash = baked.ModelHash, Precision = baked.Precision, Profile = baked.Profile,
            Target = baked.Target, InputName = baked.InputName, OutputNames = baked.OutputNames, Metadata = baked.Metadata,
            Segments = [.. baked.Segments, new PlanSegment
            {
                Id = fake.Id, Group = twin.Group, Engine = fake.Engine, Architecture = fake.Architecture,
                Inputs = twin.Inputs, Outputs = twin.Outputs, Properties = fake.Properties, Payload = [0x08, 0x01],
            }],
        };
    }

    private (EastDetector Detector, List<string> Log) Open(Plan plan, GpuEnvironment env)
    {
        var log = new List<string>();
        var d = EastDetector.Create(plan, o =>
        {
            o.UseOnnxRuntime(OnnxExecutionProvider.TensorRt, 2, () => env);
            o.Log = log.Add;
        });
        foreach (var line in log) output.WriteLine(line);
        return (d, log);
    }

    [Fact]
    public void Engine_for_another_GPU_falls_to_CUDA_then_CPU_and_logs_why()
    {
        var (detector, log) = Open(PlanWithEngine("sm_86", "10.9.0"), Machine(cuda: false));
        using (detector)
        {
            Assert.StartsWith("onnxruntime:cpu", detector.BackendDescription);
            Assert.Contains(log, l => l.Contains("onnxruntime:tensorrt not used") && l.Contains("sm_86") && l.Contains("sm_90"));
            Assert.Contains(log, l => l.Contains("onnxruntime:cuda not used") && l.Contains("libcudart.so.13"));
            Assert.Contains(log, l => l.Contains("using backend onnxruntime:cpu"));
        }
    }

    [Fact]
    public void Engine_for_another_TensorRt_logs_both_versions()
    {
        var (detector, log) = Open(PlanWithEngine("sm_90", "10.8.0"), Machine(cuda: false));
        using (detector)
            Assert.Contains(log, l => l.Contains("onnxruntime:tensorrt not used") && l.Contains("10.8.0") && l.Contains("10.9.0"));
    }

    /// <summary>
    /// The plan's engine matches the (claimed) machine, but ONNX Runtime cannot load the TensorRT
    /// EP here: its failure becomes the logged reason and the detector still ends on the CPU EP.
    /// </summary>
    [Fact]
    public void A_TensorRt_session_that_fails_to_load_is_a_reason_not_a_crash()
    {
        var (detector, log) = Open(PlanWithEngine("sm_90", "10.9.0"), Machine(cuda: false));
        using (detector)
        {
            Assert.StartsWith("onnxruntime:cpu", detector.BackendDescription);
            Assert.Contains(log, l => l.Contains("onnxruntime:tensorrt not used") && l.Contains("could not load"));
        }
    }
}
