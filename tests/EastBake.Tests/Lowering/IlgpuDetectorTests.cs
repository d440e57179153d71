using EastBake.Baking.Pipeline;
using EastBake.Runtime;
using EastBake.Runtime.Detection;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Runtime.Plans;
using EastBake.Tests.Engine;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;

namespace EastBake.Tests.Lowering;

/// <summary>The detector on the ILGPU backend (CPU accelerator) against the ONNX Runtime backend, same plan, same images.</summary>
[Collection(EngineCollection.Name)]
public sealed class IlgpuDetectorTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eb-ilgpu-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Plan BakeW8(ShapeProfile profile, Precision precision = Precision.FP32)
    {
        var path = Path.Combine(_dir, $"w8-{precision}.eastplan");
        return new Baker().Bake(new BakeOptions
        {
            ModelPath = EngineVsOrt.W8, OutputPath = path, Profile = profile, Precision = precision, Backends = ["Ilgpu", "Onnx"],
        }).Plan;
    }

    [Fact]
    public void PlanHoldsTwinSegmentsAndTheDetectorPicksIlgpu()
    {
        var plan = BakeW8(ShapeProfile.Fixed(64, 96));
        Assert.Equal([EngineKinds.Ilgpu, EngineKinds.Onnx], plan.Segments.Select(s => s.Engine));
        Assert.Equal(plan.Segments[0].Group, plan.Segments[1].Group);
        var log = new List<string>();
        using var detector = EastDetector.Create(plan, o =>
        {
            o.UseOnnxRuntime();
            o.UseIlgpu(EngineDevice.Cpu);
            o.Log = log.Add;
        });
        Assert.StartsWith("ilgpu:CPU", detector.BackendDescription);
        Assert.Contains(log, l => l.Contains("using backend ilgpu:CPU"));
        Assert.Contains(log, l => l.Contains("activations") && l.Contains("bytes"));
    }

    [Fact]
    public void IlgpuProviderExplainsAnOnnxOnlyPlan()
    {
        var plan = new Baker().Bake(new BakeOptions
        {
            ModelPath = EngineVsOrt.W8, OutputPath = Path.Combine(_dir, "onnx.eastplan"), Profile = ShapeProfile.Fixed(64, 96), Backends = ["Onnx"],
        }).Plan;
        Assert.Null(new IlgpuBackendProvider(EngineDevice.Cpu).TryCreate(plan, _ => { }, out var reason));
        Assert.Contains("no ILGPU segment", reason);
    }

    [SharedFact("icdar2015/dev/images/img_901.jpg")]
    public void IlgpuAndOnnxRuntimeBackendsGiveTheSameBoxes()
    {
        // Random weights score a little above 0.5 everywhere: a threshold inside that range makes boxes appear to
        // compare (two per image on these; the random distances make them large).
        var plan = BakeW8(ShapeProfile.Fixed(256, 448));
        var detection = DetectionOptions.Default with { ScoreThreshold = 0.6f };
        using var ilgpu = EastDetector.Create(plan, o => { o.UseIlgpu(EngineDevice.Cpu); o.Detection = detection; });
        using var ort = EastDetector.Create(plan, o => { o.UseOnnxRuntime(); o.Detection = detection; });
        int total = 0;
        foreach (var name in new[] { "img_901.jpg", "img_905.jpg", "img_907.jpg" })
        {
            var path = SharedData.Path_("icdar2015/dev/images/" + name);
            var expected = ort.Detect(path);
            var actual = ilgpu.Detect(path);
            output.WriteLine($"{name}: ONNX Runtime {expected.Count} boxes, ILGPU {actual.Count}");
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.True(Math.Abs(expected[i].Score - actual[i].Score) <= 1e-3, $"{name} box {i}: score {actual[i].Score} vs {expected[i].Score}");
                for (int k = 0; k < 4; k++)
                {
                    var (e, a) = (expected[i].Quad[k], actual[i].Quad[k]);
                    Assert.True(Math.Abs(e.X - a.X) <= 0.5 && Math.Abs(e.Y - a.Y) <= 0.5, $"{name} box {i} corner {k}: {a} vs {e}");
                }
            }
            total += expected.Count;
        }
        Assert.True(total >= 3, $"only {total} boxes: the comparison would be nearly vacuous");
    }
}
