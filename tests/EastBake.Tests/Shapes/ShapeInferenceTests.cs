using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;

namespace EastBake.Tests.Shapes;

public class ShapeInferenceTests
{
    private static Node Input(Graph g, string name, params long[] dims)
    {
        var x = g.AddNode(name, Ops.Placeholder);
        x.Attrs[Attr.DType] = ElementType.Float32;
        x.Attrs[Attr.Shape] = new Shape(dims.Select(d => d < 0 ? Dim.Unknown : Dim.Known(d)));
        g.Inputs.Add(x.Output);
        return x;
    }

    private static Value Ints(Graph g, string name, params long[] v) =>
        g.AddConst(name, v.Length == 1 && name.StartsWith('s') ? Tensor.Scalar(v[0]) : Tensor.FromInts([v.Length], v, ElementType.Int32)).Output;

    private static Node Op(Graph g, string name, string op, Value[] inputs, Dictionary<string, object>? attrs = null, int outputs = 1)
    {
        var n = g.AddNode(name, op, inputs, outputs);
        foreach (var (k, v) in attrs ?? new()) n.Attrs[k] = v;
        return n;
    }

    private static Node Conv(Graph g, string name, Value x, long k, long cin, long cout, long stride, string padding)
    {
        var w = g.AddConst(name + "/w", Tensor.FromFloats([k, k, cin, cout], new float[k * k * cin * cout]));
        return Op(g, name, Ops.Conv2D, [x, w.Output], new() { [Attr.Strides] = new long[] { 1, stride, stride, 1 }, [Attr.Padding] = padding });
    }

    /// <summary>EAST's unpool: size = Pack(Shape(x)[1]*2, Shape(x)[2]*2) → ResizeBilinear.</summary>
    private static (Graph G, Node Conv, Node Pack, Node Resize) UnpoolGraph()
    {
        var g = new Graph();
        var x = Input(g, "x", -1, -1, -1, 3);
        var conv = Conv(g, "conv", x.Output, 3, 3, 8, 2, "SAME");
        var shape = Op(g, "shape", Ops.Shape, [conv.Output], new() { [Attr.OutType] = ElementType.Int32 });
        Node Pick(string name, long i) => Op(g, name, Ops.StridedSlice, [shape.Output, Ints(g, name + "/b", i), Ints(g, name + "/e", i + 1), Ints(g, name + "/s", 1)],
            new() { [Attr.ShrinkAxisMask] = 1L });
        var two = Ints(g, "s_two", 2);
        var h2 = Op(g, "h2", Ops.Mul, [Pick("h", 1).Output, two]);
        var w2 = Op(g, "w2", Ops.Mul, [Pick("w", 2).Output, two]);
        var pack = Op(g, "pack", Ops.Pack, [h2.Output, w2.Output], new() { [Attr.Axis] = 0L });
        var resize = Op(g, "resize", Ops.ResizeBilinear, [conv.Output, pack.Output]);
        g.Outputs.Add(resize.Output);
        return (g, conv, pack, resize);
    }

    [Fact]
    public void UnpoolSizeChainStaysSymbolicThenBecomesConcrete()
    {
        var (g, conv, pack, resize) = UnpoolGraph();
        ShapeInference.Run(g);
        Assert.Equal("[N,ceil(H/2),ceil(W/2),8]", conv.Output.Shape.ToString());
        Assert.Equal(ElementType.Int32, g["shape"].Output.Type);
        Assert.Equal("[4]", g["shape"].Output.Shape.ToString());
        Assert.Equal("[]", g["h"].Output.Shape.ToString());
        Assert.Equal("ceil(H/2)", g["h"].Output.SymbolicValue!.Single().ToString());
        Assert.Equal(["ceil(H/2)*2", "ceil(W/2)*2"], pack.Output.SymbolicValue!.Select(d => d.ToString()));
        Assert.Equal("[N,ceil(H/2)*2,ceil(W/2)*2,8]", resize.Output.Shape.ToString());

        ShapeInference.Run(g, new Dictionary<string, long[]> { ["x"] = [1, 45, 64, 3] });
        Assert.Equal(Shape.Of(1, 23, 32, 8), conv.Output.Shape);
        Assert.Equal([Dim.Known(46), Dim.Known(64)], pack.Output.SymbolicValue!);
        Assert.Equal(Shape.Of(1, 46, 64, 8), resize.Output.Shape);

        // The interpreter, run on a real tensor, agrees.
        var y = ReferenceInterpreter.Run(g, new Dictionary<string, Tensor> { ["x:0"] = Tensor.FromFloats([1, 45, 64, 3], new float[45 * 64 * 3]) });
        Assert.Equal(new long[] { 1, 46, 64, 8 }, y["resize"].Shape);
    }

    [Fact]
    public void ExplicitPadThenValidConvFoldsBackToInputSymbol()
    {
        // EAST's conv2d_same: Pad 3+3 then 7x7/2 VALID → ceil(H/2), as TF's SAME would give.
        var g = new Graph();
        var x = Input(g, "x", -1, -1, -1, 3);
        var pad = Op(g, "pad", Ops.Pad, [x.Output, Ints(g, "p", 0, 0, 3, 3, 3, 3, 0, 0)]);
        var conv = Conv(g, "conv1", pad.Output, 7, 3, 4, 2, "VALID");
        var pool = Op(g, "pool", Ops.MaxPool, [conv.Output], new()
        {
            [Attr.KSize] = new long[] { 1, 3, 3, 1 }, [Attr.Strides] = new long[] { 1, 2, 2, 1 }, [Attr.Padding] = "SAME",
        });
        ShapeInference.Run(g);
        Assert.Equal("[N,(H+6),(W+6),3]", pad.Output.Shape.ToString());
        Assert.Equal("[N,ceil(H/2),ceil(W/2),4]", conv.Output.Shape.ToString());
        Assert.Equal("[N,ceil(ceil(H/2)/2),ceil(ceil(W/2)/2),4]", pool.Output.Shape.ToString());

        ShapeInference.Run(g, new Dictionary<string, long[]> { ["x:0"] = [2, 33, 64, 3] });
        Assert.Equal(Shape.Of(2, 39, 70, 3), pad.Output.Shape);
        Assert.Equal(Shape.Of(2, 17, 32, 4), conv.Output.Shape); // (39-7)/2+1 = 17
        Assert.Equal(Shape.Of(2, 9, 16, 4), pool.Output.Shape);
    }

    [Theory]
    [InlineData("SAME", 1, 1, 10)]
    [InlineData("SAME", 2, 1, 5)]
    [InlineData("VALID", 1, 1, 8)]
    [InlineData("VALID", 2, 1, 4)]
    [InlineData("VALID", 1, 2, 6)]   // effective kernel 5
    [InlineData("SAME", 3, 2, 4)]
    public void ConvOutputSizes(string padding, long stride, long dilation, long expected)
    {
        var g = new Graph();
        var x = Input(g, "x", 1, 10, 10, 2);
        var conv = Conv(g, "c", x.Output, 3, 2, 5, stride, padding);
        conv.Attrs[Attr.Dilations] = new long[] { 1, dilation, dilation, 1 };
        ShapeInference.Run(g);
        Assert.Equal(Shape.Of(1, expected, expected, 5), conv.Output.Shape);
    }

    [Fact]
    public void SymbolicValidConvAndExplicitPadding()
    {
        var g = new Graph();
        var x = Input(g, "x", -1, -1, -1, 2);
        var valid = Conv(g, "v", x.Output, 3, 2, 5, 2, "VALID");
        var expl = Conv(g, "e", x.Output, 3, 2, 5, 1, "EXPLICIT");
        expl.Attrs[Attr.ExplicitPaddings] = new long[] { 0, 0, 1, 1, 2, 0, 0, 0 };
        ShapeInference.Run(g);
        Assert.Equal("[N,ceil((H-2)/2),ceil((W-2)/2),5]", valid.Output.Shape.ToString());
        Assert.Equal("[N,H,W,5]", expl.Output.Shape.ToString());
        ShapeInference.Run(g, new Dictionary<string, long[]> { ["x"] = [1, 9, 9, 2] });
        Assert.Equal(Shape.Of(1, 4, 4, 5), valid.Output.Shape);
        Assert.Equal(Shape.Of(1, 9, 9, 5), expl.Output.Shape);
    }

    [Fact]
    public void ConvChannelMismatchIsEB1040NamingNodeAndShapes()
    {
        var g = new Graph("m.pb");
        var x = Input(g, "x", 1, 8, 8, 3);
        Conv(g, "bad_conv", x.Output, 3, 4, 8, 1, "SAME");
        var e = Assert.Throws<EastBakeException>(() => ShapeInference.Run(g));
        Assert.Equal(ErrorCodes.ShapeMismatch, e.Code);
        Assert.Equal("bad_conv", e.Node);
        Assert.Equal("m.pb", e.File);
        Assert.Contains("[1,8,8,3]", e.Message);
        Assert.Contains("[3,3,4,8]", e.Message);
    }

    [Fact]
    public void ConcatAndBroadcastMismatchesAreEB1040()
    {
        var g = new Graph();
        var a = Input(g, "a", 1, 4, 4, 2);
        var b = Input(g, "b", 1, 5, 4, 2);
        Op(g, "cat", Ops.ConcatV2, [a.Output, b.Output, Ints(g, "s_axis", 3)]);
        var e = Assert.Throws<EastBakeException>(() => ShapeInference.Run(g));
        Assert.Equal(ErrorCodes.ShapeMismatch, e.Code);
        Assert.Equal("cat", e.Node);
        Assert.Contains("[1,4,4,2]", e.Message);
        Assert.Contains("[1,5,4,2]", e.Message);

        var h = new Graph();
        var p = Input(h, "p", 2, 3);
        var q = Input(h, "q", 4);
        Op(h, "add", Ops.AddV2, [p.Output, q.Output]);
        var e2 = Assert.Throws<EastBakeException>(() => ShapeInference.Run(h));
        Assert.Equal(ErrorCodes.ShapeMismatch, e2.Code);
        Assert.Contains("[2,3] vs [4]", e2.Message);
    }

    [Fact]
    public void UnsupportedOpIsEB1050NamingNodeAndOp()
    {
        var g = new Graph();
        var x = Input(g, "x", 1, 2);
        Op(g, "sm", "Softmax", [x.Output]);
        var e = Assert.Throws<EastBakeException>(() => ShapeInference.Run(g));
        Assert.Equal(ErrorCodes.UnsupportedOp, e.Code);
        Assert.Equal("sm", e.Node);
        Assert.Contains("Softmax", e.Message);
    }

    [Fact]
    public void ElementwiseConcatSplitAndBatchNormShapes()
    {
        var g = new Graph();
        var x = Input(g, "x", -1, -1, -1, 3);
        var split = Op(g, "split", Ops.Split, [Ints(g, "s_axis", 3), x.Output], new() { [Attr.NumSplit] = 3L }, outputs: 3);
        var sub = Op(g, "sub", Ops.Sub, [split.Outputs[1], g.AddConst("m", Tensor.Scalar(116.78f)).Output]);
        var cat = Op(g, "cat", Ops.ConcatV2, [split.Outputs[0], sub.Output, split.Outputs[2], Ints(g, "s_axis3", -1)]);
        var vec = g.AddConst("vec", Tensor.FromFloats([3], [1, 2, 3])).Output;
        var bn = Op(g, "bn", Ops.FusedBatchNorm, [cat.Output, vec, vec, vec, vec], outputs: 5);
        var sv = Op(g, "sv", Ops.SplitV, [bn.Output, Ints(g, "sizes", 2, -1), Ints(g, "s_ax", 3)], outputs: 2);
        var mean = Op(g, "mean", Ops.Mean, [sv.Outputs[0], Ints(g, "axes", 1, 2)], new() { [Attr.KeepDims] = true });
        var squeeze = Op(g, "sq", Ops.Squeeze, [mean.Output], new() { [Attr.SqueezeDims] = new long[] { 1, 2 } });
        var flat = Op(g, "flat", Ops.Reshape, [squeeze.Output, Ints(g, "r", -1)]);
        ShapeInference.Run(g);
        Assert.Equal("[N,H,W,1]", split.Outputs[2].Shape.ToString());
        Assert.Equal("[N,H,W,1]", sub.Output.Shape.ToString());
        Assert.Equal("[N,H,W,3]", cat.Output.Shape.ToString());
        Assert.Equal("[3]", bn.Outputs[4].Shape.ToString());
        Assert.Equal("[N,H,W,2]", sv.Outputs[0].Shape.ToString());
        Assert.Equal("[N,H,W,1]", sv.Outputs[1].Shape.ToString());
        Assert.Equal("[N,1,1,2]", mean.Output.Shape.ToString());
        Assert.Equal("[N,2]", squeeze.Output.Shape.ToString());
        Assert.Equal("[N*2]", flat.Output.Shape.ToString().Replace("2*N", "N*2"));
    }

    [Fact]
    public void StridedSliceMasksOnSymbolicShape()
    {
        var g = new Graph();
        var x = Input(g, "x", -1, -1, -1, 3);
        // x[:, 1:, :, 0] → [N, H-1, W]
        var s = Op(g, "s", Ops.StridedSlice, [x.Output, Ints(g, "b", 0, 1, 0, 0), Ints(g, "e", 0, 0, 0, 1), Ints(g, "st", 1, 1, 1, 1)],
            new() { [Attr.BeginMask] = 5L, [Attr.EndMask] = 7L, [Attr.ShrinkAxisMask] = 8L });
        // x[..., None] → [N, H, W, 3, 1]
        var n = Op(g, "n", Ops.StridedSlice, [x.Output, Ints(g, "b2", 0, 0), Ints(g, "e2", 0, 0), Ints(g, "st2", 1, 1)],
            new() { [Attr.EllipsisMask] = 1L, [Attr.NewAxisMask] = 2L });
        ShapeInference.Run(g);
        Assert.Equal("[N,(H-1),W]", s.Output.Shape.ToString());
        Assert.Equal("[N,H,W,3,1]", n.Output.Shape.ToString());
        ShapeInference.Run(g, new Dictionary<string, long[]> { ["x"] = [2, 5, 7, 3] });
        Assert.Equal(Shape.Of(2, 4, 7), s.Output.Shape);
        Assert.Equal(Shape.Of(2, 5, 7, 3, 1), n.Output.Shape);
    }

    [Fact]
    public void GivenShapeMustFitDeclaredShape()
    {
        var g = new Graph();
        Input(g, "x", -1, -1, -1, 3);
        var e = Assert.Throws<EastBakeException>(() => ShapeInference.Run(g, new Dictionary<string, long[]> { ["x"] = [1, 8, 8, 4] }));
        Assert.Equal(ErrorCodes.ShapeMismatch, e.Code);
    }
}
