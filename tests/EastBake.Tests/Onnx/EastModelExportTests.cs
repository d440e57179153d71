using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Optimizer;
using EastBake.Compiler.Util;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;

namespace EastBake.Tests.Onnx;

/// <summary>Whole EAST models: import → optimize → export → ONNX Runtime.</summary>
public class EastModelExportTests(ITestOutputHelper output)
{
    private const string Score = "feature_fusion/Conv_7/Sigmoid";
    private const string Geometry = "feature_fusion/concat_3";

    [Fact]
    public void GeneratedModelOptimizedMatchesUnoptimized()
    {
        var path = SharedData.Repo("testassets/models/east_r50_w8.pb");
        var original = ModelLoader.Load(path);
        var optimized = ModelLoader.Load(path);
        var shape = new long[] { 1, 64, 96, 3 };
        var report = GraphOptimizer.Run(optimized, new OptimizerOptions { InputShapes = new Dictionary<string, long[]> { [optimized.Inputs[0].Name] = shape } });
        output.WriteLine(report.ToString());
        Assert.DoesNotContain(optimized.Nodes, n => Ops.IsFusedBatchNorm(n.Op) || n.Op is Ops.Identity or Ops.Pad or Ops.Shape or Ops.BiasAdd);
        Assert.Contains(optimized.Nodes, n => n.Op == Ops.Conv2D && n.Get<string?>(Attr.Activation, null) == Ops.Relu);

        var feeds = new Dictionary<string, Tensor> { [original.Inputs[0].Name] = TestGraphs.RandomTensor(shape, 42, 127f) };
        var a = OrtRunner.Run(OnnxExporter.Export(original), feeds);
        var b = OrtRunner.Run(OnnxExporter.Export(optimized), feeds);
        foreach (var name in new[] { Score, Geometry })
        {
            var rel = Compare.RelL2(b[name], a[name]);
            output.WriteLine($"{name}: optimized vs unoptimized rel L2 {rel:E2}, max abs {Compare.MaxAbs(b[name], a[name]):E2}");
            Assert.True(rel <= 1e-5, $"{name}: rel L2 {rel:E2}");
        }
    }

    [Fact]
    public void GeneratedModelOptimizedWithoutProfileStaysDynamic()
    {
        // No input profile: shapes stay symbolic, the unpool sizes are computed in the model, and
        // one exported model serves several input sizes.
        var path = SharedData.Repo("testassets/models/east_r50_w8.pb");
        var original = ModelLoader.Load(path);
        var optimized = ModelLoader.Load(path);
        GraphOptimizer.Run(optimized);
        Assert.Contains(optimized.Nodes, n => n.Op == Ops.Shape);
        var a = OnnxExporter.ExportBytes(original);
        var b = OnnxExporter.ExportBytes(optimized);
        var outputs = new[] { Score, Geometry };
        foreach (var shape in new[] { new long[] { 1, 32, 64, 3 }, [2, 96, 32, 3] })
        {
            var feeds = new Dictionary<string, Tensor> { [original.Inputs[0].Name] = TestGraphs.RandomTensor(shape, 7, 127f) };
            var ya = OrtRunner.Run(a, feeds, outputs);
            var yb = OrtRunner.Run(b, feeds, outputs);
            foreach (var name in outputs)
            {
                Assert.Equal(new[] { shape[0], shape[1] / 4, shape[2] / 4 }, yb[name].Shape.Take(3));
                Assert.True(Compare.RelL2(yb[name], ya[name]) <= 1e-5, $"{name} at [{string.Join(",", shape)}]");
            }
        }
    }

    [SharedFact("models/east_r50_ic15.pb", "models/east_r50_ic15_refs/img_901_input.npy")]
    public void TrainedModelMatchesReferenceOutputs()
    {
        var g = ModelLoader.Load(SharedData.Path_("models/east_r50_ic15.pb"));
        var nodesBefore = g.Nodes.Count;
        var input = Npy.Read(SharedData.Path_("models/east_r50_ic15_refs/img_901_input.npy"));
        var report = GraphOptimizer.Run(g, new OptimizerOptions { InputShapes = new Dictionary<string, long[]> { [g.Inputs[0].Name] = input.Shape } });
        output.WriteLine(report.ToString());
        var model = OnnxExporter.Export(g);
        output.WriteLine($"nodes {nodesBefore} -> {g.Nodes.Count}; ONNX nodes {model.Graph.Node.Count}, initializers {model.Graph.Initializer.Count}");
        Assert.Contains(model.MetadataProps, p => p.Key == MetadataKeys.InGraphMeanSubtraction && p.Value == "true");

        var feed = Tensor.FromFloats(input.Shape, Array.ConvertAll(input.ToDoubles(), d => (float)d));
        var y = OrtRunner.Run(model, new Dictionary<string, Tensor> { [g.Inputs[0].Name] = feed });
        var score = Npy.Read(SharedData.Path_("models/east_r50_ic15_refs/img_901_score.npy"));
        var geometry = Npy.Read(SharedData.Path_("models/east_r50_ic15_refs/img_901_geometry.npy"));
        var scoreMax = Compare.MaxAbs(y[Score], score);
        var geoRel = Compare.RelL2(y[Geometry], geometry);
        output.WriteLine($"img_901: score max abs {scoreMax:E2} (rel L2 {Compare.RelL2(y[Score], score):E2}), geometry rel L2 {geoRel:E2} (max abs {Compare.MaxAbs(y[Geometry], geometry):E2})");
        Assert.True(scoreMax <= 1e-4, $"score max abs {scoreMax:E2}");
        Assert.True(geoRel <= 1e-4, $"geometry rel L2 {geoRel:E2}");
    }
}
