using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Plans;

/// <summary>Plans baked for Ilgpu;Onnx: twin segments in one group, deterministic bytes, coded refusals.</summary>
public sealed class IlgpuPlanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eb-ilgpu-plan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A few calibration images (INT8 bakes calibrate before lowering).</summary>
    private string Calibration() => EastBake.Tests.Calibration.CalibrationImages.Folder(Path.Combine(_dir, "calib"), 2, 1);

    private BakeResult Bake(string name, Precision precision = Precision.FP16, string shape = "min:1x64x64;opt:1x96x128;max:1x128x128") =>
        new Baker().Bake(new BakeOptions
        {
            ModelPath = SharedData.Repo("testassets/models/east_r50_w8.pb"), OutputPath = Path.Combine(_dir, name),
            Precision = precision, Profile = ProfileText.Parse(shape), Backends = ["Ilgpu", "Onnx"], Force = true,
        });

    [Fact]
    public void SameInputsGiveByteIdenticalPlans()
    {
        Bake("a.eastplan");
        Bake("b.eastplan");
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "a.eastplan")), File.ReadAllBytes(Path.Combine(_dir, "b.eastplan")));
    }

    [Fact]
    public void IlgpuSegmentAndOnnxTwinShareAGroup()
    {
        var plan = Bake("p.eastplan").Plan;
        Assert.Equal("ilgpu;onnx", plan.Target.Backend);
        var (ilgpu, onnx) = (plan.Segments.Single(s => s.Engine == EngineKinds.Ilgpu), plan.Segments.Single(s => s.Engine == EngineKinds.Onnx));
        Assert.Equal(ilgpu.Group, onnx.Group);
        Assert.Equal(ilgpu.Inputs, onnx.Inputs);
        Assert.Equal(ilgpu.Outputs, onnx.Outputs);
        Assert.Contains("engine.activation_bytes", ilgpu.Properties.Keys);
    }

    private sealed class WarningLog : IBakeLog
    {
        public List<string> Codes { get; } = [];
        public void Info(string message) { }
        public void Warning(string code, string message, string? file = null) => Codes.Add(code);
        public void Progress(string stage, double fraction) { }
    }

    [Fact]
    public void AnIlgpuSegmentThatCannotBeLoweredIsAWarningWhenOnnxCoversIt()
    {
        // Sizes in steps of 16: the stride-32 tensors are no fixed fraction of the input (EB2103), which ONNX does not mind.
        var log = new WarningLog();
        var plan = new Baker(log).Bake(new BakeOptions
        {
            ModelPath = SharedData.Repo("testassets/models/east_r50_w8.pb"), OutputPath = Path.Combine(_dir, "w.eastplan"),
            Precision = Precision.FP16, Profile = ShapeProfile.Sizes(64, 64, 96, 96, sizeMultiple: 16), Backends = ["Ilgpu", "Onnx"],
        }).Plan;
        Assert.Contains(ErrorCodes.LoweringShapeUnsupported, log.Codes);
        Assert.Equal([EngineKinds.Onnx], plan.Segments.Select(s => s.Engine));
    }

    [Fact]
    public void Int8ForIlgpuBakesQuantizedLayers()
    {
        var plan = new Baker().Bake(new BakeOptions
        {
            ModelPath = SharedData.Repo("testassets/models/east_r50_w8.pb"), OutputPath = Path.Combine(_dir, "i.eastplan"),
            Precision = Precision.INT8, CalibrationImages = Calibration(), Profile = ShapeProfile.Fixed(64, 64), Backends = ["Ilgpu"],
        }).Plan;
        var segment = plan.Segments.Single();
        Assert.Equal(EngineKinds.Ilgpu, segment.Engine);
        var program = EngineProgramSerializer.Read(segment.Payload);
        Assert.Contains(program.Layers, l => l is QuantizedConv2DLayer);
        Assert.StartsWith("INT8 convolutions: ", segment.Properties["engine.int8"]);
    }
}
