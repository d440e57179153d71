using EastBake.Compiler.Import.Checkpoints;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Import;

/// <summary>
/// The importer's entry point: loads a TensorFlow model from any of the forms EastBake accepts
/// and returns the IR graph. A frozen GraphDef (<c>.pb</c>, binary or text <c>.pbtxt</c>) is
/// imported as is; a SavedModel directory or a checkpoint prefix is frozen first.
/// </summary>
public static class ModelLoader
{
    public static Graph Load(string path, ImportOptions? options = null)
    {
        var model = LoadFrozen(path, options ?? new ImportOptions());
        return TfImporter.Import(model.Graph, path, model.Options);
    }

    /// <summary>The frozen GraphDef a path stands for (before conversion to the IR).</summary>
    public static GraphDef LoadGraphDef(string path, ImportOptions options) => LoadFrozen(path, options).Graph;

    /// <summary>The frozen GraphDef and the inputs/outputs to import it with.</summary>
    public static FrozenModel LoadFrozen(string path, ImportOptions options)
    {
        if (SavedModelLoader.IsSavedModel(path)) return SavedModelLoader.Load(path, options);
        if (Path.GetFileName(path) == SavedModelLoader.GraphFile && File.Exists(path))
            return SavedModelLoader.Load(Path.GetDirectoryName(Path.GetFullPath(path))!, options);
        if (Directory.Exists(path))
            throw new EastBakeException(ErrorCodes.ModelNotFound,
                $"'{path}' is a directory without {SavedModelLoader.GraphFile}; pass a .pb, a SavedModel directory or a checkpoint prefix", path);
        if (CheckpointLoader.IsCheckpoint(path)) return CheckpointLoader.Load(path, options);
        if (!File.Exists(path))
            throw new EastBakeException(ErrorCodes.ModelNotFound, "model file not found", path);
        var def = GraphDefReader.Read(path);
        if (options.ConstantsFrom is { } weights) AddMissingConstants(def, GraphDefReader.Read(weights));
        return new FrozenModel(def, options);
    }

    /// <summary>OpenCV's model + config convention: a text graph takes the constants it names from a binary one.</summary>
    private static void AddMissingConstants(GraphDef def, GraphDef weights)
    {
        var have = def.Node.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var wanted = def.Node.SelectMany(n => n.Input).Select(i => TensorRef.Parse(i).Node).ToHashSet(StringComparer.Ordinal);
        foreach (var n in weights.Node)
            if (n.Op == Ops.Const && wanted.Contains(n.Name) && have.Add(n.Name))
                def.Node.Add(n);
    }
}
