using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Import;

/// <summary>
/// Converts a TensorFlow GraphDef to the IR: keeps only the nodes the outputs need (control
/// dependencies dropped), converts attributes and constants, makes Placeholders graph inputs,
/// sorts the graph and records the mean-subtraction facts.
/// </summary>
public static class TfImporter
{
    public static Graph Import(GraphDef def, string? file, ImportOptions? options = null)
    {
        options ??= new ImportOptions();
        var byName = GraphDefReach.Index(def);

        var cut = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in options.Inputs ?? [])
            cut.Add(OutputSelector.Resolve(name, byName, file).Node);

        var outputs = OutputSelector.Select(byName, def.Node, options.Outputs, file);
        var needed = GraphDefReach.From(outputs.Select(o => o.Node), byName, cut, file, strict: true);

        // Output counts depend on how far consumers index into a node.
        var referenced = new Dictionary<string, int>(StringComparer.Ordinal);
        void Reference(TensorRef r) => referenced[r.Node] = Math.Max(referenced.GetValueOrDefault(r.Node), r.Index + 1);
        foreach (var o in outputs) Reference(o);
        foreach (var n in def.Node.Where(n => needed.Contains(n.Name) && !cut.Contains(n.Name)))
            foreach (var i in n.Input.Select(TensorRef.Parse).Where(r => !r.IsControl)) Reference(i);

        var g = new Graph(file);
        var built = new List<(Node Node, NodeDef Def)>();
        foreach (var d in def.Node.Where(n => needed.Contains(n.Name) && byName[n.Name] == n))
        {
            var node = cut.Contains(d.Name)
                ? BuildCutInput(g, d, OpOutputCounts.Of(d, referenced.GetValueOrDefault(d.Name)), file)
                : BuildNode(g, d, OpOutputCounts.Of(d, referenced.GetValueOrDefault(d.Name)), file);
            built.Add((node, d));
        }
        foreach (var (node, d) in built)
        {
            if (node.Op == Ops.Placeholder)
            {
                g.Inputs.AddRange(node.Outputs);
                continue;
            }
            foreach (var r in d.Input.Select(TensorRef.Parse).Where(r => !r.IsControl))
                node.Inputs.Add(ValueOf(g, r, d.Name, file));
        }
        foreach (var o in outputs) g.Outputs.Add(ValueOf(g, o, o.Node, file));

        g.TopologicalSort();
        MeanSubtractionDetector.Annotate(g);
        return g;
    }

    private static Node BuildNode(Graph g, NodeDef d, int outputCount, string? file)
    {
        var type = OutputType(d, file);
        var node = g.AddNode(d.Name, d.Op, outputs: outputCount, type: type);
        foreach (var (key, value) in d.Attr.OrderBy(a => a.Key, StringComparer.Ordinal))
            if (AttrConverter.Convert(value, file, d.Name, key) is { } v) node.Attrs[key] = v;

        if (node.Attrs.TryGetValue(Attr.DataFormat, out var fmt) && fmt is string f && f.StartsWith("NC", StringComparison.Ordinal))
            throw new EastBakeException(ErrorCodes.BadAttribute,
                $"{d.Op} uses data_format {f}; only NHWC graphs are imported", file, d.Name);
        if (node.IsConst)
        {
            if (node.Attrs.GetValueOrDefault(Attr.Value) is not Tensor t)
                throw new EastBakeException(ErrorCodes.BadConstant, "Const node has no tensor 'value'", file, d.Name);
            node.Output.Type = t.Type;
            node.Output.Shape = t.IrShape;
        }
        if (node.Op == Ops.Placeholder && node.Attrs.GetValueOrDefault(Attr.Shape) is Shape s)
            node.Output.Shape = s;
        return node;
    }

    /// <summary>
    /// A node named in <see cref="ImportOptions.Inputs"/>: becomes a Placeholder of its output type,
    /// keeping its output count (each output becomes a graph input).
    /// </summary>
    private static Node BuildCutInput(Graph g, NodeDef d, int outputCount, string? file)
    {
        var type = OutputType(d, file);
        var node = g.AddNode(d.Name, Ops.Placeholder, outputs: outputCount, type: type);
        node.Attrs[Attr.DType] = type;
        if (d.Op == Ops.Placeholder && d.Attr.TryGetValue(Attr.Shape, out var s) && s.Shape is not null)
        {
            node.Attrs[Attr.Shape] = AttrConverter.ToShape(s.Shape);
            node.Output.Shape = AttrConverter.ToShape(s.Shape);
        }
        return node;
    }

    /// <summary>Element type of a node's outputs, from its type attributes (float32 when it has none).</summary>
    private static ElementType OutputType(NodeDef d, string? file)
    {
        foreach (var key in new[] { Attr.DstT, Attr.OutType, Attr.DType, Attr.T })
            if (d.Attr.TryGetValue(key, out var a) && a.ValueCase == AttrValue.ValueOneofCase.Type)
                return TfDataTypes.Map(a.Type, file, d.Name, $"attribute '{key}'");
        return ElementType.Float32;
    }

    private static Value ValueOf(Graph g, TensorRef r, string reader, string? file)
    {
        var producer = g.Find(r.Node)
            ?? throw new EastBakeException(ErrorCodes.MissingInput, $"node '{reader}' reads '{r.Node}', which is not in the graph", file, reader);
        if (r.Index >= producer.Outputs.Count)
            throw new EastBakeException(ErrorCodes.MissingInput,
                $"node '{reader}' reads output {r.Index} of '{r.Node}' ({producer.Op}), which has {producer.Outputs.Count}", file, reader);
        return producer.Outputs[r.Index];
    }
}
