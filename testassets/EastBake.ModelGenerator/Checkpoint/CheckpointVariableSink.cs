using EastBake.Compiler.Protos.Tf;
using EastBake.ModelGenerator.Graph;

namespace EastBake.ModelGenerator.Checkpoint;

/// <summary>
/// Checkpoint form of a weight, as a TF1 training graph writes it: "var/Initializer/zeros|ones"
/// (splat Const), "var" (VariableV2), "var/Assign" and "var/read" (Identity). The value goes to the bundle.
/// </summary>
public sealed class CheckpointVariableSink(GraphWriter g, TensorBundleWriter bundle) : IVariableSink
{
    public List<VariableDef> Variables { get; } = [];

    /// <summary>BatchNorm moving statistics are not trainable (TF-slim puts them in "variables" only).</summary>
    public static bool IsTrainable(string name) => !name.EndsWith("/moving_mean", StringComparison.Ordinal) && !name.EndsWith("/moving_variance", StringComparison.Ordinal);

    public string Variable(string name, long[] shape, float[] values, VariableInit init)
    {
        var loc = Attr.Strings("loc:@" + name);
        var initName = $"{name}/Initializer/{(init == VariableInit.Ones ? "ones" : "zeros")}";
        g.Add(initName, "Const", [], ("_class", loc), ("dtype", Attr.Float), ("value", Attr.Tensor(TfTensors.Splat(shape, init == VariableInit.Ones ? 1f : 0f))));
        g.Add(name, "VariableV2", [], ("container", Attr.S("")), ("dtype", Attr.Float), ("shape", Attr.Shape(TfTensors.Shape(shape))),
            ("shared_name", Attr.S("")));
        g.Add(name + "/Assign", "Assign", [name, initName], ("T", Attr.Float), ("_class", loc), ("use_locking", Attr.B(true)),
            ("validate_shape", Attr.B(true)));
        g.Add(name + "/read", "Identity", [name], ("T", Attr.Float), ("_class", loc));
        bundle.Add(name, shape, values);
        Variables.Add(new VariableDef
        {
            VariableName = name + ":0", InitializerName = name + "/Assign", SnapshotName = name + "/read:0",
            InitialValueName = initName + ":0", Trainable = IsTrainable(name),
        });
        return name + "/read";
    }
}
