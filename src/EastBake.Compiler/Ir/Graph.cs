using EastBake.Diagnostics;

namespace EastBake.Compiler.Ir;

/// <summary>
/// A dataflow graph in TensorFlow's conventions (NHWC activations, HWIO filters). Nodes are
/// kept in topological order by <see cref="TopologicalSort"/>; optimizer passes mutate the
/// graph in place and call it when they insert nodes.
/// </summary>
public sealed class Graph
{
    private readonly Dictionary<string, Node> _byName = new(StringComparer.Ordinal);

    public Graph(string? sourceFile = null) => SourceFile = sourceFile;

    /// <summary>The model file this graph came from, for error messages.</summary>
    public string? SourceFile { get; set; }

    public List<Node> Nodes { get; } = new();

    /// <summary>Graph inputs: outputs of Placeholder nodes, in declaration order.</summary>
    public List<Value> Inputs { get; } = new();

    /// <summary>Requested outputs, in order.</summary>
    public List<Value> Outputs { get; } = new();

    /// <summary>
    /// Model facts recorded by the importer (see <see cref="MetadataKeys"/>), e.g. that the
    /// graph subtracts the RGB means itself. Travels into plans.
    /// </summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public Node? Find(string name) => _byName.GetValueOrDefault(name);

    public Node this[string name] => Find(name)
        ?? throw new EastBakeException(ErrorCodes.NodeNotFound, $"no node named '{name}'", SourceFile, name);

    /// <summary>Resolves a tensor name (<c>node</c>, <c>node:0</c>, <c>node:1</c>).</summary>
    public Value? FindValue(string tensorName)
    {
        var (node, index) = ParseTensorName(tensorName);
        var n = Find(node);
        return n is not null && index < n.Outputs.Count ? n.Outputs[index] : null;
    }

    public static (string Node, int Index) ParseTensorName(string name)
    {
        var colon = name.LastIndexOf(':');
        if (colon > 0 && int.TryParse(name.AsSpan(colon + 1), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var idx))
            return (name[..colon], idx);
        return (name, 0);
    }

    /// <summary>Creates a node with a unique name (suffixing <c>_1</c>, <c>_2</c>… on collision).</summary>
    public Node AddNode(string name, string op, IEnumerable<Value>? inputs = null, int outputs = 1,
        ElementType type = ElementType.Float32)
    {
        var unique = name;
        for (var i = 1; _byName.ContainsKey(unique); i++) unique = $"{name}_{i}";
        var node = new Node(unique, op);
        if (inputs is not null) node.Inputs.AddRange(inputs);
        for (var i = 0; i < outputs; i++) node.AddOutput(type);
        node.Origins.Add(unique);
        _byName[unique] = node;
        Nodes.Add(node);
        return node;
    }

    public Node AddConst(string name, Tensor value)
    {
        var node = AddNode(name, Ops.Const, type: value.Type);
        node.Attrs[Attr.Value] = value;
        node.Attrs[Attr.DType] = value.Type;
        node.Output.Shape = value.IrShape;
        return node;
    }

    /// <summary>Removes a node. Its outputs must no longer be used.</summary>
    public void Remove(Node node)
    {
        Nodes.Remove(node);
        _byName.Remove(node.Name);
        Inputs.RemoveAll(v => v.Producer == node);
    }

    /// <summary>Every (node, input slot) that reads <paramref name="value"/>.</summary>
    public IEnumerable<(Node Node, int Slot)> Consumers(Value value)
    {
        foreach (var n in Nodes)
            for (var i = 0; i < n.Inputs.Count; i++)
                if (n.Inputs[i] == value) yield return (n, i);
    }

    /// <summary>Number of reads of <paramref name="value"/>, counting graph outputs.</summary>
    public int UseCount(Value value) => Consumers(value).Count() + Outputs.Count(o => o == value);

    /// <summary>Redirects every reader of <paramref name="from"/> (graph outputs too) to <paramref name="to"/>.</summary>
    public void ReplaceAllUses(Value from, Value to)
    {
        foreach (var n in Nodes)
            for (var i = 0; i < n.Inputs.Count; i++)
                if (n.Inputs[i] == from) n.Inputs[i] = to;
        for (var i = 0; i < Outputs.Count; i++)
            if (Outputs[i] == from) Outputs[i] = to;
    }

    /// <summary>Reorders <see cref="Nodes"/> so producers come before consumers; a cycle is EB1031.</summary>
    public void TopologicalSort()
    {
        var state = new Dictionary<Node, int>(); // 1 = visiting, 2 = done
        var order = new List<Node>(Nodes.Count);
        foreach (var root in Nodes)
        {
            if (state.ContainsKey(root)) continue;
            // Iterative DFS: deep graphs (ResNet) must not overflow the stack.
            var stack = new Stack<(Node Node, int Next)>();
            stack.Push((root, 0));
            state[root] = 1;
            while (stack.Count > 0)
            {
                var (n, next) = stack.Pop();
                if (next < n.Inputs.Count)
                {
                    stack.Push((n, next + 1));
                    var p = n.Inputs[next].Producer;
                    if (!state.TryGetValue(p, out var s))
                    {
                        state[p] = 1;
                        stack.Push((p, 0));
                    }
                    else if (s == 1)
                        throw new EastBakeException(ErrorCodes.GraphCycle,
                            $"the graph has a cycle through '{p.Name}' and '{n.Name}'", SourceFile, p.Name);
                }
                else
                {
                    state[n] = 2;
                    order.Add(n);
                }
            }
        }
        Nodes.Clear();
        Nodes.AddRange(order);
    }

    /// <summary>Deep copy (constants are shared: they are immutable by convention).</summary>
    public Graph Clone()
    {
        var g = new Graph(SourceFile);
        var map = new Dictionary<Value, Value>();
        foreach (var n in Nodes)
        {
            var c = new Node(n.Name, n.Op);
            foreach (var (k, v) in n.Attrs) c.Attrs[k] = v is Array a ? a.Clone() : v;
            c.Origins.AddRange(n.Origins);
            foreach (var o in n.Outputs)
            {
                var co = c.AddOutput(o.Type);
                co.Shape = o.Shape;
                map[o] = co;
            }
            g._byName[c.Name] = c;
            g.Nodes.Add(c);
        }
        for (var i = 0; i < Nodes.Count; i++)
            foreach (var inp in Nodes[i].Inputs)
                g.Nodes[i].Inputs.Add(map[inp]);
        g.Inputs.AddRange(Inputs.Select(v => map[v]));
        g.Outputs.AddRange(Outputs.Select(v => map[v]));
        foreach (var (k, v) in Metadata) g.Metadata[k] = v;
        return g;
    }

    /// <summary>Renames a node (keeps the name index consistent).</summary>
    public void Rename(Node node, string newName)
    {
        _byName.Remove(node.Name);
        node.Name = newName;
        _byName[newName] = node;
    }
}

/// <summary>Keys of <see cref="Graph.Metadata"/>.</summary>
public static class MetadataKeys
{
    /// <summary>
    /// "true" when the graph subtracts the RGB means itself (Split → Sub(const) → ConcatV2 right
    /// after the input): the runtime then feeds raw 0–255 RGB. "false" when callers must subtract.
    /// </summary>
    public const string InGraphMeanSubtraction = "in_graph_mean_subtraction";

    /// <summary>The means subtracted in-graph, "r,g,b", when <see cref="InGraphMeanSubtraction"/> is true.</summary>
    public const string InGraphMeans = "in_graph_means";

    /// <summary>Original input tensor name.</summary>
    public const string InputName = "input_name";
}
