using EastBake.Compiler.Import;
using EastBake.Compiler.Import.Checkpoints;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Import;

/// <summary>Freezing real checkpoints and SavedModels, checked against TF's own frozen graph and known values.</summary>
public sealed class CheckpointFreezerTests : IDisposable
{
    private const string Regression = "tf/checkpoints/tf2onnx_regression";
    private readonly string _dir = Directory.CreateTempSubdirectory("eastbake-freeze-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Structure(Node n) => $"{n.Name}={n.Op}({string.Join(",", n.Inputs.Select(i => i.Name))})";

    [SharedFact(Regression + "/model.meta", Regression + "/frozen.pb")]
    public void RegressionCheckpointFreezesLikeTensorFlow()
    {
        var ours = ModelLoader.Load(SharedData.Path_(Regression + "/model"), new ImportOptions { Outputs = ["pred"] });
        var tfs = ModelLoader.Load(SharedData.Path_(Regression + "/frozen.pb"));

        Assert.Equal(tfs.Nodes.Select(Structure).Order(), ours.Nodes.Select(Structure).Order());
        foreach (var name in new[] { "W", "b" })
        {
            Assert.Equal(Ops.Const, ours[name].Op);
            Assert.Equal(tfs[name].ConstValue.Floats, ours[name].ConstValue.Floats);
            Assert.Equal(tfs[name].ConstValue.Shape, ours[name].ConstValue.Shape);
        }
        Assert.Equal(0.21396178f, ours["W"].ConstValue.Floats!.Single());
        Assert.Equal(1.0495254f, ours["b"].ConstValue.Floats!.Single());
        Assert.Equal("X", ours.Inputs.Single().Name);
        Assert.Equal("pred", ours.Outputs.Single().Name);
    }

    [SharedFact(Regression + "/model.meta")]
    public void MetaPathAndPrefixAreTheSame()
    {
        var a = ModelLoader.Load(SharedData.Path_(Regression + "/model.meta"), new ImportOptions { Outputs = ["pred"] });
        Assert.Equal(0.21396178f, a["W"].ConstValue.Floats!.Single());
    }

    [SharedTheory("tf/checkpoints/saved_model_half_plus_two_cpu", "tf/checkpoints/saved_model_half_plus_three")]
    [InlineData("saved_model_half_plus_two_cpu", 2f)]
    [InlineData("saved_model_half_plus_three", 3f)]
    public void SavedModelServingDefaultRecoversAandB(string name, float b)
    {
        var g = ModelLoader.Load(SharedData.Path_("tf/checkpoints/" + name));
        Assert.Equal(0.5f, g["a"].ConstValue.Floats!.Single());
        Assert.Equal(b, g["b"].ConstValue.Floats!.Single());
        Assert.Equal("x", g.Inputs.Single().Name);
        Assert.Equal(Ops.Placeholder, g["x"].Op); // the signature input cuts the ParseExample path off
        Assert.Equal("y", g.Outputs.Single().Name);
        Assert.DoesNotContain(g.Nodes, n => n.Op is "VariableV2" or "ParseExample");
    }

    [SharedFact("tf/checkpoints/saved_model_half_plus_two_tf2_cpu/saved_model.pb")]
    public void Tf2SavedModelInlinesCallsAndMapsObjectKeys()
    {
        // serving_default: y = StatefulPartitionedCall_5 → signature wrapper → predict: a·x + b.
        var g = ModelLoader.Load(SharedData.Path_("tf/checkpoints/saved_model_half_plus_two_tf2_cpu"));
        Assert.Equal("serving_default_x", g.Inputs.Single().Name);
        Assert.Equal("StatefulPartitionedCall_5", g.Outputs.Single().Name);
        Assert.Equal(0.5f, g["a"].ConstValue.Floats!.Single()); // key a/.ATTRIBUTES/VARIABLE_VALUE
        Assert.Equal(2f, g["b"].ConstValue.Floats!.Single());
        Assert.DoesNotContain(g.Nodes, n => n.Op is "StatefulPartitionedCall" or "ReadVariableOp" or "VarHandleOp");
        var add = g.Nodes.Single(n => n.Op == "AddV2");
        var mul = g.Nodes.Single(n => n.Op == Ops.Mul);
        Assert.Same(mul.Output, add.Inputs[0]);
        Assert.Contains(g.Inputs[0], mul.Inputs);
    }

    [SharedFact("tf/checkpoints/saved_model_half_plus_two_cpu/saved_model.pb")]
    public void SavedModelWithoutVariablesIsEB1006()
    {
        File.Copy(SharedData.Path_("tf/checkpoints/saved_model_half_plus_two_cpu/saved_model.pb"), Path.Combine(_dir, "saved_model.pb"));
        var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(_dir));
        Assert.Equal(ErrorCodes.ModelIsSavedModel, e.Code);
        Assert.Contains("freeze", e.Message);
    }

    [SharedFact(Regression + "/model.meta")]
    public void VariableWithoutValueIsEB1013()
    {
        var meta = CheckpointLoader.ReadMetaGraph(SharedData.Path_(Regression + "/model.meta"));
        var extra = new NodeDef { Name = "Z", Op = "VariableV2" };
        extra.Attr["dtype"] = new AttrValue { Type = DataType.DtFloat };
        meta.GraphDef.Node.Add(extra);
        var bundle = new TensorBundleReader(SharedData.Path_(Regression + "/model"));
        var e = Assert.Throws<EastBakeException>(() => CheckpointFreezer.Freeze(meta.GraphDef, bundle, ["pred", "Z"]));
        Assert.Equal(ErrorCodes.CheckpointVariableMissing, e.Code);
        Assert.Equal("Z", e.Node);
    }

    [SharedFact(Regression + "/model.index")]
    public void MissingMetaIsEB1010()
    {
        foreach (var f in new[] { "model.index", "model.data-00000-of-00001" })
            File.Copy(SharedData.Path_(Regression + "/" + f), Path.Combine(_dir, f));
        var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(Path.Combine(_dir, "model")));
        Assert.Equal(ErrorCodes.CheckpointMissingFile, e.Code);
        Assert.EndsWith("model.meta", e.File);
    }

    [Fact]
    public void ReadVariableOpBecomesIdentity()
    {
        var g = new GraphDef();
        var v = new NodeDef { Name = "v", Op = "ReadVariableOp", Input = { "h" } };
        v.Attr["dtype"] = new AttrValue { Type = DataType.DtFloat };
        g.Node.Add(v);
        // The handle is cut off as an input, so no variable is kept and the bundle is never read.
        var frozen = CheckpointFreezer.Freeze(g, null!, ["v"], new HashSet<string> { "h" });
        Assert.Equal("Identity", frozen.Node.Single().Op);
        Assert.Equal(DataType.DtFloat, frozen.Node.Single().Attr["T"].Type);
    }
}
