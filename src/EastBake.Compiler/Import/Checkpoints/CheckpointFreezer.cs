using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>
/// What TF's convert_variables_to_constants does: keeps the nodes the outputs need, replaces each
/// variable (VariableV2, Variable, VarHandleOp) by a Const holding its checkpoint value, and each
/// ReadVariableOp by an Identity.
/// </summary>
public static class CheckpointFreezer
{
    private static readonly HashSet<string> VariableOps = new(StringComparer.Ordinal) { "VariableV2", "Variable", "VarHandleOp" };

    /// <param name="outputs">Output node names to keep.</param>
    /// <param name="inputs">Nodes that will become graph inputs (their inputs are not kept).</param>
    public static GraphDef Freeze(GraphDef graph, TensorBundleReader bundle, IEnumerable<string> outputs,
        IReadOnlySet<string>? inputs = null, string? file = null)
    {
        var byName = GraphDefReach.Index(graph);
        var cut = inputs ?? new HashSet<string>();
        var keep = GraphDefReach.From(outputs, byName, cut, file, strict: false);
        var keys = new Lazy<VariableKeyResolver>(() => new VariableKeyResolver(bundle)); // read only when a variable is kept

        var frozen = new GraphDef { Versions = graph.Versions?.Clone(), Version = graph.Version };
        foreach (var node in graph.Node.Where(n => keep.Contains(n.Name) && byName[n.Name] == n))
        {
            if (cut.Contains(node.Name)) frozen.Node.Add(node.Clone());
            else if (VariableOps.Contains(node.Op)) frozen.Node.Add(ToConst(node, bundle, keys.Value));
            else if (node.Op == "ReadVariableOp") frozen.Node.Add(ToIdentity(node));
            else frozen.Node.Add(node.Clone());
        }
        return frozen;
    }

    private static NodeDef ToConst(NodeDef variable, TensorBundleReader bundle, VariableKeyResolver keys)
    {
        var key = keys.KeyFor(variable) ?? throw new EastBakeException(ErrorCodes.CheckpointVariableMissing,
            $"the checkpoint holds no value for variable '{variable.Name}' ({variable.Op})", bundle.IndexFile, variable.Name);
        var value = bundle.ReadTensorProto(key);
        var c = new NodeDef { Name = variable.Name, Op = "Const", Device = variable.Device };
        c.Attr["dtype"] = new AttrValue { Type = value.Dtype };
        c.Attr["value"] = new AttrValue { Tensor = value };
        return c;
    }

    private static NodeDef ToIdentity(NodeDef read)
    {
        var id = new NodeDef { Name = read.Name, Op = "Identity", Device = read.Device };
        id.Input.AddRange(read.Input);
        if (read.Attr.TryGetValue("dtype", out var t)) id.Attr["T"] = t.Clone();
        return id;
    }
}
