using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Optimizer;
using EastBake.Compiler.Optimizer.Passes;
using EastBake.Compiler.Reference;
using EastBake.Tests.Onnx;

namespace EastBake.Tests.Optimizer;

/// <summary>
/// Each pass: the graph's structure after it, and its numerics: the graph before and after, both
/// exported and run by ONNX Runtime (and the reference interpreter on the original), agree.
/// </summary>
public class OptimizerPassTests
{
    private static Dictionary<string, Tensor> Feed(long[] shape, int seed = 3, float scale = 1f) =>
        new() { ["x"] = TestGraphs.RandomTensor(shape, seed, scale) };

    /// <summary>Runs the pass on a copy and checks ORT(before) ≈ ORT(after) ≈ reference(before).</summary>
    private static (Graph After, IReadOnlyList<string> Changes) RunAndCompare(Graph before, IGraphPass pass,
        Dictionary<string, Tensor> feeds, double tol = 1e-5)
    {
        before.TopologicalSort();
        var after = before.Clone();
        var changes = pass.Run(after, new OptimizerOptions());
        after.TopologicalSort();
        var reference = ReferenceInterpreter.Run(before, feeds);
        var ortBefore = OrtRunner.Run(OnnxExporter.Export(before), feeds);
        var ortAfter = OrtRunner.Run(OnnxExporter.Export(after), feeds);
        foreach (var (name, r) in reference)
        {
            Assert.True(Compare.RelL2(ortAfter[name], ortBefore[name]) <= tol, $"{pass.Name}: {name} before/after differ");
            Assert.True(Compare.RelL2(ortAfter[name], r) <= tol, $"{pass.Name}: {name} differs from the reference");
        }
        return (after, changes);
    }

    private static Graph ConvBnRelu(string bnOp = Ops.FusedBatchNorm, bool withBiasAdd = false)
    {
        var g = new Graph("t.pb");
        var x = g.Input("x", 1, 6, 5, 3);
        var w = g.Random("w", [3, 3, 3, 8], 1);
        var wRead = g.Op("w/read", Ops.Identity, w);
        Value y = g.Conv("conv", x.Output, wRead.Output).Output;
        if (withBiasAdd) y = g.Op("bias", Ops.BiasAdd, y, g.Random("b", [8], 2)).Output;
        var bn = g.BatchNorm("bn", y, 8, 3, bnOp);
        g.Outputs.Add(g.Op("relu", Ops.Relu, bn.Output).Output);
        return g;
    }

    [Fact]
    public void IdentityRemovalKeepsOutputIdentities()
    {
        var g = ConvBnRelu();
        var outId = g.Op("out", Ops.Identity, g.Outputs[0]);
        g.Outputs[0] = outId.Output;
        var (after, changes) = RunAndCompare(g, new IdentityRemoval(), Feed([1, 6, 5, 3]));
        Assert.Single(changes);
        Assert.Null(after.Find("w/read"));
        Assert.NotNull(after.Find("out"));
        Assert.Same(after["w"].Output, after["conv"].Inputs[1]);
    }

    [Theory]
    [InlineData(Ops.FusedBatchNorm, false)]
    [InlineData(Ops.FusedBatchNormV3, true)]
    public void BatchNormFoldsIntoConv(string bnOp, bool withBiasAdd)
    {
        var g = ConvBnRelu(bnOp, withBiasAdd);
        new IdentityRemoval().Run(g, new OptimizerOptions());
        if (withBiasAdd) new BiasAddIntoConv().Run(g, new OptimizerOptions());
        var (after, changes) = RunAndCompare(g, new BatchNormIntoConv(), Feed([1, 6, 5, 3]));
        Assert.Single(changes);
        Assert.DoesNotContain(after.Nodes, n => Ops.IsFusedBatchNorm(n.Op));
        var conv = after["conv"];
        Assert.Equal(3, conv.Inputs.Count);
        Assert.Contains("bn", conv.Origins);
        Assert.Same(conv.Output, after["relu"].Inputs[0]);
    }

    [Fact]
    public void BatchNormFoldingIsExactInDouble()
    {
        // 1×1 conv, one channel: w' = w·γ/√(var+ε), b' = (0 − mean)·γ/√(var+ε) + β, hand-computed.
        var g = new Graph();
        var x = g.Input("x", 1, 1, 1, 1);
        var conv = g.Conv("conv", x.Output, g.C("w", [1, 1, 1, 1], [2f]));
        var bn = g.AddNode("bn", Ops.FusedBatchNorm, [conv.Output, g.C("g", [1], [3f]), g.C("b", [1], [0.5f]), g.C("m", [1], [1f]), g.C("v", [1], [4f])], outputs: 5);
        bn.Attrs[Attr.Epsilon] = 0f;
        g.Outputs.Add(bn.Output);
        new BatchNormIntoConv().Run(g, new OptimizerOptions());
        var fused = g.Outputs[0].Producer; // takes the BN's name: it was the graph output
        Assert.Equal(("bn", Ops.Conv2D), (fused.Name, fused.Op));
        Assert.Equal(3f, ExportContext.ConstOf(fused.Inputs[1])!.Floats![0]);   // 2·3/2
        Assert.Equal(-1f, ExportContext.ConstOf(fused.Inputs[2])!.Floats![0]);  // −1·1.5 + 0.5
    }

    [Fact]
    public void BiasAddFoldsIntoConvAndKeepsOutputName()
    {
        var g = new Graph();
        var x = g.Input("x", 1, 5, 5, 2);
        var conv = g.Conv("conv", x.Output, g.Random("w", [3, 3, 2, 4], 4), "VALID");
        g.Outputs.Add(g.Op("bias", Ops.BiasAdd, conv.Output, g.Random("b", [4], 5)).Output);
        var (after, changes) = RunAndCompare(g, new BiasAddIntoConv(), Feed([1, 5, 5, 2]));
        Assert.Single(changes);
        // The fused conv takes the BiasAdd's name: the graph output keeps its tensor name.
        Assert.Equal("bias", after.Outputs[0].Name);
        Assert.Equal(Ops.Conv2D, after.Outputs[0].Producer.Op);
        Assert.Equal(3, after.Outputs[0].Producer.Inputs.Count);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1, 3)]
    public void PadFoldsIntoValidConv(long stride, long k)
    {
        // TF-slim conv2d_same: Pad((k−1)/2 each side… here asymmetric) → VALID conv.
        var g = new Graph();
        var x = g.Input("x", 1, 9, 8, 3);
        var pad = g.Op("pad", Ops.Pad, x.Output, g.Ci("paddings", [4, 2], [0, 0, 3, 2, 1, 3, 0, 0]));
        var conv = g.Conv("conv", pad.Output, g.Random("w", [k, k, 3, 4], 6), "VALID", stride);
        g.Outputs.Add(conv.Output);
        var (after, changes) = RunAndCompare(g, new PadIntoConv(), Feed([1, 9, 8, 3]));
        Assert.Single(changes);
        Assert.Null(after.Find("pad"));
        Assert.Equal("EXPLICIT", after["conv"].Attrs[Attr.Padding]);
        Assert.Equal(new long[] { 0, 0, 3, 2, 1, 3, 0, 0 }, after["conv"].Attrs[Attr.ExplicitPaddings]);
    }

    [Fact]
    public void PadWithChannelPaddingOrSharedReaderStays()
    {
        var g = new Graph();
        var x = g.Input("x", 1, 4, 4, 2);
        var pad = g.Op("pad", Ops.Pad, x.Output, g.Ci("paddings", [4, 2], [0, 0, 1, 1, 1, 1, 0, 1]));
        g.Outputs.Add(g.Conv("conv", pad.Output, g.Random("w", [3, 3, 3, 2], 7), "VALID").Output);
        Assert.Empty(new PadIntoConv().Run(g, new OptimizerOptions()));
    }

    [Fact]
    public void ReluFusesIntoConvAndAddButNotIntoSharedProducers()
    {
        var g = new Graph();
        var x = g.Input("x", 1, 4, 4, 3);
        var conv = g.Conv("conv", x.Output, g.Random("w", [3, 3, 3, 3], 8));
        var relu = g.Op("relu", Ops.Relu, conv.Output);
        var add = g.Op("add", Ops.Add, relu.Output, x.Output);
        var relu6 = g.Op("relu6", Ops.Relu6, add.Output);
        var conv2 = g.Conv("conv2", relu6.Output, g.Random("w2", [1, 1, 3, 3], 9));
        var shared = g.Op("relu_shared", Ops.Relu, conv2.Output);
        g.Outputs.Add(shared.Output);
        g.Outputs.Add(conv2.Output); // conv2's output has another reader: no fusion
        var (after, changes) = RunAndCompare(g, new ActivationFusion(), Feed([1, 4, 4, 3], scale: 4f));
        Assert.Equal(2, changes.Count);
        Assert.Equal(Ops.Relu, after["conv"].Attrs[Attr.Activation]);
        Assert.Equal(Ops.Relu6, after["add"].Attrs[Attr.Activation]);
        Assert.False(after["conv2"].Has(Attr.Activation));
        Assert.NotNull(after.Find("relu_shared"));
    }

    [Fact]
    public void ConstantFoldingEvaluatesConstSubgraphs()
    {
        var g = new Graph();
        var x = g.Input("x", 1, 2, 2, 2);
        var scale = g.Op("scale", Ops.Mul, g.C("a", [2], [2f, 3f]), g.C("b", [2], [0.5f, 4f]));
        var shift = g.Op("shift", Ops.AddV2, scale.Output, g.AddConst("one", Tensor.Scalar(1f)).Output);
        g.Outputs.Add(g.Op("y", Ops.Mul, x.Output, shift.Output).Output);
        var (after, changes) = RunAndCompare(g, new ConstantFolding(), Feed([1, 2, 2, 2]));
        Assert.Equal(2, changes.Count);
        Assert.True(after["shift"].IsConst);
        Assert.Equal(new float[] { 2f, 13f }, after["shift"].ConstValue.Floats);
    }

    [Fact]
    public void ConstantFoldingUsesKnownSymbolicValues()
    {
        // EAST's unpool size chain, with the symbolic values shape inference sets for a fixed input profile.
        var g = new Graph();
        var x = g.Input("x", 1, 5, 7, 3);
        var conv = g.Conv("conv", x.Output, g.Random("w", [1, 1, 3, 3], 10));
        var shape = g.Op("shape", Ops.Shape, conv.Output);
        shape.Output.Type = ElementType.Int32;
        shape.Output.SymbolicValue = [1, 5, 7, 3];
        var h = g.Op("h", Ops.StridedSlice, shape.Output, g.Ci("b", [1], [1]), g.Ci("e", [1], [2]), g.Ci("s", [1], [1]));
        h.Attrs[Attr.ShrinkAxisMask] = 1L;
        h.Output.Type = ElementType.Int32;
        h.Output.Shape = Shape.Scalar;
        h.Output.SymbolicValue = [5];
        var mul = g.Op("mul", Ops.Mul, h.Output, g.Ci("two", [], [2]));
        mul.Output.Type = ElementType.Int32;
        mul.Output.Shape = Shape.Scalar;
        mul.Output.SymbolicValue = [10];
        var pack = g.Op("pack", Ops.Pack, mul.Output, g.Ci("w2", [], [14]));
        pack.Output.Type = ElementType.Int32;
        pack.Output.SymbolicValue = [10, 14];
        g.Outputs.Add(g.Op("resize", Ops.ResizeBilinear, conv.Output, pack.Output).Output);

        var optimized = g.Clone();
        foreach (var (o, c) in g.Nodes.SelectMany(n => n.Outputs).Zip(optimized.Nodes.SelectMany(n => n.Outputs)))
            c.SymbolicValue = o.SymbolicValue; // Clone copies shapes, not symbolic values
        var report = GraphOptimizer.Run(optimized);
        Assert.True(report.ChangesOf("ConstantFolding") >= 1);
        Assert.True(optimized["pack"].IsConst);
        Assert.Equal(new long[] { 10, 14 }, optimized["pack"].ConstValue.Ints);
        Assert.Null(optimized.Find("shape"));
        var feeds = Feed([1, 5, 7, 3]);
        var expected = ReferenceInterpreter.Run(g, feeds)["resize"];
        Assert.True(Compare.RelL2(OrtRunner.Run(OnnxExporter.Export(optimized), feeds)["resize"], expected) <= 1e-6);
    }

    [Fact]
    public void DeadNodesGoAndReportCountsEveryPass()
    {
        var g = ConvBnRelu();
        g.Op("unused", Ops.Sigmoid, g["conv"].Output);
        var report = GraphOptimizer.Run(g);
        Assert.Equal(["DeadNodeRemoval", "IdentityRemoval", "ConstantFolding", "PadIntoConv", "BiasAddIntoConv", "BatchNormIntoConv",
            "BiasAddIntoConv", "ActivationFusion", "DeadNodeRemoval"], report.Passes.Select(p => p.Pass));
        Assert.Equal(1, report.ChangesOf("BatchNormIntoConv"));
        Assert.Equal(1, report.ChangesOf("ActivationFusion"));
        Assert.Null(g.Find("unused"));
        // Placeholder, folded filter, folded bias, the fused conv (the old constants are dead).
        Assert.Equal([Ops.Const, Ops.Const, Ops.Conv2D, Ops.Placeholder], g.Nodes.Select(n => n.Op).Order(StringComparer.Ordinal));
        Assert.Equal("relu", g.Outputs[0].Name);
    }
}
