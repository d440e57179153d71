using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Optimizer.Passes;

/// <summary>
/// Replaces computations whose result is known at build time by Consts:
/// a node whose inputs are all constant is evaluated (reference interpreter by default), and an
/// integer node whose <see cref="Value.SymbolicValue"/> is fully known after shape inference
/// (the Shape → StridedSlice → Mul → Pack chains that size EAST's unpools) takes that value.
/// </summary>
public sealed class ConstantFolding : IGraphPass
{
    public string Name => "ConstantFolding";

    public IReadOnlyList<string> Run(Graph graph, OptimizerOptions options)
    {
        var evaluate = options.Evaluator ?? DefaultEvaluator;
        var changes = new List<string>();
        foreach (var node in graph.Nodes.ToList())
        {
            if (node.IsConst || node.Op == Ops.Placeholder || node.Inputs.Count == 0) continue;
            var folded = FromSymbolic(node) ?? Evaluate(node, evaluate, options);
            if (folded is null) continue;
            Replace(graph, node, folded);
            changes.Add($"{node.Name} ({node.Op}) -> Const");
        }
        return changes;
    }

    private static readonly NodeEvaluator DefaultEvaluator = ReferenceInterpreter.EvaluateNode;

    private static Tensor[]? FromSymbolic(Node node)
    {
        var result = new Tensor[node.Outputs.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var v = node.Outputs[i];
            if (v.SymbolicValue is not { } sym || !sym.All(d => d.IsKnown) || !v.Type.IsInteger()) return null;
            long[] shape = v.Shape.RankKnown && v.Shape.Rank == 0 && sym.Length == 1 ? [] : [sym.Length];
            result[i] = Tensor.FromInts(shape, sym.Select(d => d.Value).ToArray(), v.Type);
        }
        return result;
    }

    private static Tensor[]? Evaluate(Node node, NodeEvaluator evaluate, OptimizerOptions options)
    {
        var inputs = new Tensor[node.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
            if ((inputs[i] = GraphRewrite.ConstOf(node.Inputs[i])!) is null) return null;
        Tensor[] outputs;
        try
        {
            outputs = evaluate(node, inputs);
        }
        catch (EastBakeException)
        {
            return null; // an op the interpreter cannot evaluate stays in the graph
        }
        catch (NotSupportedException)
        {
            return null;
        }
        if (outputs.Length != node.Outputs.Count || outputs.Any(t => t.Length > options.MaxFoldedElements)) return null;
        // Keep the graph's declared element types (the interpreter may compute in a wider type).
        for (var i = 0; i < outputs.Length; i++)
            if (outputs[i].Type != node.Outputs[i].Type) outputs[i] = Retype(outputs[i], node.Outputs[i].Type);
        return outputs;
    }

    private static Tensor Retype(Tensor t, ElementType type) => type.IsFloat()
        ? Tensor.FromFloats(t.Shape, Array.ConvertAll(t.ToDoubles(), d => (float)d), type)
        : Tensor.FromInts(t.Shape, Array.ConvertAll(t.ToDoubles(), d => (long)d), type);

    private static void Replace(Graph graph, Node node, Tensor[] values)
    {
        graph.Remove(node);
        for (var i = 0; i < values.Length; i++)
        {
            var c = graph.AddConst(i == 0 ? node.Name : $"{node.Name}/out{i}", values[i]);
            c.Origins.Clear();
            c.Origins.AddRange(node.Origins);
            graph.ReplaceAllUses(node.Outputs[i], c.Output);
        }
    }
}
