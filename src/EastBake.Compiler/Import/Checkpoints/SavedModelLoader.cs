using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;
using Google.Protobuf;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>
/// Loads a SavedModel directory (<c>saved_model.pb</c> plus <c>variables/variables.index</c> and
/// data, or the same files flattened beside it) and freezes its "serve" graph. Unless the
/// options say otherwise, inputs and outputs are those of signature "serving_default".
/// </summary>
public static class SavedModelLoader
{
    public const string GraphFile = "saved_model.pb";
    public const string DefaultSignature = "serving_default";

    public static bool IsSavedModel(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, GraphFile));

    public static FrozenModel Load(string dir, ImportOptions options)
    {
        var file = Path.Combine(dir, GraphFile);
        var meta = ServeGraph(file);
        var signature = meta.SignatureDef.GetValueOrDefault(DefaultSignature);
        var effective = new ImportOptions
        {
            Inputs = options.Inputs ?? signature?.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => i.Value.Name).ToList(),
            Outputs = options.Outputs ?? signature?.Outputs.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value.Name).ToList(),
            ConstantsFrom = options.ConstantsFrom,
        };
        var prefix = new[] { Path.Combine(dir, "variables", "variables"), Path.Combine(dir, "variables") }
            .FirstOrDefault(p => File.Exists(p + ".index"));
        if (prefix is null)
        {
            if (meta.GraphDef.Node.Any(n => n.Op is "VariableV2" or "Variable" or "VarHandleOp"))
                throw new EastBakeException(ErrorCodes.ModelIsSavedModel,
                    "SavedModel has variables but no variables/variables.index checkpoint: freeze it first " +
                    "(TF: tf.compat.v1.graph_util.convert_variables_to_constants, or the freeze_graph tool) and pass the frozen .pb, " +
                    "or restore the variables/ folder beside saved_model.pb", dir);
            return new FrozenModel(FunctionInliner.Inline(meta.GraphDef, file), effective);
        }
        return CheckpointLoader.Freeze(meta.GraphDef, new TensorBundleReader(prefix), effective, file);
    }

    private static MetaGraphDef ServeGraph(string file)
    {
        SavedModel model;
        try
        {
            model = SavedModel.Parser.ParseFrom(File.ReadAllBytes(file));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new EastBakeException(ErrorCodes.ModelNotGraphDef, $"not a SavedModel: {e.Message}", file, inner: e);
        }
        return model.MetaGraphs.FirstOrDefault(m => m.MetaInfoDef?.Tags.Contains("serve") == true)
            ?? model.MetaGraphs.FirstOrDefault()
            ?? throw new EastBakeException(ErrorCodes.ModelNotGraphDef, "SavedModel holds no meta graph", file);
    }
}
