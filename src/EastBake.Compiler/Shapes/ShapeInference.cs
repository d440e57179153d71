using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Shapes;

/// <summary>
/// Sets <see cref="Value.Shape"/>, <see cref="Value.Type"/> and, for small integer tensors that
/// compute sizes, <see cref="Value.SymbolicValue"/> on every value of a graph. Dynamic input dims
/// become symbols (N, H, W for an NHWC input) so shapes stay symbolic; with
/// <c>inputShapes</c> everything is concrete. Shape conflicts are EB1040, unknown ops EB1050.
/// </summary>
public static class ShapeInference
{
    private delegate void Rule(Node node);

    private static readonly Dictionary<string, Rule> Rules = new(StringComparer.Ordinal)
    {
        [Ops.Identity] = ElementwiseShapeRules.SameAsInput,
        [Ops.Relu] = ElementwiseShapeRules.SameAsInput,
        [Ops.Relu6] = ElementwiseShapeRules.SameAsInput,
        [Ops.Sigmoid] = ElementwiseShapeRules.SameAsInput,
        [Ops.BiasAdd] = ElementwiseShapeRules.BiasAdd,
        [Ops.FusedBatchNorm] = ElementwiseShapeRules.FusedBatchNorm,
        [Ops.FusedBatchNormV2] = ElementwiseShapeRules.FusedBatchNorm,
        [Ops.FusedBatchNormV3] = ElementwiseShapeRules.FusedBatchNorm,
        [Ops.Add] = ElementwiseShapeRules.Binary,
        [Ops.AddV2] = ElementwiseShapeRules.Binary,
        [Ops.Sub] = ElementwiseShapeRules.Binary,
        [Ops.Mul] = ElementwiseShapeRules.Binary,
        [Ops.RealDiv] = ElementwiseShapeRules.Binary,
        [Ops.Maximum] = ElementwiseShapeRules.Binary,
        [Ops.Conv2D] = WindowShapeRules.Conv2D,
        [Ops.MaxPool] = WindowShapeRules.Pool,
        [Ops.AvgPool] = WindowShapeRules.Pool,
        [Ops.ResizeBilinear] = WindowShapeRules.ResizeBilinear,
        [Ops.Pad] = ArrayShapeRules.Pad,
        ["PadV2"] = ArrayShapeRules.Pad,
        [Ops.ConcatV2] = ArrayShapeRules.ConcatV2,
        [Ops.Split] = ArrayShapeRules.Split,
        [Ops.SplitV] = ArrayShapeRules.SplitV,
        [Ops.Pack] = ArrayShapeRules.Pack,
        [Ops.Squeeze] = ArrayShapeRules.Squeeze,
        [Ops.Reshape] = ArrayShapeRules.Reshape,
        [Ops.Mean] = ArrayShapeRules.Mean,
        [Ops.Shape] = SizeShapeRules.Shape,
        [Ops.StridedSlice] = SizeShapeRules.StridedSlice,
        [Ops.Cast] = SizeShapeRules.Cast,
    };

    /// <summary>
    /// Inputs each rule reads (at least): a node with fewer (a damaged or hand-edited graph) is
    /// EB1030 here, before any rule indexes past its inputs. Ops not listed need one.
    /// </summary>
    private static readonly Dictionary<string, int> MinInputs = new(StringComparer.Ordinal)
    {
        [Ops.BiasAdd] = 2, [Ops.Add] = 2, [Ops.AddV2] = 2, [Ops.Sub] = 2, [Ops.Mul] = 2, [Ops.RealDiv] = 2, [Ops.Maximum] = 2,
        [Ops.Conv2D] = 2, [Ops.ResizeBilinear] = 2, [Ops.Pad] = 2, ["PadV2"] = 2, [Ops.ConcatV2] = 2, [Ops.Split] = 2,
        [Ops.SplitV] = 3, [Ops.Reshape] = 2, [Ops.Mean] = 2, [Ops.StridedSlice] = 4,
    };

    /// <summary>Whether shape inference knows this op.</summary>
    public static bool Supports(string op) => op is Ops.Placeholder or Ops.Const || Rules.ContainsKey(op);

    /// <param name="inputShapes">concrete shapes by input name (<c>x</c> or <c>x:0</c>); when given, every shape becomes concrete</param>
    public static void Run(Graph g, IReadOnlyDictionary<string, long[]>? inputShapes = null)
    {
        g.TopologicalSort();
        foreach (var node in g.Nodes)
        {
            try
            {
                switch (node.Op)
                {
                    case Ops.Placeholder: SourceShapeRules.Placeholder(node, FindInputShape(node, inputShapes)); break;
                    case Ops.Const: SourceShapeRules.Const(node); break;
                    default:
                        if (!Rules.TryGetValue(node.Op, out var rule))
                            throw new EastBakeException(ErrorCodes.UnsupportedOp,
                                $"op '{node.Op}' (node '{node.Name}') is not supported: shape inference does not know it, no engine runs it " +
                                "and there is no host fallback, so no plan can be baked from this graph", g.SourceFile, node.Name);
                        var needed = MinInputs.GetValueOrDefault(node.Op, 1);
                        if (node.Inputs.Count < needed)
                            throw new EastBakeException(ErrorCodes.MissingInput,
                                $"{node.Op} '{node.Name}' has {node.Inputs.Count} input(s); it needs at least {needed}", g.SourceFile, node.Name);
                        SetTypes(node);
                        rule(node);
                        break;
                }
            }
            catch (EastBakeException e) when (e.File is null && g.SourceFile is not null)
            {
                throw new EastBakeException(e.Code, e.Message, g.SourceFile, e.Node ?? node.Name, inner: e);
            }
        }
    }

    private static long[]? FindInputShape(Node node, IReadOnlyDictionary<string, long[]>? shapes) =>
        shapes is null ? null
        : shapes.TryGetValue(node.Name, out var s) || shapes.TryGetValue(node.Name + ":0", out s) ? s
        : null;

    /// <summary>Output element types: the data input's, except where the op fixes them.</summary>
    private static void SetTypes(Node node)
    {
        if (node.Inputs.Count == 0) return;
        var dataInput = node.Op == Ops.Split ? 1 : 0;
        var type = node.Inputs[Math.Min(dataInput, node.Inputs.Count - 1)].Type;
        switch (node.Op)
        {
            case Ops.Shape:
                node.Output.Type = NodeAttributes.Type(node, Attr.OutType) ?? ElementType.Int32;
                return;
            case Ops.Cast:
                node.Output.Type = NodeAttributes.Type(node, Attr.DstT) ?? node.Output.Type;
                return;
            case Ops.ResizeBilinear:
                node.Output.Type = ElementType.Float32;
                return;
            case Ops.FusedBatchNorm or Ops.FusedBatchNormV2 or Ops.FusedBatchNormV3:
                node.Output.Type = type;
                foreach (var o in node.Outputs.Skip(1)) o.Type = ElementType.Float32;
                return;
            default:
                foreach (var o in node.Outputs) o.Type = type;
                return;
        }
    }
}
