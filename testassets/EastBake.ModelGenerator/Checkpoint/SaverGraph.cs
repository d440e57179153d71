using EastBake.Compiler.Protos.Tf;
using EastBake.ModelGenerator.Graph;
using Google.Protobuf;

namespace EastBake.ModelGenerator.Checkpoint;

/// <summary>
/// The nodes tf.train.Saver (V2, not sharded) and tf.global_variables_initializer add to a TF1
/// graph, the matching SaverDef, and the variable collections of the MetaGraphDef.
/// </summary>
public static class SaverGraph
{
    public static MetaGraphDef Build(GraphWriter g, IReadOnlyList<VariableDef> vars)
    {
        var names = vars.Select(v => v.VariableName[..^2]).Order(StringComparer.Ordinal).ToArray();
        var dtypes = Attr.Types(names.Select(_ => DataType.DtFloat));
        g.Add("init", "NoOp", vars.Select(v => "^" + v.InitializerName));

        var str = Attr.Type(DataType.DtString);
        g.Const("save/filename/input", TfTensors.Strings("model"));
        g.Add("save/filename", "PlaceholderWithDefault", ["save/filename/input"], ("dtype", str), ("shape", Attr.Shape(new TensorShapeProto())));
        g.Add("save/Const", "PlaceholderWithDefault", ["save/filename"], ("dtype", str), ("shape", Attr.Shape(new TensorShapeProto())));
        foreach (var op in new[] { "SaveV2", "RestoreV2" })
        {
            g.Const($"save/{op}/tensor_names", TfTensors.Strings(names));
            g.Const($"save/{op}/shape_and_slices", TfTensors.Strings(names.Select(_ => "").ToArray()));
            if (op == "SaveV2")
            {
                g.Add("save/SaveV2", "SaveV2", ["save/Const", "save/SaveV2/tensor_names", "save/SaveV2/shape_and_slices", .. names], ("dtypes", dtypes));
                g.Add("save/control_dependency", "Identity", ["save/Const", "^save/SaveV2"], ("T", str), ("_class", Attr.Strings("loc:@save/Const")));
            }
            else
                g.Add("save/RestoreV2", "RestoreV2", ["save/Const", "save/RestoreV2/tensor_names", "save/RestoreV2/shape_and_slices"], ("dtypes", dtypes));
        }
        var assigns = new List<string>();
        for (var i = 0; i < names.Length; i++)
            assigns.Add(g.Add(i == 0 ? "save/Assign" : $"save/Assign_{i}", "Assign", [names[i], $"save/RestoreV2:{i}"], ("T", Attr.Float),
                ("_class", Attr.Strings("loc:@" + names[i])), ("use_locking", Attr.B(true)), ("validate_shape", Attr.B(true))));
        g.Add("save/restore_all", "NoOp", assigns.Select(a => "^" + a));

        var meta = new MetaGraphDef
        {
            MetaInfoDef = new MetaGraphDef.Types.MetaInfoDef { MetaGraphVersion = "v1.15.0", TensorflowVersion = "1.15.0", TensorflowGitVersion = "eastbake-model-generator" },
            GraphDef = g.Graph,
            SaverDef = new SaverDef
            {
                FilenameTensorName = "save/Const:0", SaveTensorName = "save/control_dependency:0", RestoreOpName = "save/restore_all",
                MaxToKeep = 5, KeepCheckpointEveryNHours = 10000f, Version = SaverDef.Types.CheckpointFormatVersion.V2,
            },
        };
        meta.CollectionDef.Add("trainable_variables", Collection(vars.Where(v => v.Trainable)));
        meta.CollectionDef.Add("variables", Collection(vars));
        return meta;
    }

    private static CollectionDef Collection(IEnumerable<VariableDef> vars)
    {
        var list = new CollectionDef.Types.BytesList();
        list.Value.Add(vars.Select(v => v.ToByteString()));
        return new CollectionDef { BytesList = list };
    }
}
