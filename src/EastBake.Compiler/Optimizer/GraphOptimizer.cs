using EastBake.Compiler.Ir;
using EastBake.Compiler.Optimizer.Passes;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Optimizer;

/// <summary>Runs the optimizer passes in a fixed order that lets each one see the previous one's result.</summary>
public static class GraphOptimizer
{
    /// <summary>The default pipeline. BiasAdd folds before BatchNorm so BN folding sees the conv bias.</summary>
    public static IReadOnlyList<IGraphPass> DefaultPasses() =>
    [
        new DeadNodeRemoval(),   // a dead reader would block fusions (they need a sole reader)
        new IdentityRemoval(),
        new ConstantFolding(),
        new PadIntoConv(),
        new BiasAddIntoConv(),
        new BatchNormIntoConv(),
        new BiasAddIntoConv(),   // a BiasAdd after a folded BN
        new ActivationFusion(),
        new DeadNodeRemoval(),
    ];

    public static OptimizerReport Run(Graph graph, OptimizerOptions? options = null) =>
        Run(graph, DefaultPasses(), options);

    public static OptimizerReport Run(Graph graph, IEnumerable<IGraphPass> passes, OptimizerOptions? options = null)
    {
        options ??= OptimizerOptions.Default;
        var report = new OptimizerReport { NodesBefore = graph.Nodes.Count };
        if (options.InferShapes || options.InputShapes is not null) InferShapes(graph, options);
        foreach (var pass in passes)
        {
            if (options.DisabledPasses.Contains(pass.Name)) continue;
            var changes = pass.Run(graph, options);
            if (changes.Count > 0) graph.TopologicalSort();
            report.Passes.Add(new PassResult(pass.Name, changes));
        }
        report.NodesAfter = graph.Nodes.Count;
        return report;
    }

    private static void InferShapes(Graph graph, OptimizerOptions options)
    {
        try
        {
            ShapeInference.Run(graph, options.InputShapes);
        }
        catch (EastBakeException e) when (e.Code == ErrorCodes.UnsupportedOp && options.InputShapes is null)
        {
            // An op shape inference does not know: optimize without shapes (only size folding is lost).
        }
    }
}
