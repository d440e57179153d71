using EastBake.Compiler.Ir;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>Readers of every value, graph outputs and node positions, computed once (Graph.Consumers scans all nodes).</summary>
internal sealed class GraphIndex
{
    private readonly Dictionary<Value, List<(Node Node, int Slot)>> _readers = [];
    private readonly Dictionary<Node, int> _position = [];
    private readonly HashSet<Value> _outputs;

    public GraphIndex(Graph g)
    {
        Graph = g;
        for (int i = 0; i < g.Nodes.Count; i++)
        {
            var n = g.Nodes[i];
            _position[n] = i;
            for (int s = 0; s < n.Inputs.Count; s++)
            {
                if (!_readers.TryGetValue(n.Inputs[s], out var list)) _readers[n.Inputs[s]] = list = [];
                list.Add((n, s));
            }
        }
        _outputs = [.. g.Outputs];
    }

    public Graph Graph { get; }

    public IReadOnlyList<(Node Node, int Slot)> Readers(Value v) => _readers.TryGetValue(v, out var l) ? l : [];

    public bool IsOutput(Value v) => _outputs.Contains(v);

    /// <summary>The one node reading <paramref name="v"/> (once), when <paramref name="v"/> is not also a graph output.</summary>
    public Node? SoleReader(Value v)
    {
        var r = Readers(v);
        return r.Count == 1 && !IsOutput(v) ? r[0].Node : null;
    }

    public int Position(Node n) => _position[n];

    /// <summary>The constant behind <paramref name="v"/> (through Identity), or null.</summary>
    public static Tensor? ConstOf(Value v)
    {
        var p = v.Producer;
        while (p.Op == Ops.Identity && p.Inputs.Count == 1) p = p.Inputs[0].Producer;
        return p.IsConst ? p.ConstValue : null;
    }
}
