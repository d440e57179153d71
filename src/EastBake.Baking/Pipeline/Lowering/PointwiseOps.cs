using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;
using EastBake.Runtime.Engine;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>One elementwise step: y = x·A[c] + C[c], or an activation.</summary>
internal abstract record PointwiseOp;

internal sealed record AffineOp(double[] A, double[] C) : PointwiseOp;

internal sealed record ActivationOp(EngineActivation Activation) : PointwiseOp;

/// <summary>
/// Recognizes elementwise nodes the engine runs as scale-shift: Relu, Sigmoid, and Mul / Add /
/// Sub / RealDiv with one constant operand that is a scalar or a per-channel vector.
/// </summary>
internal static class PointwiseOps
{
    public static bool IsCandidate(Node n) => n.Op is Ops.Relu or Ops.Sigmoid or Ops.Identity || Ops.IsFusedBatchNorm(n.Op) ||
        (n.Op is Ops.Mul or Ops.Add or Ops.AddV2 or Ops.Sub or Ops.RealDiv && n.Inputs.Count == 2 &&
         n.Inputs.Count(i => GraphIndex.ConstOf(i) is not null) == 1);

    /// <summary>
    /// The data input and the steps of <paramref name="n"/> for a data input of
    /// <paramref name="channels"/> channels; false (with the reason) when it is not such a node.
    /// </summary>
    public static bool TryParse(Node n, int channels, out Value data, out List<PointwiseOp> steps, out string reason)
    {
        data = n.Inputs.Count > 0 ? n.Inputs[0] : null!;
        steps = [];
        reason = "";
        switch (n.Op)
        {
            case Ops.Relu: steps.Add(new ActivationOp(EngineActivation.Relu)); return true;
            case Ops.Sigmoid: steps.Add(new ActivationOp(EngineActivation.Sigmoid)); return true;
            case Ops.Mul or Ops.Add or Ops.AddV2 or Ops.Sub or Ops.RealDiv when n.Inputs.Count == 2:
                break;
            case var op when Ops.IsFusedBatchNorm(op):
                return BatchNorm(n, channels, steps, out reason);
            default:
                reason = $"op {n.Op} is not an elementwise op with a constant";
                return false;
        }
        var c0 = GraphIndex.ConstOf(n.Inputs[0]);
        var c1 = GraphIndex.ConstOf(n.Inputs[1]);
        if ((c0 is null) == (c1 is null))
        {
            reason = c0 is null ? "neither operand is a constant (only Add of two tensors is implemented)" : "both operands are constants";
            return false;
        }
        bool constFirst = c0 is not null;
        data = constFirst ? n.Inputs[1] : n.Inputs[0];
        if (!PerChannel(constFirst ? c0! : c1!, channels, out var k, out reason)) return false;
        double[] ones = Enumerable.Repeat(1.0, channels).ToArray(), zeros = new double[channels];
        switch (n.Op)
        {
            case Ops.Mul: steps.Add(new AffineOp(k, zeros)); break;
            case Ops.Add or Ops.AddV2: steps.Add(new AffineOp(ones, k)); break;
            case Ops.Sub when constFirst: steps.Add(new AffineOp(ones.Select(v => -v).ToArray(), k)); break; // c − x
            case Ops.Sub: steps.Add(new AffineOp(ones, k.Select(v => -v).ToArray())); break;
            case Ops.RealDiv when constFirst:
                reason = "a constant divided by a tensor is not implemented";
                return false;
            case Ops.RealDiv: steps.Add(new AffineOp(k.Select(v => 1 / v).ToArray(), zeros)); break;
        }
        var act = n.Get<string?>(Attr.Activation, null);
        if (act == Ops.Relu) steps.Add(new ActivationOp(EngineActivation.Relu));
        else if (act is not null)
        {
            reason = $"fused activation {act} is not implemented";
            return false;
        }
        return true;
    }

    /// <summary>Inference-mode batch norm on its own (not after a conv): (x − mean) · scale / √(var + ε) + offset.</summary>
    private static bool BatchNorm(Node n, int channels, List<PointwiseOp> steps, out string reason)
    {
        reason = "";
        if (NodeAttributes.Bool(n, Attr.IsTraining, false) || n.Inputs.Count < 5)
        {
            reason = "is a training-mode batch norm (batch statistics)";
            return false;
        }
        var p = new double[4][];
        for (int i = 0; i < 4; i++)
            if (GraphIndex.ConstOf(n.Inputs[i + 1]) is not { } t || !PerChannel(t, channels, out p[i], out reason))
            {
                reason = reason.Length > 0 ? reason : $"input {i + 1} is not a constant";
                return false;
            }
        double eps = NodeAttributes.Double(n, Attr.Epsilon, 1e-4);
        var a = new double[channels];
        var c = new double[channels];
        for (int k = 0; k < channels; k++)
        {
            a[k] = p[0][k] / Math.Sqrt(p[3][k] + eps);
            c[k] = p[1][k] - p[2][k] * a[k];
        }
        steps.Add(new AffineOp(a, c));
        return true;
    }

    /// <summary>A constant broadcast along channels only: a scalar, [C] or [1,…,1,C].</summary>
    private static bool PerChannel(Tensor t, int channels, out double[] values, out string reason)
    {
        values = [];
        reason = "";
        if (!t.Type.IsFloat() || t.Rank > 4 || t.Shape.Take(Math.Max(0, t.Rank - 1)).Any(d => d != 1) ||
            t.Rank > 0 && t.Shape[^1] != 1 && t.Shape[^1] != channels)
        {
            reason = $"the constant {t} does not broadcast along channels only (scalar or [{channels}])";
            return false;
        }
        var v = t.ToDoubles();
        values = Enumerable.Range(0, channels).Select(c => v.Length == 1 ? v[0] : v[c]).ToArray();
        return true;
    }
}
