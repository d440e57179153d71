using EastBake.Compiler.Protos.Tf;
using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Import;

/// <summary>
/// Inlines TF2 function calls (StatefulPartitionedCall / PartitionedCall) from the graph's function
/// library, so a TF2 SavedModel becomes a flat TF1-style graph the freezer and importer understand.
/// Body node <c>n</c> of call <c>C</c> becomes <c>C/n</c>; the call itself becomes an Identity per
/// output (named <c>C</c> for output 0, so signature names such as <c>C:0</c> still resolve).
/// </summary>
internal static class FunctionInliner
{
    private const int MaxNesting = 32;

    public static GraphDef Inline(GraphDef graph, string? file)
    {
        if (graph.Library is null || graph.Library.Function.Count == 0) return graph;
        var functions = graph.Library.Function.ToDictionary(f => f.Signature.Name, StringComparer.Ordinal);
        var g = graph.Clone();
        for (var round = 0; round < MaxNesting; round++)
        {
            var calls = g.Node.Where(IsCall).ToList();
            if (calls.Count == 0) return g;
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var call in calls)
            {
                var name = call.Attr["f"].Func.Name;
                var f = functions.GetValueOrDefault(name)
                    ?? throw new EastBakeException(ErrorCodes.UnsupportedOp, $"calls function '{name}', which the library does not define", file, call.Name);
                g.Node.Remove(call);
                g.Node.AddRange(Expand(call, f, renames));
            }
            foreach (var n in g.Node)
                for (var i = 0; i < n.Input.Count; i++)
                    if (renames.TryGetValue(n.Input[i], out var to)) n.Input[i] = to;
        }
        throw new EastBakeException(ErrorCodes.UnsupportedOp, $"function calls nest deeper than {MaxNesting}", file);
    }

    private static bool IsCall(NodeDef n) =>
        n.Op is "StatefulPartitionedCall" or "PartitionedCall" && n.Attr.TryGetValue("f", out var f) && f.Func is not null;

    private static IEnumerable<NodeDef> Expand(NodeDef call, FunctionDef f, Dictionary<string, string> renames)
    {
        var prefix = call.Name + "/";
        var dataInputs = call.Input.Where(i => !i.StartsWith('^')).ToList();
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < f.Signature.InputArg.Count && i < dataInputs.Count; i++) args[f.Signature.InputArg[i].Name] = dataInputs[i];

        string? Rewrite(string input)
        {
            if (input.StartsWith('^')) return args.ContainsKey(input[1..]) ? null : "^" + prefix + input[1..];
            var parts = input.Split(':');
            if (parts.Length == 1) return args.TryGetValue(input, out var outer) ? outer : prefix + input;
            var body = f.NodeDef.FirstOrDefault(n => n.Name == parts[0]);
            var index = FlatOutputIndex(body?.Op, parts[1], parts.Length > 2 ? int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) : 0);
            return index == 0 ? prefix + parts[0] : $"{prefix}{parts[0]}:{index}";
        }

        foreach (var n in f.NodeDef)
        {
            var copy = n.Clone();
            copy.Name = prefix + n.Name;
            copy.Input.Clear();
            copy.Input.AddRange(n.Input.Select(Rewrite).OfType<string>());
            yield return copy;
        }
        for (var i = 0; i < f.Signature.OutputArg.Count; i++)
        {
            var arg = f.Signature.OutputArg[i];
            var id = new NodeDef { Name = i == 0 ? call.Name : $"{call.Name}/output_{i}", Op = "Identity" };
            id.Input.Add(Rewrite(f.Ret[arg.Name])!);
            if (arg.Type != DataType.DtInvalid) id.Attr["T"] = new AttrValue { Type = arg.Type };
            if (i > 0) renames[$"{call.Name}:{i}"] = id.Name;
            yield return id;
        }
    }

    /// <summary>
    /// Body tensors are named by output argument (<c>node:arg:i</c>). Almost every op has a single
    /// output argument, where the flat index is i; FusedBatchNorm's outputs are one argument each.
    /// </summary>
    private static int FlatOutputIndex(string? op, string arg, int i) => op is not null && Ops.IsFusedBatchNorm(op)
        ? Array.IndexOf(["y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2", "reserve_space_3"], arg) is var k and >= 0 ? k : i
        : i;
}
