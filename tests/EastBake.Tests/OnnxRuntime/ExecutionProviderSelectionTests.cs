using EastBake.Runtime.OnnxRuntime;
using EastBake.Runtime.OnnxRuntime.Native;
using EastBake.Runtime.Plans;

namespace EastBake.Tests.OnnxRuntime;

/// <summary>Which EP serves a plan, from the plan's engines and the machine's GPU, TensorRT and CUDA.</summary>
public class ExecutionProviderSelectionTests
{
    internal static readonly CudaDevice H200 = new("NVIDIA H200", 9, 0, 13000);

    internal static GpuEnvironment Machine(CudaDevice? device = null, string? trt = "10.9.0", bool cuda = true, bool tensorRt = true) => new(
        "/opt/ort", device ?? H200, trt,
        cuda ? EpAvailability.Yes : EpAvailability.Missing("libcudart.so.13", "on the loader path"),
        tensorRt ? EpAvailability.Yes : EpAvailability.Missing("libnvinfer.so.10", "on the loader path"));

    internal static PlanSegment Onnx(int id) => new()
    {
        Id = id, Group = 0, Engine = EngineKinds.Onnx, Inputs = ["input_images"], Outputs = ["score", "geometry"], Payload = [1],
    };

    internal static PlanSegment EngineSegment(int id, int twin, string arch = "sm_90", string trt = "10.9.0") => new()
    {
        Id = id, Group = 0, Engine = EngineKinds.TensorRtContext, Architecture = arch, Inputs = ["input_images"], Outputs = ["score", "geometry"],
        Properties = new Dictionary<string, string> { [TensorRtContextProperties.OnnxTwin] = twin.ToString(), [TensorRtContextProperties.TensorRtVersion] = trt, [TensorRtContextProperties.GpuName] = "NVIDIA A10" },
        Payload = [2],
    };

    internal static Plan PlanOf(params PlanSegment[] segments) => new()
    {
        EastBakeVersion = "0.1.0", ModelHash = "00", Precision = Precision.FP16, Profile = ShapeProfile.Fixed(64, 96),
        Target = new PlanTarget("onnx;trt-epcontext", "sm_90"), InputName = "input_images", OutputNames = ["score", "geometry"],
        Segments = segments,
    };

    [Fact]
    public void Matching_engine_runs_on_TensorRt_in_place_of_its_twin()
    {
        var plan = PlanOf(Onnx(0), EngineSegment(1, twin: 0));
        var c = ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.TensorRt, plan, Machine());
        Assert.True(c.Usable, c.Reason);
        Assert.Equal([1], c.Segments.Select(s => s.Id));
    }

    [Fact]
    public void Other_architecture_falls_back_to_CUDA_on_the_ONNX_twin()
    {
        var plan = PlanOf(Onnx(0), EngineSegment(1, twin: 0, arch: "sm_86"));
        var trt = ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.TensorRt, plan, Machine());
        Assert.False(trt.Usable);
        Assert.Contains("sm_86 (NVIDIA A10)", trt.Reason);
        Assert.Contains("sm_90 (NVIDIA H200)", trt.Reason);
        var cuda = ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.Cuda, plan, Machine());
        Assert.True(cuda.Usable, cuda.Reason);
        Assert.Equal([0], cuda.Segments.Select(s => s.Id));
    }

    [Fact]
    public void Other_TensorRt_version_is_refused_with_both_versions()
    {
        var trt = ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.TensorRt, PlanOf(Onnx(0), EngineSegment(1, 0, trt: "10.8.0")), Machine(trt: "10.9.0"));
        Assert.False(trt.Usable);
        Assert.Contains("TensorRT 10.8.0", trt.Reason);
        Assert.Contains("TensorRT 10.9.0", trt.Reason);
    }

    [Fact]
    public void Missing_TensorRt_or_CUDA_names_the_library()
    {
        var plan = PlanOf(Onnx(0), EngineSegment(1, 0));
        var trt = ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.TensorRt, plan, Machine(tensorRt: false));
        Assert.Contains("libnvinfer.so.10", trt.Reason);
        var cuda = ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.Cuda, plan, Machine(cuda: false));
        Assert.Contains("libcudart.so.13", cuda.Reason);
        Assert.True(ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.Cpu, plan, Machine(cuda: false, tensorRt: false)).Usable);
    }

    [Fact]
    public void Plans_without_engines_or_twins_say_so()
    {
        Assert.Contains("no TensorRT engine", ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.TensorRt, PlanOf(Onnx(0)), Machine()).Reason);
        // Two ONNX segments, an engine for only one: TensorRT cannot serve the whole plan.
        var partial = ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.TensorRt, PlanOf(Onnx(0), Onnx(1), EngineSegment(2, twin: 1)), Machine());
        Assert.Contains("ONNX segment 0 has no TensorRT engine", partial.Reason);
        var ilgpuOnly = PlanOf(new PlanSegment { Id = 0, Group = 0, Engine = EngineKinds.Ilgpu, Inputs = ["x"], Outputs = ["y"], Payload = [] });
        Assert.Contains("no ONNX segment", ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.Cpu, ilgpuOnly, Machine()).Reason);
        Assert.Contains("no ONNX segment", ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.Cuda, ilgpuOnly, Machine()).Reason);
    }

    [Fact]
    public void Engines_run_in_the_order_of_their_twins()
    {
        var plan = PlanOf(Onnx(0), Onnx(1), EngineSegment(2, twin: 1), EngineSegment(3, twin: 0));
        Assert.Equal([3, 2], ExecutionProviderSelection.Evaluate(OnnxExecutionProvider.TensorRt, plan, Machine()).Segments.Select(s => s.Id));
    }
}
