using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Diagnostics;
using Google.Protobuf;

namespace EastBake.Compiler.Onnx;

/// <summary>An IR value as exported: its ONNX name, element order and rank (-1 unknown).</summary>
public sealed record Emitted(string Name, Layout Layout, int Rank);

/// <summary>
/// State of one export: which ONNX tensor holds each IR value and in which layout, the nodes and
/// initializers written so far. Converters ask for inputs in the layout they want
/// (<see cref="Input"/>) and the context inserts (and caches) the Transposes.
/// </summary>
public sealed class ExportContext
{
    private readonly Dictionary<Value, Emitted> _values = new();
    private readonly Dictionary<(Value, Layout), string> _transposed = new();
    private readonly Dictionary<string, string> _sharedInitializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);

    internal ExportContext(Graph graph, OnnxExportOptions options)
    {
        Graph = graph;
        Options = options;
        foreach (var n in graph.Nodes)
            foreach (var o in n.Outputs) _names.Add(o.Name);
    }

    public Graph Graph { get; }
    public OnnxExportOptions Options { get; }
    public GraphProto Proto { get; } = new();

    public bool IsEmitted(Value v) => _values.ContainsKey(v);

    /// <summary>The exported form of <paramref name="v"/>; constants are written on first use.</summary>
    public Emitted Get(Value v)
    {
        if (_values.TryGetValue(v, out var e)) return e;
        if (ConstOf(v) is { } t)
        {
            // Identity chains over a Const alias the Const's initializer.
            var src = v.Producer;
            while (!src.IsConst) src = src.Inputs[0].Producer;
            if (!_values.TryGetValue(src.Output, out var c))
            {
                Proto.Initializer.Add(OnnxTensors.ToProto(src.Output.Name, t, Options));
                c = new Emitted(src.Output.Name, Layout.Tf, t.Rank);
                _values[src.Output] = c;
            }
            _values[v] = c;
            return c;
        }
        throw new EastBakeException(ErrorCodes.OnnxExportUnsupported,
            $"value '{v.Name}' is used before its producer {v.Producer.Op} was exported", Graph.SourceFile, v.Producer.Name);
    }

    /// <summary>Rank of <paramref name="v"/>: as exported, else from its shape, else -1.</summary>
    public int Rank(Value v) => _values.TryGetValue(v, out var e) && e.Rank >= 0 ? e.Rank
        : v.Shape.RankKnown ? v.Shape.Rank : ConstOf(v)?.Rank ?? -1;

    /// <summary>True when <paramref name="v"/> is 4-D and currently held channel-first.</summary>
    public bool IsNchw(Value v) => IsEmitted(v) && Get(v).Layout == Layout.Nchw;

    /// <summary>The ONNX name of <paramref name="v"/> in layout <paramref name="want"/> (Transpose inserted when needed).</summary>
    public string Input(Value v, Layout want)
    {
        var e = Get(v);
        if (e.Layout == want) return e.Name;
        if (e.Rank != 4)
            throw new EastBakeException(ErrorCodes.OnnxExportUnsupported,
                $"'{v.Name}' is needed channel-first but is not a 4-D tensor (rank {e.Rank})", Graph.SourceFile, v.Producer.Name);
        if (_transposed.TryGetValue((v, want), out var name)) return name;
        if (ConstOf(v) is { } t)
        {
            name = Initializer(v.Name + (want == Layout.Nchw ? "/nchw" : "/nhwc"),
                OnnxTensors.Transpose(t, want == Layout.Nchw ? LayoutAxes.ToNchw : LayoutAxes.ToNhwc));
        }
        else
        {
            name = Fresh(v.Name + (want == Layout.Nchw ? "/to_nchw" : "/to_nhwc"));
            AddNode("Transpose", name, [e.Name], [name])
                .Attribute.Add(Ints("perm", want == Layout.Nchw ? LayoutAxes.ToNchw : LayoutAxes.ToNhwc));
        }
        _transposed[(v, want)] = name;
        return name;
    }

    /// <summary>
    /// <paramref name="v"/> channel-first, for ops that only take 4-D inputs (Conv2D, pooling, batch
    /// norm, resize): an input of unknown rank (a Placeholder without a shape) is 4-D by that fact.
    /// </summary>
    public string Input4D(Value v)
    {
        var e = Get(v);
        if (e.Rank < 0) _values[v] = e with { Rank = 4 };
        return Input(v, Layout.Nchw);
    }

    /// <summary>Records that IR value <paramref name="v"/> is ONNX tensor <paramref name="name"/>.</summary>
    public void Set(Value v, string name, Layout layout, int rank = -1)
    {
        if (rank < 0 && v.Shape.RankKnown) rank = v.Shape.Rank;
        _values[v] = new Emitted(name, rank == 4 ? layout : Layout.Tf, rank);
    }

    /// <summary>The constant behind <paramref name="v"/> (through Identity chains), or null.</summary>
    public static Tensor? ConstOf(Value v)
    {
        var n = v.Producer;
        while (n.Op == Ops.Identity && n.Inputs.Count == 1) n = n.Inputs[0].Producer;
        return n.IsConst ? n.ConstValue : null;
    }

    /// <summary>A name no IR value and no earlier helper uses.</summary>
    public string Fresh(string baseName)
    {
        var name = baseName;
        for (var i = 1; !_names.Add(name); i++) name = $"{baseName}_{i}";
        return name;
    }

    public NodeProto AddNode(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        // ONNX node names must be unique; a clash (helper vs TF name) gets a suffix.
        var unique = name;
        for (var i = 1; !_nodeNames.Add(unique); i++) unique = $"{name}_{i}";
        var n = new NodeProto { OpType = opType, Name = unique };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        Proto.Node.Add(n);
        return n;
    }

    /// <summary>Adds an initializer under a fresh name derived from <paramref name="baseName"/>.</summary>
    public string Initializer(string baseName, Tensor t)
    {
        var name = Fresh(baseName);
        Proto.Initializer.Add(OnnxTensors.ToProto(name, t, Options));
        return name;
    }

    /// <summary>A small int64 vector initializer, shared between nodes that need the same values.</summary>
    public string Int64Vector(params long[] values)
    {
        var key = "i64:" + string.Join(",", values);
        if (!_sharedInitializers.TryGetValue(key, out var name))
            _sharedInitializers[key] = name = Initializer("const_i64_" + string.Join("_", values.Select(v => v < 0 ? "m" + -v : v.ToString())), OnnxTensors.Int64s(values));
        return name;
    }

    /// <summary>A float scalar initializer (Clip bounds), shared.</summary>
    public string FloatScalar(float value, ElementType type)
    {
        var key = $"f:{type}:{value}";
        if (!_sharedInitializers.TryGetValue(key, out var name))
            _sharedInitializers[key] = name = Initializer($"const_f_{value}", Tensor.FromFloats([], [value], type));
        return name;
    }

    public int DataType(ElementType t) => OnnxTensors.DataType(t, Options);

    public EastBakeException Unsupported(Node node, string why) => new(ErrorCodes.OnnxExportUnsupported,
        $"cannot export {node.Op} node '{node.Name}' to ONNX: {why}", Graph.SourceFile, node.Name);

    // ---- attribute helpers ----
    public static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };
    public static AttributeProto Float(string name, float v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = v };
    public static AttributeProto Str(string name, string v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(v) };
    public static AttributeProto Ints(string name, IEnumerable<long> v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(v);
        return a;
    }
}
