using System.Diagnostics;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;
using EastBake.Compiler.Util;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;

namespace EastBake.Tests.Conformance;

/// <summary>
/// The trained EAST ResNet-50 (../shared/models/east_r50_ic15.pb) run by the reference
/// interpreter at 704×1280 (132 GFLOP) against the saved reference score and geometry maps.
/// </summary>
public class EastModelConformanceTests(ITestOutputHelper output)
{
    private const string Model = "models/east_r50_ic15.pb";
    private const string Refs = "models/east_r50_ic15_refs";

    // About 45 s on 2 cores: one image runs in the default suite, the other two are Slow.
    [SharedFact(Model, Refs + "/img_901_input.npy")]
    public void ReferenceInterpreterMatchesSavedOutputs() => CheckImage("img_901");

    [SharedTheory(Model, Refs)]
    [Trait("Category", "Slow")]
    [InlineData("img_950")]
    [InlineData("img_1000")]
    public void ReferenceInterpreterMatchesSavedOutputsOnMoreImages(string image) => CheckImage(image);

    private void CheckImage(string image)
    {
        var g = ModelLoader.Load(SharedData.Path_(Model));
        var input = Npy.Read(SharedData.Path_($"{Refs}/{image}_input.npy")); // uint8 NHWC, fed as float
        var expectedScore = Npy.Read(SharedData.Path_($"{Refs}/{image}_score.npy"));
        var expectedGeometry = Npy.Read(SharedData.Path_($"{Refs}/{image}_geometry.npy"));

        var clock = Stopwatch.StartNew();
        var result = ReferenceInterpreter.Run(g, new Dictionary<string, Tensor> { [g.Inputs[0].Name] = input });
        clock.Stop();

        var score = result["feature_fusion/Conv_7/Sigmoid"];
        var geometry = result["feature_fusion/concat_3"];
        Assert.Equal(expectedScore.Shape, score.Shape);
        Assert.Equal(expectedGeometry.Shape, geometry.Shape);
        var (scoreRel, scoreMax) = Layout.Compare(score, expectedScore);
        var (geoRel, geoMax) = Layout.Compare(geometry, expectedGeometry);
        output.WriteLine($"{image}: {clock.Elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} cores; " +
                         $"score max abs {scoreMax:0.0e+0} (rel L2 {scoreRel:0.0e+0}); geometry rel L2 {geoRel:0.0e+0} (max abs {geoMax:0.0e+0})");
        Assert.True(scoreMax <= 1e-4, $"score max abs diff {scoreMax}");
        Assert.True(geoRel <= 1e-4, $"geometry rel L2 {geoRel}");
    }
}
