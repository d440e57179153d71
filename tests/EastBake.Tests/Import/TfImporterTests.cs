using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;
using EastBake.Tests.TestSupport;
using Google.Protobuf;

namespace EastBake.Tests.Import;

/// <summary>GraphDef → IR on hand-built GraphDefs (values computed by hand) and small real TF graphs.</summary>
public class TfImporterTests
{
    private static NodeDef Node(string name, string op, params string[] inputs)
    {
        var n = new NodeDef { Name = name, Op = op };
        n.Input.AddRange(inputs);
        return n;
    }

    private static AttrValue TypeAttr(DataType t) => new() { Type = t };

    private static NodeDef Const(string name, TensorProto t)
    {
        var n = Node(name, "Const");
        n.Attr["dtype"] = TypeAttr(t.Dtype);
        n.Attr["value"] = new AttrValue { Tensor = t };
        return n;
    }

    private static TensorShapeProto ShapeProto(params long[] dims)
    {
        var s = new TensorShapeProto();
        s.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dim { Size = d }));
        return s;
    }

    private static Tensor ImportConst(TensorProto t)
    {
        var def = new GraphDef();
        def.Node.Add(Const("c", t));
        return TfImporter.Import(def, "hand.pb")["c"].ConstValue;
    }

    [Fact]
    public void TensorContentIsLittleEndian()
    {
        // 1.5f = 0x3FC00000, -2f = 0xC0000000, little-endian bytes.
        var t = ImportConst(new TensorProto
        {
            Dtype = DataType.DtFloat, TensorShape = ShapeProto(2),
            TensorContent = ByteString.CopyFrom(0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0),
        });
        Assert.Equal(new[] { 1.5f, -2f }, t.Floats);
        Assert.Equal(new long[] { 2 }, t.Shape);

        var i = ImportConst(new TensorProto
        {
            Dtype = DataType.DtInt64, TensorShape = ShapeProto(1),
            TensorContent = ByteString.CopyFrom(0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
        });
        Assert.Equal(new[] { -2L }, i.Ints);
        Assert.Equal(ElementType.Int64, i.Type);
    }

    [Fact]
    public void TypedFieldsAndSingleValueBroadcast()
    {
        var f = new TensorProto { Dtype = DataType.DtFloat, TensorShape = ShapeProto(2, 2) };
        f.FloatVal.Add(0.25f);
        Assert.Equal(new[] { 0.25f, 0.25f, 0.25f, 0.25f }, ImportConst(f).Floats);

        var d = new TensorProto { Dtype = DataType.DtDouble, TensorShape = ShapeProto(2) };
        d.DoubleVal.AddRange([0.1, 3.0]);
        var dt = ImportConst(d);
        Assert.Equal(ElementType.Float32, dt.Type);
        Assert.Equal(new[] { 0.1f, 3f }, dt.Floats);

        // float16 bit patterns: 0x3C00 = 1.0, 0xC000 = -2.0, 0x3555 = 0.333251953125.
        var h = new TensorProto { Dtype = DataType.DtHalf, TensorShape = ShapeProto(3) };
        h.HalfVal.AddRange([0x3C00, 0xC000, 0x3555]);
        var ht = ImportConst(h);
        Assert.Equal(ElementType.Float16, ht.Type);
        Assert.Equal(new[] { 1f, -2f, 0.333251953125f }, ht.Floats);

        var i = new TensorProto { Dtype = DataType.DtInt32, TensorShape = ShapeProto(3) };
        i.IntVal.AddRange([7, -1]); // fewer than elements: the last value repeats
        Assert.Equal(new long[] { 7, -1, -1 }, ImportConst(i).Ints);

        var b = new TensorProto { Dtype = DataType.DtBool };
        b.BoolVal.Add(true);
        var bt = ImportConst(b);
        Assert.Equal(ElementType.Bool, bt.Type);
        Assert.Equal(new long[] { 1 }, bt.Ints);
        Assert.Empty(bt.Shape);
    }

    [Fact]
    public void ContentSizeMismatchIsEB1021()
    {
        var def = new GraphDef();
        def.Node.Add(Const("w", new TensorProto
        {
            Dtype = DataType.DtFloat, TensorShape = ShapeProto(3), TensorContent = ByteString.CopyFrom(new byte[8]),
        }));
        var e = Assert.Throws<EastBakeException>(() => TfImporter.Import(def, "m.pb"));
        Assert.Equal(ErrorCodes.BadConstant, e.Code);
        Assert.Equal("w", e.Node);
        Assert.Equal("m.pb", e.File);
    }

    [Fact]
    public void UnsupportedConstTypeIsEB1020()
    {
        var t = new TensorProto { Dtype = DataType.DtString };
        t.StringVal.Add(ByteString.CopyFromUtf8("hi"));
        var def = new GraphDef();
        def.Node.Add(Const("s", t));
        var e = Assert.Throws<EastBakeException>(() => TfImporter.Import(def, "m.pb"));
        Assert.Equal(ErrorCodes.UnsupportedDataType, e.Code);
        Assert.Equal("s", e.Node);
        Assert.Contains("DT_STRING", e.Message);
    }

    private static GraphDef SplitGraph()
    {
        var def = new GraphDef();
        var x = Node("x", "Placeholder");
        x.Attr["dtype"] = TypeAttr(DataType.DtFloat);
        x.Attr["shape"] = new AttrValue { Shape = ShapeProto(-1, 8, 8, 3) };
        var axis = new TensorProto { Dtype = DataType.DtInt32 };
        axis.IntVal.Add(3);
        var split = Node("split", "Split", "axis", "x:0");
        split.Attr["num_split"] = new AttrValue { I = 3 };
        split.Attr["T"] = TypeAttr(DataType.DtFloat);
        var relu = Node("relu", "Relu", "split:2", "^x");
        var unused = Node("dead", "Relu", "x");
        def.Node.AddRange([x, Const("axis", axis), split, relu, unused]);
        return def;
    }

    [Fact]
    public void InputsOutputCountsShapesAndPruning()
    {
        var g = TfImporter.Import(SplitGraph(), "m.pb", new ImportOptions { Outputs = ["relu"] });
        Assert.Null(g.Find("dead"));
        var split = g["split"];
        Assert.Equal(3, split.Outputs.Count);
        Assert.Equal(3L, split.Get<long>("num_split"));
        var relu = g["relu"];
        Assert.Single(relu.Inputs); // control input dropped
        Assert.Same(split.Outputs[2], relu.Inputs[0]);
        Assert.Same(g["x"].Output, split.Inputs[1]);
        Assert.Equal("[?,8,8,3]", g.Inputs.Single().Shape.ToString());
        Assert.Equal(ElementType.Int32, g["axis"].Output.Type);
        Assert.Equal("relu", g.Outputs.Single().Name);
        Assert.Equal("x", g.Metadata[MetadataKeys.InputName]);
        Assert.Equal("false", g.Metadata[MetadataKeys.InGraphMeanSubtraction]);
        Assert.True(g.Nodes.IndexOf(g["axis"]) < g.Nodes.IndexOf(split));
    }

    [Fact]
    public void DefaultOutputsAreSinks()
    {
        var g = TfImporter.Import(SplitGraph(), "m.pb");
        Assert.Equal(new[] { "relu", "dead" }, g.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void UnknownOutputIsEB1032WithClosestNames()
    {
        var e = Assert.Throws<EastBakeException>(() =>
            TfImporter.Import(SplitGraph(), "m.pb", new ImportOptions { Outputs = ["rellu"] }));
        Assert.Equal(ErrorCodes.NodeNotFound, e.Code);
        Assert.Contains("'relu', 'dead', 'split'", e.Message); // distances 1, 4, 4 (ties by name); 'x' is 5
    }

    [Fact]
    public void MissingInputIsEB1030()
    {
        var def = SplitGraph();
        def.Node.Add(Node("bad", "Relu", "ghost:1"));
        var e = Assert.Throws<EastBakeException>(() => TfImporter.Import(def, "m.pb", new ImportOptions { Outputs = ["bad"] }));
        Assert.Equal(ErrorCodes.MissingInput, e.Code);
        Assert.Equal("bad", e.Node);
        Assert.Contains("ghost", e.Message);
    }

    [Fact]
    public void InputsOptionCutsTheGraph()
    {
        var g = TfImporter.Import(SplitGraph(), "m.pb", new ImportOptions { Inputs = ["split"], Outputs = ["relu"] });
        Assert.Equal(Ops.Placeholder, g["split"].Op);
        Assert.Null(g.Find("x"));
        Assert.Equal(3, g["split"].Outputs.Count);
        Assert.Equal(g["split"].Outputs, g.Inputs);
    }

    [Fact]
    public void AttributesConvertToIrValues()
    {
        var def = new GraphDef();
        var x = Node("x", "Placeholder");
        x.Attr["dtype"] = TypeAttr(DataType.DtFloat);
        var conv = Node("conv", "Conv2D", "x", "x");
        conv.Attr["T"] = TypeAttr(DataType.DtFloat);
        conv.Attr["strides"] = new AttrValue { List = new AttrValue.Types.ListValue { I = { 1, 2, 2, 1 } } };
        conv.Attr["padding"] = new AttrValue { S = ByteString.CopyFromUtf8("SAME") };
        conv.Attr["data_format"] = new AttrValue { S = ByteString.CopyFromUtf8("NHWC") };
        conv.Attr["use_cudnn_on_gpu"] = new AttrValue { B = true };
        conv.Attr["alpha"] = new AttrValue { F = 0.5f };
        conv.Attr["types"] = new AttrValue { List = new AttrValue.Types.ListValue { Type = { DataType.DtInt32, DataType.DtHalf } } };
        def.Node.AddRange([x, conv]);
        var n = TfImporter.Import(def, "m.pb")["conv"];
        Assert.Equal(new long[] { 1, 2, 2, 1 }, n.Get<long[]>(Attr.Strides));
        Assert.Equal("SAME", n.Get<string>(Attr.Padding));
        Assert.True(n.Get<bool>("use_cudnn_on_gpu"));
        Assert.Equal(0.5f, n.Get<float>("alpha"));
        Assert.Equal(ElementType.Float32, n.Get<ElementType>(Attr.T));
        Assert.Equal(new[] { ElementType.Int32, ElementType.Float16 }, n.Get<ElementType[]>("types"));

        conv.Attr["data_format"] = new AttrValue { S = ByteString.CopyFromUtf8("NCHW") };
        var e = Assert.Throws<EastBakeException>(() => TfImporter.Import(def, "m.pb"));
        Assert.Equal(ErrorCodes.BadAttribute, e.Code);
        Assert.Equal("conv", e.Node);
    }

    [SharedFact("tf/migraphx/batchnormv3_test.pb")]
    public void BatchNormV3ScaleSingleFloatValBroadcasts()
    {
        // The file stores scale as shape [32] with one packed float_val 1.0 (0x3F800000).
        var g = ModelLoader.Load(SharedData.Path_("tf/migraphx/batchnormv3_test.pb"));
        var scale = g["scale"].ConstValue;
        Assert.Equal(new long[] { 32 }, scale.Shape);
        Assert.All(scale.Floats!, v => Assert.Equal(1f, v));
        var bn = g["batchnorm1"];
        Assert.Equal(Ops.FusedBatchNormV3, bn.Op);
        Assert.Equal(6, bn.Outputs.Count);
        Assert.Equal(5, bn.Inputs.Count);
        Assert.Equal(BitConverter.Int32BitsToSingle(0x358637BD), bn.Get<float>(Attr.Epsilon));
        Assert.False(bn.Get<bool>(Attr.IsTraining));
        Assert.Equal("[1,16,16,32]", g["x"].Output.Shape.ToString());
        Assert.Equal(4, g.Inputs.Count);
    }

    [SharedFact("tf/opencv/split_equals_net.pb")]
    public void OpenCvSplitIsNotMistakenForMeanSubtraction()
    {
        var g = ModelLoader.Load(SharedData.Path_("tf/opencv/split_equals_net.pb"));
        Assert.Equal("false", g.Metadata[MetadataKeys.InGraphMeanSubtraction]);
    }
}
