using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Import;

/// <summary>Which NodeDefs a set of outputs depends on through data edges (control edges are dropped).</summary>
internal static class GraphDefReach
{
    /// <param name="cut">Nodes that become inputs: reached, but their own inputs are not followed.</param>
    /// <param name="strict">An input naming a node that does not exist is EB1030 (naming <paramref name="file"/>); otherwise it is skipped.</param>
    public static HashSet<string> From(IEnumerable<string> outputs, IReadOnlyDictionary<string, NodeDef> byName,
        IReadOnlySet<string> cut, string? file, bool strict)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(outputs);
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (!seen.Add(name) || cut.Contains(name)) continue;
            foreach (var r in byName[name].Input.Select(TensorRef.Parse).Where(r => !r.IsControl))
            {
                if (byName.ContainsKey(r.Node)) stack.Push(r.Node);
                else if (strict)
                    throw new EastBakeException(ErrorCodes.MissingInput,
                        $"node '{name}' reads '{r.Node}', which is not in the graph" +
                        (file?.EndsWith(".pbtxt", StringComparison.OrdinalIgnoreCase) == true
                            ? " (a text graph in OpenCV's config style needs its binary .pb: ImportOptions.ConstantsFrom)" : ""),
                        file, name);
            }
        }
        return seen;
    }

    public static Dictionary<string, NodeDef> Index(GraphDef def)
    {
        var byName = new Dictionary<string, NodeDef>(StringComparer.Ordinal);
        foreach (var n in def.Node) byName.TryAdd(n.Name, n);
        return byName;
    }
}
