using EastBake.Baking.Pipeline;
using EastBake.Compiler.Import;
using EastBake.Compiler.Import.Checkpoints;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;
using Google.Protobuf;
using Xunit.Abstractions;

namespace EastBake.Tests.Reliability;

/// <summary>
/// Issue 8, item 1: every way a model can be broken, made from the bundled w8 model (so the
/// tests run in CI without ../shared), gives one coded error naming the file (and the node),
/// through the whole bake pipeline, and leaves no plan behind.
/// </summary>
public sealed class BadModelTests(ITestOutputHelper output) : ReliabilityTestBase
{
    private static GraphDef W8Def() => GraphDef.Parser.ParseFrom(File.ReadAllBytes(W8Model));

    private string WriteDef(string name, GraphDef def) => Write(name, def.ToByteArray());

    private BakeOptions Options(string model, string? checkpoint = null) => new()
    {
        ModelPath = model, Checkpoint = checkpoint, OutputPath = PathIn("out", "m.eastplan"),
        Profile = ShapeProfile.Fixed(64, 96), Backends = ["Onnx"],
    };

    private EastBakeException BakeFails(BakeOptions o)
    {
        var e = Assert.Throws<EastBakeException>(() => new Baker().Bake(o));
        Assert.False(File.Exists(o.OutputPath), "a failed bake left a plan behind");
        output.WriteLine(e.Format());
        return e;
    }

    private EastBakeException BakeFails(string model) => BakeFails(Options(model));

    [Fact]
    public void Empty_file_is_EB1002()
    {
        var p = Write("empty.pb", []);
        var e = BakeFails(p);
        Assert.Equal((ErrorCodes.ModelEmpty, p), (e.Code, e.File));
    }

    [Fact]
    public void Random_bytes_are_EB1003()
    {
        var seed = Random.Shared.Next();
        var bytes = new byte[64 * 1024];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0xFF; // field 31, wire type 7: never a GraphDef tag, and not printable text
        var p = Write("random.pb", bytes);
        var e = BakeFails(p);
        Assert.True(e.Code == ErrorCodes.ModelNotGraphDef && e.File == p, $"seed {seed}: {e.Format()}");
    }

    /// <summary>
    /// Cuts inside the node list name the last complete node. The reference is computed here from
    /// the protobuf wire layout (nodes are field 1, serialized first): the nodes whose bytes end
    /// before the cut.
    /// </summary>
    [Theory]
    [InlineData(0.10)]
    [InlineData(0.50)]
    [InlineData(0.97)]
    public void Truncated_GraphDef_is_EB1004_naming_the_last_complete_node(double fraction)
    {
        var full = File.ReadAllBytes(W8Model);
        var def = GraphDef.Parser.ParseFrom(full);
        var cut = (int)(full.Length * fraction);
        var end = 0L;
        var complete = 0;
        foreach (var n in def.Node)
        {
            var size = n.CalculateSize();
            end += 1 + CodedOutputStream.ComputeLengthSize(size) + size;
            if (end > cut) break;
            complete++;
        }
        Assert.InRange(complete, 1, def.Node.Count - 1);
        var p = Write("cut.pb", full[..cut]);
        var e = BakeFails(p);
        Assert.Equal((ErrorCodes.ModelTruncated, p), (e.Code, e.File));
        Assert.Equal(def.Node[complete - 1].Name, e.Node);
        Assert.Contains($"{complete} complete nodes", e.Message);
        Assert.Contains(def.Node[complete].Name, e.Message); // the node it was cut inside
    }

    [Fact]
    public void Text_GraphDef_in_a_pb_file_is_read_as_text_and_a_broken_one_says_so()
    {
        // A text-format twin of a small binary graph, saved under .pb: it imports as the same graph.
        const string text = """
            node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
            node { name: "r" op: "Relu" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
            """;
        var fromText = ModelLoader.Load(Write("text_as_binary.pb", System.Text.Encoding.UTF8.GetBytes(text)));
        var binary = new GraphDef();
        var x = new NodeDef { Name = "x", Op = "Placeholder" };
        x.Attr["dtype"] = new AttrValue { Type = DataType.DtFloat };
        var r = new NodeDef { Name = "r", Op = "Relu", Input = { "x" } };
        r.Attr["T"] = new AttrValue { Type = DataType.DtFloat };
        binary.Node.Add(x);
        binary.Node.Add(r);
        var fromBinary = ModelLoader.Load(WriteDef("binary.pb", binary));
        Assert.Equal(fromBinary.Nodes.Select(n => $"{n.Name}:{n.Op}"), fromText.Nodes.Select(n => $"{n.Name}:{n.Op}"));

        // Broken text under .pb: the error says it was read as text, and where.
        var p = Write("broken_text.pb", "node {\n  name: \"x\"\n  op: Placeholder\"\n}\n"u8.ToArray());
        var e = BakeFails(p);
        Assert.Equal((ErrorCodes.ModelIsText, p, 3), (e.Code, e.File, e.Line));
        Assert.Contains("text-format", e.Message);
    }

    /// <summary>A SavedModel directory (made from the bundled checkpoint) is frozen and baked like the frozen graph.</summary>
    [Fact]
    public void SavedModel_directory_is_frozen_and_bakes_like_the_frozen_graph()
    {
        var dir = MakeSavedModel("saved");
        var fromSaved = new Baker().Bake(Options(dir) with { OutputPath = PathIn("saved.eastplan") }).Plan;
        var fromFrozen = new Baker().Bake(Options(W8Model) with { OutputPath = PathIn("frozen.eastplan") }).Plan;
        // The same ONNX model up to the graph's name (taken from the source file name).
        var a = EastBake.Compiler.Protos.Onnx.ModelProto.Parser.ParseFrom(fromFrozen.Segments.Single().Payload);
        var b = EastBake.Compiler.Protos.Onnx.ModelProto.Parser.ParseFrom(fromSaved.Segments.Single().Payload);
        b.Graph.Name = a.Graph.Name;
        Assert.Equal(a, b);
        Assert.True(a.Graph.Initializer.Count > 50);
    }

    [Fact]
    public void SavedModel_without_its_variables_is_EB1006_saying_how_to_freeze()
    {
        var dir = MakeSavedModel("novars");
        Directory.Delete(Path.Combine(dir, "variables"), recursive: true);
        var e = BakeFails(dir);
        Assert.Equal((ErrorCodes.ModelIsSavedModel, dir), (e.Code, e.File));
        Assert.Contains("convert_variables_to_constants", e.Message);
        Assert.Contains("variables/", e.Message);
    }

    private string MakeSavedModel(string name)
    {
        var dir = Directory.CreateDirectory(PathIn(name)).FullName;
        var meta = MetaGraphDef.Parser.ParseFrom(File.ReadAllBytes(W8Checkpoint + ".meta"));
        meta.MetaInfoDef ??= new MetaGraphDef.Types.MetaInfoDef();
        meta.MetaInfoDef.Tags.Add("serve");
        var sig = new SignatureDef();
        sig.Inputs["images"] = new TensorInfo { Name = "input_images:0" };
        sig.Outputs["a_score"] = new TensorInfo { Name = "feature_fusion/Conv_7/Sigmoid:0" };
        sig.Outputs["b_geometry"] = new TensorInfo { Name = "feature_fusion/concat_3:0" };
        meta.SignatureDef[SavedModelLoader.DefaultSignature] = sig;
        var model = new SavedModel { SavedModelSchemaVersion = 1 };
        model.MetaGraphs.Add(meta);
        File.WriteAllBytes(Path.Combine(dir, SavedModelLoader.GraphFile), model.ToByteArray());
        var vars = Directory.CreateDirectory(Path.Combine(dir, "variables")).FullName;
        File.Copy(W8Checkpoint + ".index", Path.Combine(vars, "variables.index"));
        File.Copy(W8Checkpoint + ".data-00000-of-00001", Path.Combine(vars, "variables.data-00000-of-00001"));
        return dir;
    }

    private string CopyCheckpoint(string name, params string[] suffixes)
    {
        var prefix = PathIn(name, "model.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);
        foreach (var s in suffixes) File.Copy(W8Checkpoint + s, prefix + s);
        return prefix;
    }

    [Fact]
    public void Checkpoint_with_a_missing_shard_is_EB1010_naming_the_shard()
    {
        var prefix = CopyCheckpoint("noshard", ".meta", ".index");
        var e = BakeFails(prefix);
        Assert.Equal((ErrorCodes.CheckpointMissingFile, prefix + ".data-00000-of-00001"), (e.Code, e.File));
    }

    [Fact]
    public void Bundle_with_a_flipped_byte_is_EB1012_naming_the_tensor()
    {
        var prefix = CopyCheckpoint("flip", ".meta", ".index", ".data-00000-of-00001");
        var bundle = new TensorBundleReader(prefix);
        var key = bundle.Keys.Where(k => bundle.Entry(k).Size > 64).Order(StringComparer.Ordinal).ElementAt(Random.Shared.Next(10));
        var entry = bundle.Entry(key);
        var data = prefix + ".data-00000-of-00001";
        var bytes = File.ReadAllBytes(data);
        bytes[entry.Offset + Random.Shared.Next((int)entry.Size)] ^= 0x04;
        File.WriteAllBytes(data, bytes);
        var e = BakeFails(prefix);
        Assert.Equal((ErrorCodes.CheckpointCrcMismatch, data, key), (e.Code, e.File, e.Node));
    }

    [Fact]
    public void Missing_output_name_is_EB1032_listing_the_closest_names()
    {
        var e = BakeFails(Options(W8Model) with { Outputs = ["feature_fusion/Conv_7/Sigmoidd", "feature_fusion/concat_3"] });
        Assert.Equal((ErrorCodes.NodeNotFound, W8Model, "feature_fusion/Conv_7/Sigmoidd"), (e.Code, e.File, e.Node));
        Assert.Contains("'feature_fusion/Conv_7/Sigmoid'", e.Message);
    }

    [Fact]
    public void Missing_input_name_is_EB1032_listing_the_closest_names()
    {
        var e = BakeFails(Options(W8Model) with { Inputs = ["input_image"] });
        Assert.Equal((ErrorCodes.NodeNotFound, W8Model, "input_image"), (e.Code, e.File, e.Node));
        Assert.Contains("'input_images'", e.Message);
    }

    [Fact]
    public void Op_unknown_to_every_stage_is_EB1050_naming_node_and_op()
    {
        var def = W8Def();
        var relu = def.Node.First(n => n.Op == "Relu");
        relu.Op = "Erf";
        var p = WriteDef("erf.pb", def);
        var e = BakeFails(p);
        Assert.Equal((ErrorCodes.UnsupportedOp, p, relu.Name), (e.Code, e.File, e.Node));
        Assert.Contains("'Erf'", e.Message);
        Assert.Contains("no plan", e.Message); // the consequence
    }

    /// <summary>
    /// PadV2 is understood by shape inference but has no ONNX converter: it would stay on the host
    /// path between two ONNX segments, and EastBake has no host executor, so the bake refuses,
    /// listing the node, the op and the segments it would have made.
    /// </summary>
    [Fact]
    public void Op_without_an_engine_converter_is_EB2050_naming_node_op_and_segments()
    {
        var def = W8Def();
        var pad = def.Node.First(n => n.Op == "Pad");
        pad.Op = "PadV2";
        var zero = new NodeDef { Name = pad.Name + "/constant_values", Op = "Const" };
        zero.Attr["dtype"] = new AttrValue { Type = DataType.DtFloat };
        zero.Attr["value"] = new AttrValue { Tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = new TensorShapeProto(), FloatVal = { 0f } } };
        def.Node.Add(zero);
        pad.Input.Add(zero.Name);
        var p = WriteDef("padv2.pb", def);
        var e = BakeFails(p);
        Assert.Equal((ErrorCodes.HostNodesUnsupported, p, pad.Name), (e.Code, e.File, e.Node));
        Assert.Contains("PadV2", e.Message);
        Assert.Contains("no ONNX converter", e.Message);
        Assert.True(e.Message.Contains("2 onnx segment"), e.Message);
    }

    /// <summary>Found by the fuzzer (graphdef seed 1 iteration 2215): a node left with fewer inputs than its op reads.</summary>
    [Fact]
    public void Node_with_too_few_inputs_is_EB1030()
    {
        var def = W8Def();
        var add = def.Node.First(n => n.Op == "Add");
        add.Input.RemoveAt(1);
        var p = WriteDef("arity.pb", def);
        var e = BakeFails(p);
        Assert.Equal((ErrorCodes.MissingInput, p, add.Name), (e.Code, e.File, e.Node));
        Assert.Contains("needs at least 2", e.Message);
    }

    /// <summary>
    /// A constant whose shape overflows 64 bits, or that splats one value over 40000x40000
    /// elements, is refused before any allocation (a wrapped element count would allocate garbage
    /// or throw OverflowException; the splat would try 6.4 GB).
    /// </summary>
    [Theory]
    [InlineData(3037000500L, 3037000500L)]
    [InlineData(40000L, 40000L)]
    [InlineData(4294967296L, 4294967296L)]
    public void Constant_with_an_absurd_shape_is_EB1021_without_allocating(long d0, long d1)
    {
        var def = W8Def();
        var y = def.Node.First(n => n.Op == "Const" && n.Attr["value"].Tensor is { FloatVal.Count: 1 } t && (t.TensorShape?.Dim.Count ?? 0) == 0);
        var tensor = y.Attr["value"].Tensor;
        tensor.TensorShape ??= new TensorShapeProto();
        var dims = tensor.TensorShape.Dim;
        dims.Add(new TensorShapeProto.Types.Dim { Size = d0 });
        dims.Add(new TensorShapeProto.Types.Dim { Size = d1 });
        var p = WriteDef("absurd.pb", def);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = BakeFails(p);
        Assert.Equal((ErrorCodes.BadConstant, p, y.Name), (e.Code, e.File, e.Node));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256 << 20, "the importer allocated the constant");
    }

    [Fact]
    public void Cycle_is_EB1031_naming_a_node_on_it()
    {
        var def = W8Def();
        var relus = def.Node.Where(n => n.Op == "Relu").ToList();
        var (first, later) = (relus[0], relus[5]);
        var conv = def.Node.First(n => n.Op == "MaxPool" && n.Input[0] == first.Name);
        conv.Input[0] = later.Name; // the pool now reads a node that (transitively) reads the pool
        var p = WriteDef("cycle.pb", def);
        var e = BakeFails(p);
        Assert.Equal((ErrorCodes.GraphCycle, p), (e.Code, e.File));
        Assert.NotNull(e.Node);
        Assert.Contains(e.Node, e.Message);
    }

    [Fact]
    public void Filter_shape_that_does_not_fit_is_EB1040_naming_the_convolution()
    {
        // conv1's filter is 7x7x3xC; the same bytes re-shaped to 7x7x(3·C/k)x… no longer fit the 3-channel input.
        var def = W8Def();
        var conv = def.Node.First(n => n.Op == "Conv2D");
        var filterName = TensorRef.Parse(conv.Input[1]).Node;
        var filter = def.Node.First(n => n.Name == filterName);
        if (filter.Op == "Identity") filter = def.Node.First(n => n.Name == TensorRef.Parse(filter.Input[0]).Node);
        var dims = filter.Attr["value"].Tensor.TensorShape.Dim;
        Assert.Equal(3, dims[2].Size);
        Assert.Equal(0, dims[3].Size % 2);
        dims[2].Size = 6;
        dims[3].Size /= 2;
        var p = WriteDef("shape.pb", def);
        var e = BakeFails(p);
        Assert.Equal((ErrorCodes.ShapeMismatch, p, conv.Name), (e.Code, e.File, e.Node));
    }

    /// <summary>Through the tool: one line on stderr with the file and code, no stack trace, exit code 1.</summary>
    [Fact]
    public void Tool_prints_one_coded_line_and_no_stack_trace()
    {
        var empty = Write("empty.pb", []);
        var bytes = File.ReadAllBytes(W8Model);
        var cut = Write("cut.pb", bytes[..(bytes.Length / 2)]);
        var noShard = CopyCheckpoint("tool_noshard", ".meta", ".index");
        foreach (var (model, code) in new[] { (empty, ErrorCodes.ModelEmpty), (cut, ErrorCodes.ModelTruncated), (noShard, ErrorCodes.CheckpointMissingFile) })
        {
            var r = ToolProcess.Run(["bake", model, "--backends", "Onnx", "--input-shape", "64x96", "-o", PathIn("tool.eastplan")]);
            Assert.Equal(1, r.ExitCode);
            var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.StartsWith(model, line);
            Assert.Contains($"error {code}:", line);
            Assert.DoesNotContain("   at ", r.StdErr + r.StdOut);
        }
    }
}
