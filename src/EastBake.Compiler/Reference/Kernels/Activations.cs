using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Reference.Kernels;

internal enum ActivationKind { None, Relu, Relu6 }

/// <summary>The optimizer's fused activation (attribute <c>activation</c>) applied to a double result.</summary>
internal readonly record struct Activation(ActivationKind Kind)
{
    public double Apply(double v) => Kind switch
    {
        ActivationKind.Relu => v > 0 ? v : 0,
        ActivationKind.Relu6 => v > 0 ? (v < 6 ? v : 6) : 0,
        _ => v,
    };
}

internal static class Activations
{
    public static Activation Parse(Node node) => NodeAttributes.String(node, Attr.Activation, "") switch
    {
        "" or "None" or "Identity" => new Activation(ActivationKind.None),
        "Relu" => new Activation(ActivationKind.Relu),
        "Relu6" => new Activation(ActivationKind.Relu6),
        var other => throw new EastBakeException(ErrorCodes.UnsupportedOp,
            $"{node.Op} '{node.Name}' has unsupported fused activation '{other}'", node: node.Name),
    };
}
