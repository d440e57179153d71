using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Optimizer;

public sealed class OptimizerOptions
{
    /// <summary>Pass names (see <see cref="IGraphPass.Name"/>) to skip.</summary>
    public ISet<string> DisabledPasses { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Evaluator for constant folding. Null means the default reference interpreter; a node it
    /// cannot evaluate is left alone.
    /// </summary>
    public NodeEvaluator? Evaluator { get; set; }

    /// <summary>Constant tensors larger than this (elements) are not produced by folding.</summary>
    public long MaxFoldedElements { get; set; } = 1 << 24;

    /// <summary>
    /// Input shape profile (input name → NHWC sizes). When set, shape inference runs with it before
    /// the passes, so size computations (Shape → StridedSlice → Mul → Pack) become known and fold.
    /// </summary>
    public IReadOnlyDictionary<string, long[]>? InputShapes { get; set; }

    /// <summary>Run shape inference (symbolic without <see cref="InputShapes"/>) before the passes.</summary>
    public bool InferShapes { get; set; } = true;

    public static OptimizerOptions Default => new();
}
