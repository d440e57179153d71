using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Optimizer;

/// <summary>One graph rewrite. Mutates the graph in place and reports what it changed.</summary>
public interface IGraphPass
{
    string Name { get; }

    /// <summary>Runs the pass; returns one line per change (empty when nothing changed).</summary>
    IReadOnlyList<string> Run(Graph graph, OptimizerOptions options);
}

/// <summary>Evaluates one node on constant inputs (the reference interpreter, by default).</summary>
public delegate Tensor[] NodeEvaluator(Node node, IReadOnlyList<Tensor> inputs);
