using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx.Converters;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Diagnostics;
using Google.Protobuf;

namespace EastBake.Compiler.Onnx;

/// <summary>
/// Exports an IR graph (original or optimized) to ONNX. Activations run channel-first inside the
/// model; graph inputs and outputs keep TF's NHWC and TF's tensor names, with Transposes at the
/// boundaries. ONNX node names are the TF node names; helper nodes extend them (<c>name/...</c>).
/// </summary>
public static class OnnxExporter
{
    private static readonly IOpConverter[] Converters =
    [
        new UnaryConverter(), new ConvConverter(), new BiasAddConverter(), new BatchNormConverter(),
        new PoolConverter(), new PadConverter(), new BinaryConverter(), new ConcatSplitConverter(),
        new MeanSqueezeConverter(), new ResizeConverter(), new ShapeConverter(), new StridedSliceConverter(),
        new PackConverter(), new ReshapeConverter(),
    ];

    private static readonly Dictionary<string, IOpConverter> ByOp =
        Converters.SelectMany(c => c.Ops.Select(op => (op, c))).ToDictionary(p => p.op, p => p.c, StringComparer.Ordinal);

    /// <summary>Ops the exporter can write (besides Placeholder and Const).</summary>
    public static IReadOnlyCollection<string> SupportedOps => ByOp.Keys;

    public static byte[] ExportBytes(Graph graph, OnnxExportOptions? options = null) => Export(graph, options).ToByteArray();

    public static ModelProto Export(Graph graph, OnnxExportOptions? options = null)
    {
        options ??= OnnxExportOptions.Default;
        if (options.Opset < OnnxExportOptions.MinOpset)
            throw new EastBakeException(ErrorCodes.OnnxExportUnsupported,
                $"opset {options.Opset} is below the minimum {OnnxExportOptions.MinOpset}", graph.SourceFile);
        graph.TopologicalSort();
        var ctx = new ExportContext(graph, options);
        ctx.Proto.Name = options.GraphName ?? Path.GetFileNameWithoutExtension(graph.SourceFile ?? "eastbake");

        foreach (var node in graph.Nodes.Where(n => n.Op == Ops.Placeholder))
            AddInput(ctx, node);

        var live = LiveNodes(graph);
        foreach (var node in graph.Nodes)
        {
            if (!live.Contains(node) || node.Op == Ops.Placeholder || node.IsConst) continue;
            // Constants (and Identity reads of them) are written when a converter first uses them.
            if (ExportContext.ConstOf(node.Output) is not null) continue;
            if (!ByOp.TryGetValue(node.Op, out var converter))
                throw ctx.Unsupported(node, $"op '{node.Op}' has no ONNX converter (model {graph.SourceFile ?? "<in memory>"})");
            converter.Convert(node, ctx);
        }

        foreach (var v in graph.Outputs.Distinct())
            AddOutput(ctx, v);

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = options.ProducerName,
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = ctx.Proto,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (k, v) in graph.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return model;
    }

    private static HashSet<Node> LiveNodes(Graph graph)
    {
        var live = new HashSet<Node>();
        var work = new Stack<Node>(graph.Outputs.Select(v => v.Producer));
        while (work.Count > 0)
        {
            var n = work.Pop();
            if (!live.Add(n)) continue;
            foreach (var i in n.Inputs) work.Push(i.Producer);
        }
        return live;
    }

    /// <summary>A Placeholder as a graph input in TF's layout; unknown dims get names (N, H, W for images).</summary>
    private static void AddInput(ExportContext ctx, Node node)
    {
        var v = node.Output;
        var shape = node.Get<Shape?>(Attr.Shape, null) is { RankKnown: true } s ? s : v.Shape;
        var type = node.Get(Attr.DType, v.Type);
        ctx.Proto.Input.Add(ValueInfo(ctx, v.Name, type, shape, ["N", "H", "W", "C"]));
        ctx.Set(v, v.Name, Layout.Tf, shape.RankKnown ? shape.Rank : -1);
    }

    /// <summary>A graph output under its TF name, in TF's layout.</summary>
    private static void AddOutput(ExportContext ctx, Value v)
    {
        var e = ctx.Get(v);
        if (e.Layout == Layout.Nchw && e.Name == v.Name)
        {
            // The channel-first tensor carries the TF name: rename it so the NHWC result can.
            var inner = ctx.Fresh(v.Name + "/nchw");
            foreach (var n in ctx.Proto.Node)
            {
                for (var i = 0; i < n.Input.Count; i++) if (n.Input[i] == v.Name) n.Input[i] = inner;
                for (var i = 0; i < n.Output.Count; i++) if (n.Output[i] == v.Name) n.Output[i] = inner;
            }
            ctx.AddNode("Transpose", v.Producer.Name + "/to_nhwc", [inner], [v.Name])
                .Attribute.Add(ExportContext.Ints("perm", LayoutAxes.ToNhwc));
        }
        else if (e.Layout == Layout.Nchw)
            ctx.AddNode("Transpose", v.Producer.Name + "/to_nhwc", [e.Name], [v.Name])
                .Attribute.Add(ExportContext.Ints("perm", LayoutAxes.ToNhwc));
        else if (e.Name != v.Name)
            ctx.AddNode("Identity", v.Producer.Name + "/out", [e.Name], [v.Name]);
        ctx.Proto.Output.Add(ValueInfo(ctx, v.Name, v.Type, v.Shape, []));
    }

    private static ValueInfoProto ValueInfo(ExportContext ctx, string name, ElementType type, Shape shape, string[] dimNames)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = ctx.DataType(type) };
        if (shape.RankKnown)
        {
            tensor.Shape = new TensorShapeProto();
            for (var i = 0; i < shape.Rank; i++)
            {
                var d = new TensorShapeProto.Types.Dimension();
                if (shape[i].IsKnown) d.DimValue = shape[i].Value;
                else if (shape.Rank == 4 && i < dimNames.Length) d.DimParam = dimNames[i];
                tensor.Shape.Dim.Add(d);
            }
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
