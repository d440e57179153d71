using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference.Kernels;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Reference;

/// <summary>
/// An independent NHWC interpreter of the TF ops a frozen EAST graph holds (and the
/// optimizer's fused forms), with double accumulation and TensorFlow's exact padding, pooling
/// and resize rules. It is the numeric reference for importer, optimizer and backends, and the
/// optimizer's constant folder evaluates nodes through <see cref="EvaluateNode"/>.
/// </summary>
public static class ReferenceInterpreter
{
    private delegate Tensor[] Kernel(Node node, IReadOnlyList<Tensor> inputs);

    private static readonly Dictionary<string, Kernel> Kernels = new(StringComparer.Ordinal)
    {
        [Ops.Identity] = ShapeOpKernels.Identity,
        [Ops.Conv2D] = ConvolutionKernel.Conv2D,
        [Ops.BiasAdd] = ElementwiseKernels.BiasAdd,
        [Ops.FusedBatchNorm] = BatchNormKernel.FusedBatchNorm,
        [Ops.FusedBatchNormV2] = BatchNormKernel.FusedBatchNorm,
        [Ops.FusedBatchNormV3] = BatchNormKernel.FusedBatchNorm,
        [Ops.Relu] = ElementwiseKernels.Relu,
        [Ops.Relu6] = ElementwiseKernels.Relu6,
        [Ops.Sigmoid] = ElementwiseKernels.Sigmoid,
        [Ops.MaxPool] = PoolingKernels.MaxPool,
        [Ops.AvgPool] = PoolingKernels.AvgPool,
        [Ops.Pad] = SliceKernels.Pad,
        ["PadV2"] = SliceKernels.Pad,
        [Ops.Add] = ElementwiseKernels.Add,
        [Ops.AddV2] = ElementwiseKernels.Add,
        [Ops.Sub] = ElementwiseKernels.Sub,
        [Ops.Mul] = ElementwiseKernels.Mul,
        [Ops.RealDiv] = ElementwiseKernels.RealDiv,
        [Ops.Maximum] = ElementwiseKernels.Maximum,
        [Ops.ConcatV2] = SliceKernels.ConcatV2,
        [Ops.ResizeBilinear] = ResizeBilinearKernel.ResizeBilinear,
        [Ops.Split] = SliceKernels.Split,
        [Ops.SplitV] = SliceKernels.SplitV,
        [Ops.Mean] = ReductionKernels.Mean,
        [Ops.Shape] = ShapeOpKernels.Shape,
        [Ops.StridedSlice] = SliceKernels.StridedSlice,
        [Ops.Pack] = ShapeOpKernels.Pack,
        [Ops.Cast] = ShapeOpKernels.Cast,
        [Ops.Squeeze] = ShapeOpKernels.Squeeze,
        [Ops.Reshape] = ShapeOpKernels.Reshape,
    };

    /// <summary>Whether <see cref="EvaluateNode"/> can evaluate nodes of this op (Const included).</summary>
    public static bool Supports(string op) => op == Ops.Const || Kernels.ContainsKey(op);

    /// <summary>
    /// Evaluates one node on concrete inputs (in the node's input order). Returns one tensor per
    /// node output, typed as those outputs (float16 rounded through <see cref="Half"/>).
    /// Unsupported op: EB1050; inconsistent shapes: EB1040.
    /// </summary>
    public static Tensor[] EvaluateNode(Node node, IReadOnlyList<Tensor> inputs)
    {
        if (node.Op == Ops.Const) return [node.ConstValue];
        if (!Kernels.TryGetValue(node.Op, out var kernel))
            throw new EastBakeException(ErrorCodes.UnsupportedOp,
                $"the reference interpreter does not support op '{node.Op}' (node '{node.Name}')", node: node.Name);
        if (inputs.Count < node.Inputs.Count)
            throw new EastBakeException(ErrorCodes.MissingInput,
                $"{node.Op} node '{node.Name}' needs {node.Inputs.Count} inputs, got {inputs.Count}", node: node.Name);
        return kernel(node, inputs);
    }

    /// <summary>
    /// Runs the graph on <paramref name="feeds"/> (keyed by input tensor name, <c>x</c> or
    /// <c>x:0</c>; a feed is converted to its Placeholder's type). Returns the graph outputs by
    /// tensor name, or every computed value when <paramref name="keepAll"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Run(Graph g, IReadOnlyDictionary<string, Tensor> feeds, bool keepAll = false)
    {
        var fed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in feeds)
        {
            var value = g.FindValue(name) ?? throw new EastBakeException(ErrorCodes.NodeNotFound,
                $"feed '{name}' names no tensor of the graph", g.SourceFile, name);
            fed[value.Name] = tensor;
        }

        // Only nodes the outputs depend on run; values are dropped after their last reader.
        var needed = NodesNeeded(g, fed.Keys.ToHashSet());
        var remainingReads = new Dictionary<Value, int>();
        foreach (var n in keepAll ? g.Nodes : g.Nodes.Where(needed.Contains))
            foreach (var i in n.Inputs) remainingReads[i] = remainingReads.GetValueOrDefault(i) + 1;
        var pinned = keepAll ? null : g.Outputs.ToHashSet();

        var values = new Dictionary<Value, Tensor>();
        foreach (var node in g.Nodes)
        {
            if (!needed.Contains(node))
            {
                // keepAll also evaluates side branches, when their inputs are available.
                if (!keepAll || node.Op == Ops.Placeholder && !fed.ContainsKey(node.Output.Name) ||
                    node.Inputs.Any(v => !values.ContainsKey(v))) continue;
            }
            if (fed.TryGetValue(node.Output.Name, out var feed) && node.Outputs.Count == 1 || node.Op == Ops.Placeholder)
            {
                if (!fed.TryGetValue(node.Output.Name, out feed))
                    throw new EastBakeException(ErrorCodes.NodeNotFound,
                        $"input '{node.Name}' was not fed (feeds: {string.Join(", ", feeds.Keys)})", g.SourceFile, node.Name);
                values[node.Output] = ConvertFeed(feed, node.Output.Type);
                continue;
            }
            var inputs = node.Inputs.Select(v => values.TryGetValue(v, out var t) ? t
                : throw new EastBakeException(ErrorCodes.MissingInput, $"value '{v.Name}' was not computed before '{node.Name}'", g.SourceFile, node.Name)).ToArray();
            Tensor[] outputs;
            try { outputs = EvaluateNode(node, inputs); }
            catch (EastBakeException e) when (e.File is null && g.SourceFile is not null)
            {
                throw new EastBakeException(e.Code, e.Message, g.SourceFile, e.Node ?? node.Name, inner: e);
            }
            for (var i = 0; i < node.Outputs.Count && i < outputs.Length; i++) values[node.Outputs[i]] = outputs[i];
            if (keepAll) continue;
            foreach (var input in node.Inputs)
                if (--remainingReads[input] == 0 && !pinned!.Contains(input)) values.Remove(input);
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (keepAll)
            foreach (var (v, t) in values) result[v.Name] = t;
        else
            foreach (var o in g.Outputs) result[o.Name] = values[o];
        return result;
    }

    private static HashSet<Node> NodesNeeded(Graph g, HashSet<string> fedNames)
    {
        var needed = new HashSet<Node>();
        var stack = new Stack<Node>(g.Outputs.Select(o => o.Producer));
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!needed.Add(n)) continue;
            if (n.Outputs.Count == 1 && fedNames.Contains(n.Output.Name)) continue;
            foreach (var i in n.Inputs) stack.Push(i.Producer);
        }
        return needed;
    }

    private static Tensor ConvertFeed(Tensor feed, ElementType type)
    {
        if (feed.Type == type) return feed;
        return type.IsFloat()
            ? KernelIo.FromDoubles(type, feed.Shape, feed.ToDoubles())
            : Tensor.FromInts(feed.Shape, Array.ConvertAll(feed.ToDoubles(), v => KernelIo.ToInt(type, v)), type);
    }
}
