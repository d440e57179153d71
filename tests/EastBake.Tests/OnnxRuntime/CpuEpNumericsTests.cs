using EastBake.Baking.Pipeline;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;
using EastBake.Runtime.Backends;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Runtime.Plans;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;

namespace EastBake.Tests.OnnxRuntime;

/// <summary>The ORT CPU EP backend on a baked plan against the float64 reference interpreter on the imported graph.</summary>
public sealed class CpuEpNumericsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eb-cpu-ep-").FullName;
    private static readonly string Model = SharedData.Repo("testassets/models/east_r50_w8.pb");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("64x96", 64, 96)]
    [InlineData("min:1x32x32;opt:1x64x64;max:1x128x128", 96, 64)]
    [InlineData("min:1x32x32;opt:1x64x64;max:1x128x128", 32, 128)]
    public void Cpu_ep_matches_the_reference_interpreter(string profile, int height, int width)
    {
        var planPath = Path.Combine(_dir, "w8.eastplan");
        var plan = new Baker().Bake(new BakeOptions
        {
            ModelPath = Model, OutputPath = planPath, Profile = ProfileText.Parse(profile), Backends = ["Onnx"],
        }).Plan;

        var rnd = new Random(height * 1000 + width);
        var input = new float[height * width * 3];
        for (var i = 0; i < input.Length; i++) input[i] = (float)(rnd.NextDouble() * 255);
        int h4 = height / 4, w4 = width / 4;
        var score = new float[h4 * w4];
        var geometry = new float[h4 * w4 * 5];
        Array.Fill(score, float.NaN);
        Array.Fill(geometry, float.NaN);

        using var backend = CreateCpu(PlanReader.Read(planPath));
        Assert.StartsWith("onnxruntime:cpu", backend.Description);
        backend.Run(input, 1, height, width, score, geometry);

        var graph = ModelLoader.Load(Model);
        var reference = ReferenceInterpreter.Run(graph, new Dictionary<string, Tensor>
        {
            [graph.Inputs[0].Name] = Tensor.FromFloats([1, height, width, 3], input),
        });
        var (scoreMax, scoreRel) = Errors(score, reference[plan.OutputNames[0]]);
        var (geoMax, geoRel) = Errors(geometry, reference[plan.OutputNames[1]]);
        output.WriteLine($"{profile} at {height}x{width}: score max abs {scoreMax:0.0e+0} rel L2 {scoreRel:0.0e+0}; geometry max abs {geoMax:0.0e+0} rel L2 {geoRel:0.0e+0}");
        Assert.True(scoreMax <= 1e-4, $"score max abs {scoreMax}");
        Assert.True(geoRel <= 1e-4, $"geometry rel L2 {geoRel}");
    }

    internal static IInferenceBackend CreateCpu(Plan plan)
    {
        var backend = new OnnxRuntimeProvider(OnnxExecutionProvider.Cpu, intraOpThreads: 2).TryCreate(plan, _ => { }, out var reason);
        Assert.True(backend is not null, reason);
        return backend;
    }

    private static (double MaxAbs, double RelL2) Errors(float[] actual, Tensor expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0, num = 0, den = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var d = actual[i] - expected.Get(i);
            if (double.IsNaN(d)) return (double.PositiveInfinity, double.PositiveInfinity);
            max = Math.Max(max, Math.Abs(d));
            num += d * d;
            den += expected.Get(i) * expected.Get(i);
        }
        return (max, Math.Sqrt(num / Math.Max(den, 1e-30)));
    }
}
