using EastBake.ModelGenerator;
using EastBake.ModelGenerator.Graph;
using Xunit.Abstractions;

namespace EastBake.Tests.Generator;

/// <summary>A random image through the generated network neither explodes nor vanishes.</summary>
public class ActivationScaleTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData(8, 64, 96)]
    [InlineData(1, 32, 32)]
    public void RandomInputGivesWellScaledOutputs(int divisor, int h, int w)
    {
        var graph = EastModelGenerator.BuildGraphDef(new() { WidthDivisor = divisor, Seed = 1 });
        var rng = new SplitMix64(42);
        var input = new ReferenceInterpreter.Nd([1, h, w, 3], Enumerable.Range(0, h * w * 3).Select(_ => (float)rng.Uniform(0, 255)).ToArray());
        var v = new ReferenceInterpreter(graph).Run(input);

        // Intermediate activations stay O(1) (RMS within [0.1, 20]) through all 16 bottlenecks and the merge branch.
        var rmsAll = new List<double>();
        foreach (var name in v.Keys.Where(k => k.EndsWith("/Relu", StringComparison.Ordinal)))
        {
            var rms = Math.Sqrt(v[name].Data.Average(x => (double)x * x));
            rmsAll.Add(rms);
            Assert.True(rms is > 0.1 and < 20, $"{name}: RMS {rms:G3}");
        }

        var score = v[EastGraphBuilder.ScoreOutput];
        var geo = v[EastGraphBuilder.GeometryOutput];
        Assert.Equal([1, h / 4, w / 4, 1], score.Shape);
        Assert.Equal([1, h / 4, w / 4, 5], geo.Shape);
        Assert.All(score.Data, s => Assert.InRange(s, 0f, 1f));
        var mean = score.Data.Average();
        var std = Math.Sqrt(score.Data.Average(s => (s - mean) * (s - mean)));
        log.WriteLine($"w/{divisor}: {rmsAll.Count} Relu RMS in [{rmsAll.Min():G3}, {rmsAll.Max():G3}]; score mean {mean:G3} std {std:G3} min {score.Data.Min():G3} max {score.Data.Max():G3}");
        Assert.True(mean is > 0.02f and < 0.98f && std > 0.005, $"score mean {mean:G3} std {std:G3} (saturated)");
        for (var i = 0; i < geo.Data.Length; i++)
        {
            if (i % 5 < 4) Assert.InRange(geo.Data[i], 0f, 512f);
            else Assert.InRange(geo.Data[i], -MathF.PI / 4 - 1e-6f, MathF.PI / 4 + 1e-6f);
        }
    }
}
