using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;
using Google.Protobuf;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>
/// Loads a TF1 checkpoint given by its prefix (<c>model.ckpt</c> → <c>.meta</c>, <c>.index</c>,
/// <c>.data-*</c>) and freezes it.
/// </summary>
public static class CheckpointLoader
{
    /// <summary>True when <paramref name="path"/> is a checkpoint prefix or its <c>.meta</c>/<c>.index</c> file.</summary>
    public static bool IsCheckpoint(string path) =>
        !File.Exists(path) && (File.Exists(path + ".meta") || File.Exists(path + ".index"))
        || path.EndsWith(".meta", StringComparison.Ordinal) || path.EndsWith(".index", StringComparison.Ordinal);

    public static FrozenModel Load(string path, ImportOptions options)
    {
        var prefix = path.EndsWith(".meta", StringComparison.Ordinal) || path.EndsWith(".index", StringComparison.Ordinal)
            ? path[..path.LastIndexOf('.')] : path;
        var meta = ReadMetaGraph(prefix + ".meta");
        var bundle = new TensorBundleReader(prefix);
        return Freeze(meta.GraphDef, bundle, options, prefix + ".meta");
    }

    public static MetaGraphDef ReadMetaGraph(string metaPath)
    {
        if (!File.Exists(metaPath))
            throw new EastBakeException(ErrorCodes.CheckpointMissingFile, "checkpoint graph (.meta) not found", metaPath);
        try
        {
            var meta = MetaGraphDef.Parser.ParseFrom(File.ReadAllBytes(metaPath));
            return meta.GraphDef is { Node.Count: > 0 } ? meta
                : throw new EastBakeException(ErrorCodes.ModelNotGraphDef, "the .meta file holds no graph", metaPath);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new EastBakeException(ErrorCodes.ModelNotGraphDef, $"not a MetaGraphDef: {e.Message}", metaPath, inner: e);
        }
    }

    /// <summary>Resolves the outputs on the unfrozen graph, freezes what they need, and pins them for the import.</summary>
    internal static FrozenModel Freeze(GraphDef graph, TensorBundleReader bundle, ImportOptions options, string file)
    {
        graph = FunctionInliner.Inline(graph, file);
        var byName = GraphDefReach.Index(graph);
        var outputs = OutputSelector.Select(byName, graph.Node, options.Outputs, file);
        var inputs = (options.Inputs ?? []).Select(i => OutputSelector.Resolve(i, byName, file).Node).ToHashSet(StringComparer.Ordinal);
        var frozen = CheckpointFreezer.Freeze(graph, bundle, outputs.Select(o => o.Node), inputs, file);
        var names = outputs.Select(o => o.Index == 0 ? o.Node : $"{o.Node}:{o.Index}").ToList();
        return new FrozenModel(frozen, new ImportOptions { Inputs = options.Inputs, Outputs = names, ConstantsFrom = options.ConstantsFrom });
    }
}
