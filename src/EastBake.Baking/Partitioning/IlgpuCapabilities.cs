using EastBake.Compiler.Ir;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Partitioning;

/// <summary>
/// The ILGPU engine's capability table, on the optimized graph: what its kernels implement
/// (NHWC float convolutions with fused bias/activation, pools, residual add, legacy bilinear
/// resize, channel concat, sigmoid and the EAST geometry arithmetic).
/// </summary>
public sealed class IlgpuCapabilities : IEngineCapabilities
{
    public string Engine => EngineKinds.Ilgpu;

    public bool Supports(Node node, out string reason)
    {
        reason = "";
        switch (node.Op)
        {
            case Ops.Const or Ops.Identity:
                return true;
            case Ops.Conv2D:
                if (!FloatNhwc(node, out reason)) return false;
                if (node.Get<long[]>(Attr.Dilations, [1, 1, 1, 1]).Any(d => d != 1))
                    return Refuse("dilated convolutions are not implemented", out reason);
                if (node.Inputs.Count > 1 && !node.Inputs[1].Producer.IsConst)
                    return Refuse("the filter is not a constant", out reason);
                var s = node.Get<long[]>(Attr.Strides, [1, 1, 1, 1]);
                if (s[1] != s[2] || s[1] is not (1 or 2))
                    return Refuse($"stride {s[1]}x{s[2]} (only 1 and 2, square)", out reason);
                return ActivationSupported(node, out reason);
            case Ops.MaxPool:
                return FloatNhwc(node, out reason);
            case Ops.Add or Ops.AddV2:
                return ActivationSupported(node, out reason);
            case Ops.Relu or Ops.Sigmoid:
                return true;
            case Ops.Sub or Ops.Mul or Ops.RealDiv:
                // Integer size arithmetic is read from shapes; float arithmetic needs a constant operand (scale-shift).
                return !node.Output.Type.IsFloat() || node.Inputs.Any(i => i.Producer.IsConst) ||
                       Refuse($"{node.Op} of two tensors (only with a constant operand)", out reason);
            case Ops.ConcatV2 or Ops.Split:
            {
                var axis = node.Op == Ops.Split ? node.Inputs[0] : node.Inputs[^1];
                return !node.Output.Type.IsFloat() || axis.Producer.IsConst && axis.Producer.ConstValue.Ints is [3 or -1] ||
                       Refuse($"{node.Op} along an axis other than channels", out reason);
            }
            case var op when Ops.IsFusedBatchNorm(op):
                // One not folded into a conv runs as a per-channel scale-shift (inference mode only).
                return !node.Get(Attr.IsTraining, false) || Refuse("training-mode batch norm", out reason);
            case Ops.ResizeBilinear:
                if (node.Get(Attr.AlignCorners, false) || node.Get(Attr.HalfPixelCenters, false))
                    return Refuse("only TF's legacy sampling (align_corners=false, half_pixel_centers=false)", out reason);
                return true;
            case Ops.Shape or Ops.StridedSlice or Ops.Pack or Ops.Cast:
                return true; // size computations: folded at bake time when a profile is known
            default:
                return Refuse($"no ILGPU kernel for op {node.Op}", out reason);
        }
    }

    private static bool FloatNhwc(Node node, out string reason)
    {
        reason = "";
        if (node.Get(Attr.DataFormat, "NHWC") != "NHWC") return Refuse("only NHWC", out reason);
        if (!node.Output.Type.IsFloat()) return Refuse($"element type {node.Output.Type}", out reason);
        return true;
    }

    private static bool ActivationSupported(Node node, out string reason)
    {
        reason = "";
        var act = node.Get<string?>(Attr.Activation, null);
        return act is null or "Relu" || Refuse($"fused activation {act}", out reason);
    }

    private static bool Refuse(string why, out string reason)
    {
        reason = why;
        return false;
    }
}

/// <summary>ONNX Runtime runs every op the ONNX exporter converts.</summary>
public sealed class OnnxCapabilities : IEngineCapabilities
{
    private static readonly HashSet<string> Exportable =
    [
        Ops.Const, Ops.Identity, Ops.Conv2D, Ops.BiasAdd, Ops.FusedBatchNorm, Ops.FusedBatchNormV2, Ops.FusedBatchNormV3,
        Ops.Relu, Ops.Relu6, Ops.MaxPool, Ops.AvgPool, Ops.Pad, Ops.Add, Ops.AddV2, Ops.Sub, Ops.Mul, Ops.RealDiv,
        Ops.Maximum, Ops.ConcatV2, Ops.ResizeBilinear, Ops.Sigmoid, Ops.Split, Ops.SplitV, Ops.Mean, Ops.Shape,
        Ops.StridedSlice, Ops.Pack, Ops.Cast, Ops.Squeeze, Ops.Reshape,
    ];

    public string Engine => EngineKinds.Onnx;

    public bool Supports(Node node, out string reason)
    {
        reason = Exportable.Contains(node.Op) ? "" : $"op {node.Op} has no ONNX converter";
        return reason.Length == 0;
    }
}
