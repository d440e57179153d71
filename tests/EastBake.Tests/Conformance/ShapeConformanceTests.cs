using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;
using EastBake.Compiler.Shapes;
using EastBake.Compiler.Util;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;

namespace EastBake.Tests.Conformance;

/// <summary>
/// Shape inference on real TF graphs: every inferred shape must equal the shape of the tensor the
/// reference interpreter computes, and TF's own output shape; EAST's shapes stay symbolic.
/// </summary>
public class ShapeConformanceTests(ITestOutputHelper output)
{
    [SharedFact("tf/opencv")]
    public void InferredShapesMatchComputedTensors()
    {
        var dir = SharedData.Path_("tf/opencv");
        var checkedGraphs = 0;
        foreach (var model in Directory.GetFiles(dir, "*_net.pb").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(model)[..^"_net.pb".Length];
            var inPath = Path.Combine(dir, name + "_in.npy");
            if (!File.Exists(inPath)) continue;
            Graph g;
            try { g = ModelLoader.Load(model); } catch (EastBake.Diagnostics.EastBakeException) { continue; }
            if (g.Inputs.Count != 1 || g.Nodes.Any(n => n.Op != Ops.Placeholder && !ReferenceInterpreter.Supports(n.Op))) continue;

            var input = Layout.NchwToNhwc(Npy.Read(inPath));
            ShapeInference.Run(g); // symbolic first: must not throw
            ShapeInference.Run(g, new Dictionary<string, long[]> { [g.Inputs[0].Name] = input.Shape });
            var values = ReferenceInterpreter.Run(g, new Dictionary<string, Tensor> { [g.Inputs[0].Name] = input }, keepAll: true);
            foreach (var n in g.Nodes)
                foreach (var v in n.Outputs.Where(v => values.ContainsKey(v.Name)))
                {
                    Assert.True(Shape.Of(values[v.Name].Shape).Equals(v.Shape),
                        $"{name}: {v.Name} ({n.Op}) inferred {v.Shape}, computed [{string.Join(",", values[v.Name].Shape)}]");
                    Assert.Equal(values[v.Name].Type, v.Type);
                }
            var tfOut = Npy.Read(Path.Combine(dir, name + "_out.npy"));
            Assert.Equal(tfOut.Length, g.Outputs[0].Shape.ElementCount());
            checkedGraphs++;
        }
        output.WriteLine($"{checkedGraphs} graphs: every inferred shape and type equals the computed tensor's");
        Assert.True(checkedGraphs >= 30);
    }

    /// <summary>migraphx's single-op graphs (newer op versions, no reference outputs): shapes agree with computed tensors.</summary>
    [SharedFact("tf/migraphx")]
    public void MigraphxGraphsInferAndRun()
    {
        var ran = new List<string>();
        foreach (var model in Directory.GetFiles(SharedData.Path_("tf/migraphx"), "*.pb").Order(StringComparer.Ordinal))
        {
            Graph g;
            try { g = ModelLoader.Load(model); } catch (EastBake.Diagnostics.EastBakeException) { continue; }
            if (g.Nodes.Any(n => n.Op != Ops.Placeholder && !ReferenceInterpreter.Supports(n.Op)) ||
                g.Inputs.Any(i => !i.Shape.IsFullyKnown)) continue;
            ShapeInference.Run(g);
            var feeds = g.Inputs.ToDictionary(i => i.Name, i => i.Type.IsFloat()
                ? Tensor.FromFloats(i.Shape.ToArray(), Enumerable.Range(0, (int)i.Shape.ElementCount()).Select(k => (float)Math.Sin(k)).ToArray(), i.Type)
                : Tensor.FromInts(i.Shape.ToArray(), new long[i.Shape.ElementCount()], i.Type));
            var values = ReferenceInterpreter.Run(g, feeds, keepAll: true);
            foreach (var v in g.Nodes.SelectMany(n => n.Outputs).Where(v => values.ContainsKey(v.Name)))
                Assert.True(Shape.Of(values[v.Name].Shape).Equals(v.Shape),
                    $"{Path.GetFileName(model)}: {v.Name} inferred {v.Shape}, computed [{string.Join(",", values[v.Name].Shape)}]");
            ran.Add(Path.GetFileNameWithoutExtension(model));
        }
        output.WriteLine($"{ran.Count} migraphx graphs: {string.Join(", ", ran)}");
        Assert.Contains("batchnormv3_test", ran);
        Assert.Contains("stridedslice_test", ran);
    }

    [SharedFact("models/east_r50_ic15.pb")]
    public void EastShapesAreSymbolicThenConcrete()
    {
        var g = ModelLoader.Load(SharedData.Path_("models/east_r50_ic15.pb"));
        ShapeInference.Run(g);
        var score = g.FindValue("feature_fusion/Conv_7/Sigmoid")!;
        var geometry = g.FindValue("feature_fusion/concat_3")!;
        output.WriteLine($"symbolic: score {score.Shape}, geometry {geometry.Shape}");
        foreach (var n in g.Nodes.Where(n => n.Op == Ops.ResizeBilinear))
            output.WriteLine($"  {n.Name}: size {string.Join(",", n.Inputs[1].SymbolicValue ?? [])} → {n.Output.Shape}");
        Assert.Equal("N", score.Shape[0].ToString());
        Assert.False(score.Shape[1].IsKnown);
        Assert.Equal(Dim.Known(1), score.Shape[3]);
        Assert.Equal(Dim.Known(5), geometry.Shape[3]);
        Assert.All(g.Nodes.Where(n => n.Op == Ops.ResizeBilinear), n => Assert.NotNull(n.Inputs[1].SymbolicValue));

        ShapeInference.Run(g, new Dictionary<string, long[]> { ["input_images"] = [1, 704, 1280, 3] });
        Assert.Equal(Shape.Of(1, 176, 320, 1), score.Shape);
        Assert.Equal(Shape.Of(1, 176, 320, 5), geometry.Shape);
        Assert.All(g.Nodes.SelectMany(n => n.Outputs), v => Assert.True(v.Shape.IsFullyKnown, $"{v.Name} is {v.Shape}"));
    }
}
