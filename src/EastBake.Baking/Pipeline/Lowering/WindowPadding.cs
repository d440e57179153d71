using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>Concrete pads of a conv or pool window, the same for every input size of the profile.</summary>
internal readonly record struct Pads(int Top, int Bottom, int Left, int Right);

/// <summary>
/// Resolves TF padding (SAME / VALID / EXPLICIT) into explicit pads. SAME pads depend on the input
/// size, so they are computed for every height and width of the profile and must agree (they do
/// whenever the input is a multiple of the stride, as in EAST).
/// </summary>
internal static class WindowPadding
{
    public static Pads Resolve(Node node, SpatialScale inScale, int kh, int kw, int sh, int sw, ShapeProfile profile, string? file)
    {
        var padding = NodeAttributes.String(node, Attr.Padding, WindowGeometry.Valid);
        long[] ex = padding == WindowGeometry.Explicit ? NodeAttributes.Longs(node, Attr.ExplicitPaddings) ?? [] : new long[8];
        if (ex.Length != 8 || ex[0] != 0 || ex[1] != 0 || ex[6] != 0 || ex[7] != 0)
            throw new EastBakeException(ErrorCodes.LoweringUnsupported,
                $"ILGPU lowering: {node.Op} '{node.Name}' has explicit paddings [{string.Join(",", ex)}] (only H and W may be padded)", file, node.Name);
        var (top, bottom) = Axis(node, profile.Heights(), inScale.H, new WindowAxis(kh, sh, 1, ex[2], ex[3]), padding, file);
        var (left, right) = Axis(node, profile.Widths(), inScale.W, new WindowAxis(kw, sw, 1, ex[4], ex[5]), padding, file);
        return new Pads(top, bottom, left, right);
    }

    private static (int Before, int After) Axis(Node node, IEnumerable<int> sizes, AxisScale scale, WindowAxis a, string padding, string? file)
    {
        (int, int)? result = null;
        foreach (int size in sizes)
        {
            long input = scale.Apply(size);
            var (output, before) = WindowGeometry.Resolve(input, a, padding);
            // The engine's relation out = (in + before + after − k) / s + 1 fixes the total: the rest goes after.
            long after = padding == WindowGeometry.Explicit ? a.ExplicitAfter
                : padding == WindowGeometry.Valid ? 0
                : Math.Max((output - 1) * a.Stride + a.Kernel - input, 0) - before;
            var pads = ((int)before, (int)after);
            if (result is { } r && r != pads)
                throw new EastBakeException(ErrorCodes.LoweringShapeUnsupported,
                    $"ILGPU lowering: {node.Op} '{node.Name}': {padding} padding changes with the input size ({r} vs {pads} at size {size}); " +
                    "bake a fixed --input-shape or use sizes that are multiples of the stride", file, node.Name);
            result = pads;
        }
        return result ?? (0, 0);
    }
}
