using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;
using Google.Protobuf;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>
/// Finds the checkpoint key holding a variable's value. TF1 name-based checkpoints key by the
/// variable's name (VarHandleOp: its shared_name). TF2 object-based checkpoints key by object path
/// (<c>a/.ATTRIBUTES/VARIABLE_VALUE</c>); the <c>_CHECKPOINTABLE_OBJECT_GRAPH</c> entry maps each
/// variable's full name to that key.
/// </summary>
internal sealed class VariableKeyResolver
{
    private const string ObjectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";
    private readonly TensorBundleReader _bundle;
    private readonly Dictionary<string, string> _byFullName = new(StringComparer.Ordinal);

    public VariableKeyResolver(TensorBundleReader bundle)
    {
        _bundle = bundle;
        if (!bundle.Contains(ObjectGraphKey)) return;
        TrackableObjectGraph graph;
        try
        {
            graph = TrackableObjectGraph.Parser.ParseFrom(bundle.ReadScalarString(ObjectGraphKey));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new EastBakeException(ErrorCodes.CheckpointCorrupt, $"bad {ObjectGraphKey} entry: {e.Message}", bundle.IndexFile, ObjectGraphKey, inner: e);
        }
        foreach (var attr in graph.Nodes.SelectMany(n => n.Attributes))
            if (attr.FullName.Length > 0) _byFullName.TryAdd(attr.FullName, attr.CheckpointKey);
    }

    public bool IsObjectBased => _byFullName.Count > 0;

    /// <summary>The key for a variable node, or null when the checkpoint has no value for it.</summary>
    public string? KeyFor(NodeDef variable)
    {
        var name = variable.Op == "VarHandleOp" && variable.Attr.TryGetValue("shared_name", out var s) && !s.S.IsEmpty
            ? s.S.ToStringUtf8() : variable.Name;
        if (_bundle.Contains(name)) return name;
        if (_byFullName.TryGetValue(name, out var key) && _bundle.Contains(key)) return key;
        return null;
    }
}
