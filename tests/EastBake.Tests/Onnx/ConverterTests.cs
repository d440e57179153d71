using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Diagnostics;

namespace EastBake.Tests.Onnx;

/// <summary>Each converter on small graphs: ONNX Runtime vs hand-computed values or the reference interpreter.</summary>
public class ConverterTests
{
    private static Dictionary<string, Tensor> Feed(string name, long[] shape, int seed = 7) =>
        new() { [name] = TestGraphs.RandomTensor(shape, seed) };

    [Fact]
    public void Conv1x1MatchesHandComputedValues()
    {
        var g = new Graph();
        var x = g.Input("x", 1, 1, 2, 2);
        // Filter HWIO [1,1,2,2]: out0 = in0 + 2·in1, out1 = 3·in0 − in1.
        var w = g.C("w", [1, 1, 2, 2], [1, 3, 2, -1]);
        g.Outputs.Add(g.Conv("conv", x.Output, w).Output);
        var input = Tensor.FromFloats([1, 1, 2, 2], [1, 2, 3, 4]);
        var y = OrtRunner.Run(OnnxExporter.Export(g), new Dictionary<string, Tensor> { ["x"] = input })["conv"];
        Assert.Equal(new long[] { 1, 1, 2, 2 }, y.Shape);
        Assert.Equal(new float[] { 5, 1, 11, 5 }, y.Floats);
    }

    [Theory]
    [InlineData("SAME", 2, 1, true)]
    [InlineData("SAME", 2, 1, false)] // dynamic H, W: auto_pad SAME_UPPER
    [InlineData("SAME", 1, 2, true)]
    [InlineData("VALID", 2, 1, true)]
    [InlineData("VALID", 1, 2, false)]
    public void ConvPaddingModes(string padding, long stride, long dilation, bool staticShape)
    {
        var g = new Graph();
        var x = staticShape ? g.Input("x", 1, 9, 8, 3) : g.InputSym("x", [Dim.Sym("N"), Dim.Sym("H"), Dim.Sym("W"), 3]);
        var conv = g.Conv("conv", x.Output, g.Random("w", [3, 3, 3, 4], 1), padding, stride, dilation);
        g.Outputs.Add(conv.Output);
        ExportCheck.AgainstReference(g, Feed("x", [1, 9, 8, 3]));
    }

    [Fact]
    public void ConvExplicitPaddingWithFusedBiasAndRelu6()
    {
        var g = new Graph();
        var x = g.Input("x", 1, 7, 6, 2);
        var conv = g.Conv("conv", x.Output, g.Random("w", [3, 3, 2, 5], 2), "EXPLICIT", 2);
        conv.Attrs[Attr.ExplicitPaddings] = new long[] { 0, 0, 2, 1, 1, 3, 0, 0 };
        conv.Inputs.Add(g.Random("b", [5], 3));
        conv.Attrs[Attr.Activation] = Ops.Relu6;
        g.Outputs.Add(conv.Output);
        var feeds = new Dictionary<string, Tensor> { ["x"] = TestGraphs.RandomTensor([1, 7, 6, 2], 4, 5f) };
        var y = ExportCheck.AgainstReference(g, feeds);
        Assert.Contains(y["conv"].Floats!, v => v == 6f);
        Assert.Contains(y["conv"].Floats!, v => v == 0f);
    }

    [Fact]
    public void BiasAddBatchNormReluSigmoid()
    {
        var g = new Graph();
        var x = g.Input("x", 2, 4, 5, 3);
        var conv = g.Conv("conv", x.Output, g.Random("w", [1, 1, 3, 6], 5));
        var bias = g.Op("bias", Ops.BiasAdd, conv.Output, g.Random("b", [6], 6));
        var bn = g.BatchNorm("bn", bias.Output, 6, 7, Ops.FusedBatchNormV3);
        var relu = g.Op("relu", Ops.Relu, bn.Output);
        var relu6 = g.Op("relu6", Ops.Relu6, relu.Output);
        g.Outputs.Add(g.Op("sig", Ops.Sigmoid, relu6.Output).Output);
        ExportCheck.AgainstReference(g, Feed("x", [2, 4, 5, 3]));
    }

    [Fact]
    public void AvgPoolSameExcludesPaddingFromTheCount()
    {
        // 3×3 SAME average of all-ones: TF divides by the real pixels only, so every output is 1.
        var g = new Graph();
        var x = g.Input("x", 1, 2, 2, 1);
        g.Outputs.Add(g.Pool("pool", Ops.AvgPool, x.Output, 3, 1, "SAME").Output);
        var y = OrtRunner.Run(OnnxExporter.Export(g), new Dictionary<string, Tensor> { ["x"] = Tensor.FromFloats([1, 2, 2, 1], [1, 1, 1, 1]) })["pool"];
        Assert.All(y.Floats!, v => Assert.Equal(1f, v, 6));
    }

    [Theory]
    [InlineData(Ops.MaxPool, 3, 2, "SAME", true)]
    [InlineData(Ops.MaxPool, 3, 2, "SAME", false)]
    [InlineData(Ops.MaxPool, 2, 2, "VALID", true)]
    [InlineData(Ops.MaxPool, 1, 2, "SAME", false)] // EAST's 1×1/2 shortcut pool, dynamic shape
    [InlineData(Ops.AvgPool, 3, 2, "SAME", true)]
    [InlineData(Ops.AvgPool, 2, 1, "VALID", true)]
    public void Pooling(string op, long k, long s, string padding, bool staticShape)
    {
        var g = new Graph();
        var x = staticShape ? g.Input("x", 1, 7, 8, 3) : g.InputSym("x", [1, Dim.Sym("H"), Dim.Sym("W"), 3]);
        var conv = g.Conv("conv", x.Output, g.Random("w", [1, 1, 3, 3], 9)); // pool an NCHW tensor
        g.Outputs.Add(g.Pool("pool", op, conv.Output, k, s, padding).Output);
        ExportCheck.AgainstReference(g, Feed("x", [1, 7, 8, 3]));
    }

    [Fact]
    public void PadReordersPaddingsToNchw()
    {
        var g = new Graph();
        var x = g.Input("x", 1, 4, 5, 2);
        var conv = g.Conv("conv", x.Output, g.Random("w", [1, 1, 2, 3], 10));
        var pad = g.Op("pad", Ops.Pad, conv.Output, g.Ci("paddings", [4, 2], [0, 0, 1, 2, 3, 0, 0, 1]));
        g.Outputs.Add(pad.Output);
        var y = ExportCheck.AgainstReference(g, Feed("x", [1, 4, 5, 2]));
        Assert.Equal(new long[] { 1, 7, 8, 4 }, y["pad"].Shape);
    }

    [Fact]
    public void MeanSubtractionSplitSubConcatThenConv()
    {
        // EAST's in-graph mean subtraction: Split(axis 3) → Sub(const) ×3 → ConcatV2(axis 3).
        var g = new Graph();
        var x = g.Input("x", 1, 4, 4, 3);
        var split = g.AddNode("split", Ops.Split, [g.Ci("split/dim", [], [3]), x.Output], outputs: 3);
        split.Attrs[Attr.NumSplit] = 3L;
        var subs = new List<Value>();
        float[] means = [123.68f, 116.78f, 103.94f];
        for (var i = 0; i < 3; i++)
            subs.Add(g.Op(i == 0 ? "sub" : $"sub_{i}", Ops.Sub, split.Outputs[i], g.AddConst($"sub/y{i}", Tensor.Scalar(means[i])).Output).Output);
        var concat = g.AddNode("concat", Ops.ConcatV2, [.. subs, g.Ci("concat/axis", [], [3])]);
        concat.Attrs[Attr.N] = 3L;
        var conv = g.Conv("conv", concat.Output, g.Random("w", [3, 3, 3, 4], 11));
        // Per-channel constant against NCHW ([C] → [C,1,1]) and a [W,C] constant.
        var mul = g.Op("mul", Ops.Mul, conv.Output, g.Random("scale", [4], 12));
        var add = g.Op("add", Ops.AddV2, mul.Output, g.Random("plane", [4, 4], 13));
        var div = g.Op("div", Ops.RealDiv, add.Output, g.AddConst("two", Tensor.Scalar(2f)).Output);
        var max = g.Op("max", Ops.Maximum, div.Output, conv.Output);
        var split2 = g.AddNode("split2", Ops.SplitV, [max.Output, g.Ci("sizes", [2], [1, -1]), g.Ci("axis2", [], [-1])], outputs: 2);
        g.Outputs.Add(split2.Outputs[1]);
        g.Outputs.Add(split2.Outputs[0]);
        var feeds = new Dictionary<string, Tensor> { ["x"] = TestGraphs.RandomTensor([1, 4, 4, 3], 14, 255f) };
        var y = ExportCheck.AgainstReference(g, feeds);
        Assert.Equal(new long[] { 1, 4, 4, 3 }, y["split2:1"].Shape);
    }

    [Theory]
    [InlineData(false, new long[] { 1, 2 })]
    [InlineData(true, new long[] { 1, 2 })]
    [InlineData(false, new long[] { 0 })]   // leftover dims would come out in the wrong order channel-first
    [InlineData(false, new long[] { -1 })]
    public void MeanRemapsAxes(bool keepDims, long[] axes)
    {
        var g = new Graph();
        var x = g.Input("x", 2, 3, 4, 5);
        var conv = g.Conv("conv", x.Output, g.Random("w", [1, 1, 5, 5], 15));
        var mean = g.Op("mean", Ops.Mean, conv.Output, g.Ci("axes", [axes.Length], axes));
        mean.Attrs[Attr.KeepDims] = keepDims;
        g.Outputs.Add(mean.Output);
        ExportCheck.AgainstReference(g, Feed("x", [2, 3, 4, 5]));
    }

    [Fact]
    public void SqueezeReshapeCast()
    {
        var g = new Graph();
        var x = g.Input("x", 1, 1, 6, 2);
        var conv = g.Conv("conv", x.Output, g.Random("w", [1, 1, 2, 2], 16));
        var sq = g.Op("squeeze", Ops.Squeeze, conv.Output);
        sq.Attrs[Attr.SqueezeDims] = new long[] { 0, 1 };
        var rs = g.Op("reshape", Ops.Reshape, conv.Output, g.Ci("shape", [2], [3, -1]));
        g.Outputs.Add(sq.Output);
        g.Outputs.Add(rs.Output);
        ExportCheck.AgainstReference(g, Feed("x", [1, 1, 6, 2]));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void ResizeBilinearWithDynamicSizeChain(bool alignCorners, bool halfPixel)
    {
        // EAST's unpool: size = Pack(StridedSlice(Shape(x))[1]*2, [2]*2), not folded (dynamic H, W).
        var g = new Graph();
        var x = g.InputSym("x", [1, Dim.Sym("H"), Dim.Sym("W"), 3]);
        var conv = g.Conv("conv", x.Output, g.Random("w", [1, 1, 3, 3], 17));
        var shape = g.Op("shape", Ops.Shape, conv.Output);
        shape.Attrs[Attr.OutType] = ElementType.Int32;
        shape.Output.Type = ElementType.Int32;
        Value SizeTimesTwo(string n, long i)
        {
            var s = g.Op(n, Ops.StridedSlice, shape.Output, g.Ci(n + "/b", [1], [i]), g.Ci(n + "/e", [1], [i + 1]), g.Ci(n + "/s", [1], [1]));
            s.Attrs[Attr.ShrinkAxisMask] = 1L;
            s.Output.Type = ElementType.Int32;
            var m = g.Op(n + "/mul", Ops.Mul, s.Output, g.Ci(n + "/two", [], [2]));
            m.Output.Type = ElementType.Int32;
            return m.Output;
        }
        var pack = g.Op("pack", Ops.Pack, SizeTimesTwo("h", 1), SizeTimesTwo("w", 2));
        pack.Output.Type = ElementType.Int32;
        var resize = g.Op("resize", Ops.ResizeBilinear, conv.Output, pack.Output);
        resize.Attrs[Attr.AlignCorners] = alignCorners;
        resize.Attrs[Attr.HalfPixelCenters] = halfPixel;
        g.Outputs.Add(resize.Output);
        var y = ExportCheck.AgainstReference(g, Feed("x", [1, 5, 7, 3]));
        Assert.Equal(new long[] { 1, 10, 14, 3 }, y["resize"].Shape);
    }

    [Fact]
    public void UnsupportedOpIsCodedErrorNamingNodeOpAndFile()
    {
        var g = new Graph("model.pb");
        var x = g.Input("x", 1, 2, 2, 1);
        g.Outputs.Add(g.Op("odd", "DepthwiseConv2dNative", x.Output).Output);
        var e = Assert.Throws<EastBakeException>(() => OnnxExporter.Export(g));
        Assert.Equal(ErrorCodes.OnnxExportUnsupported, e.Code);
        Assert.Equal("model.pb", e.File);
        Assert.Equal("odd", e.Node);
        Assert.Contains("DepthwiseConv2dNative", e.Message);
    }

    [Fact]
    public void ModelHasOpsetMetadataTfNamesAndDynamicDims()
    {
        var g = new Graph("m.pb");
        var x = g.InputSym("input_images", [Dim.Sym("?"), Dim.Sym("?"), Dim.Sym("?"), 3]);
        var conv = g.Conv("feature/conv", x.Output, g.Random("w", [1, 1, 3, 1], 18));
        g.Outputs.Add(g.Op("feature/Sigmoid", Ops.Sigmoid, conv.Output).Output);
        g.Metadata[MetadataKeys.InGraphMeanSubtraction] = "true";
        var m = OnnxExporter.Export(g);
        Assert.True(m.OpsetImport.Single().Version >= 17);
        Assert.Contains(m.MetadataProps, p => p.Key == MetadataKeys.InGraphMeanSubtraction && p.Value == "true");
        Assert.Equal(["N", "H", "W"], m.Graph.Input[0].Type.TensorType.Shape.Dim.Take(3).Select(d => d.DimParam));
        Assert.Equal(3, m.Graph.Input[0].Type.TensorType.Shape.Dim[3].DimValue);
        Assert.Contains(m.Graph.Node, n => n.Name == "feature/conv" && n.OpType == "Conv");
        Assert.Contains(m.Graph.Node, n => n.Name == "feature/Sigmoid" && n.OpType == "Sigmoid");
        Assert.Equal("feature/Sigmoid", m.Graph.Output[0].Name);
        // Output is NHWC like TF: [1,3,5,1] for a [1,3,5,3] input.
        var y = OrtRunner.Run(m, Feed("input_images", [1, 3, 5, 3]))["feature/Sigmoid"];
        Assert.Equal(new long[] { 1, 3, 5, 1 }, y.Shape);
    }
}
