using EastBake.Compiler.Protos.Tf;

namespace EastBake.ModelGenerator.Graph;

/// <summary>Appends NodeDefs to a GraphDef; attributes are stored in ordinal key order (deterministic bytes).</summary>
public sealed class GraphWriter
{
    public GraphDef Graph { get; } = new() { Versions = new VersionDef { Producer = 24 } };

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public string Add(string name, string op, IEnumerable<string> inputs, params (string Key, AttrValue Value)[] attrs)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"Duplicate node name '{name}'.");
        var node = new NodeDef { Name = name, Op = op };
        node.Input.Add(inputs);
        foreach (var (k, v) in attrs.OrderBy(a => a.Key, StringComparer.Ordinal)) node.Attr.Add(k, v);
        Graph.Node.Add(node);
        return name;
    }

    public string Const(string name, TensorProto value) =>
        Add(name, "Const", [], ("dtype", Attr.Type(value.Dtype)), ("value", Attr.Tensor(value)));

    /// <summary>A float binary/unary op with only the T attribute (Sub, Mul, Add, Relu, Sigmoid, Identity…).</summary>
    public string FloatOp(string name, string op, params string[] inputs) => Add(name, op, inputs, ("T", Attr.Float));
}
