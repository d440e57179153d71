using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Import;

/// <summary>Decides which tensors a graph import keeps: the requested ones, EAST's pair, or the sinks.</summary>
internal static class OutputSelector
{
    public static IReadOnlyList<TensorRef> Select(IReadOnlyDictionary<string, NodeDef> nodes, IEnumerable<NodeDef> order,
        IReadOnlyList<string>? requested, string? file)
    {
        if (requested is not null)
            return requested.Select(r => Resolve(r, nodes, file)).ToList();
        if (ImportOptions.EastOutputs.All(nodes.ContainsKey))
            return ImportOptions.EastOutputs.Select(TensorRef.Parse).ToList();
        return Sinks(order);
    }

    /// <summary>A requested name, checked to exist (EB1032 lists the 3 closest names otherwise).</summary>
    public static TensorRef Resolve(string name, IReadOnlyDictionary<string, NodeDef> nodes, string? file)
    {
        var r = TensorRef.Parse(name);
        if (nodes.ContainsKey(r.Node)) return r;
        var close = NameSuggester.Closest(r.Node, nodes.Keys);
        throw new EastBakeException(ErrorCodes.NodeNotFound,
            $"no node named '{r.Node}' in the graph; closest names: {string.Join(", ", close.Select(c => $"'{c}'"))}",
            file, r.Node);
    }

    /// <summary>Nodes whose outputs no other node reads, leaving out bookkeeping ops (saving, init, training).</summary>
    private static IReadOnlyList<TensorRef> Sinks(IEnumerable<NodeDef> order)
    {
        var all = order.ToList();
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in all)
            foreach (var i in n.Input)
            {
                var r = TensorRef.Parse(i);
                if (!r.IsControl) read.Add(r.Node);
            }
        return all.Where(n => !read.Contains(n.Name) && !IsBookkeeping(n))
            .Select(n => new TensorRef(n.Name, 0, false)).ToList();
    }

    private static bool IsBookkeeping(NodeDef n) =>
        n.Op is "NoOp" or "Assert" || n.Name.StartsWith("save/", StringComparison.Ordinal)
        || n.Op.StartsWith("Assign", StringComparison.Ordinal) || n.Op.StartsWith("Apply", StringComparison.Ordinal)
        || n.Op.StartsWith("ResourceApply", StringComparison.Ordinal)
        || n.Op.StartsWith("Save", StringComparison.Ordinal) || n.Op.StartsWith("Restore", StringComparison.Ordinal);
}
