using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Shapes;

/// <summary>One spatial axis of a sliding window (convolution or pooling).</summary>
public readonly record struct WindowAxis(long Kernel, long Stride, long Dilation, long ExplicitBefore = 0, long ExplicitAfter = 0)
{
    public long EffectiveKernel => (Kernel - 1) * Dilation + 1;
}

/// <summary>
/// TensorFlow's output-size and padding rules for windowed ops (conv, pooling), shared by
/// shape inference and the reference interpreter.
/// </summary>
public static class WindowGeometry
{
    public const string Same = "SAME";
    public const string Valid = "VALID";
    public const string Explicit = "EXPLICIT";

    /// <summary>Output size and the padding before the first element for a known input size.</summary>
    public static (long Out, long PadBefore) Resolve(long input, WindowAxis a, string padding)
    {
        switch (padding)
        {
            case Same:
            {
                var output = (input + a.Stride - 1) / a.Stride;
                // TF: pad_total = max((out-1)*s + (k-1)*d + 1 - in, 0); the smaller half goes before.
                var total = Math.Max((output - 1) * a.Stride + a.EffectiveKernel - input, 0);
                return (output, total / 2);
            }
            case Valid:
                return (Math.Max(0, (input - a.EffectiveKernel + a.Stride) / a.Stride), 0);
            case Explicit:
                return (Math.Max(0, (input + a.ExplicitBefore + a.ExplicitAfter - a.EffectiveKernel) / a.Stride + 1), a.ExplicitBefore);
            default:
                throw new EastBakeException(ErrorCodes.BadAttribute, $"unknown padding '{padding}'");
        }
    }

    /// <summary>Output size for a known or symbolic input size.</summary>
    public static Dim OutputDim(Dim input, WindowAxis a, string padding)
    {
        if (input.IsKnown) return Resolve(input.Value, a, padding).Out;
        return padding switch
        {
            Same => input.CeilDiv(a.Stride),
            Valid => DimMath.Offset(input, -(a.EffectiveKernel - 1)).CeilDiv(a.Stride),
            Explicit => DimMath.Offset(input, a.ExplicitBefore + a.ExplicitAfter - (a.EffectiveKernel - 1)).CeilDiv(a.Stride),
            _ => throw new EastBakeException(ErrorCodes.BadAttribute, $"unknown padding '{padding}'"),
        };
    }

    /// <summary>The two spatial axes (H, W) of an NHWC conv or pool node.</summary>
    internal static (WindowAxis H, WindowAxis W, string Padding) ForNode(Node node, long kernelH, long kernelW)
    {
        var (sh, sw) = NodeAttributes.SpatialPair(node, Attr.Strides, 1);
        var (dh, dw) = NodeAttributes.SpatialPair(node, Attr.Dilations, 1);
        var padding = NodeAttributes.String(node, Attr.Padding, Valid);
        long pt = 0, pb = 0, pl = 0, pr = 0;
        if (padding == Explicit)
        {
            var p = NodeAttributes.Longs(node, Attr.ExplicitPaddings);
            if (p is null || p.Length != 8)
                throw new EastBakeException(ErrorCodes.BadAttribute,
                    $"{node.Op} with EXPLICIT padding needs 8 explicit_paddings, has {p?.Length ?? 0}", node: node.Name);
            (pt, pb, pl, pr) = (p[2], p[3], p[4], p[5]);
        }
        if (NodeAttributes.String(node, Attr.DataFormat, "NHWC") != "NHWC")
            throw new EastBakeException(ErrorCodes.UnsupportedOp,
                $"{node.Op} with data_format {NodeAttributes.String(node, Attr.DataFormat, "")} is not supported (NHWC only)", node: node.Name);
        return (new WindowAxis(kernelH, sh, dh, pt, pb), new WindowAxis(kernelW, sw, dw, pl, pr), padding);
    }
}
