using EastBake.Compiler.Ir;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>One axis's size as a fraction of the input's: size·Num/Den.</summary>
internal readonly record struct AxisScale(int Num, int Den)
{
    public static AxisScale Of(long num, long den)
    {
        long g = Gcd(num, den);
        return new AxisScale(checked((int)(num / g)), checked((int)(den / g)));
    }

    private static long Gcd(long a, long b) { while (b != 0) (a, b) = (b, a % b); return Math.Max(1, a); }

    public int Apply(int inputSize) => (int)((long)inputSize * Num / Den);

    public override string ToString() => Num == Den ? "1" : Num == 1 ? $"1/{Den}" : $"{Num}/{Den}";
}

/// <summary>A tensor's spatial size as fractions of the input's height and width (e.g. H/4 × W/4).</summary>
internal readonly record struct SpatialScale(AxisScale H, AxisScale W)
{
    public static SpatialScale One => new(new AxisScale(1, 1), new AxisScale(1, 1));

    public override string ToString() => H == W ? H.ToString() : $"{H}×{W}";
}

/// <summary>
/// Reads a value's spatial scale from its inferred shape: symbolic dims must be exact fractions
/// of the input's H and W symbols (e.g. H/4), known dims a fraction of the fixed profile size.
/// </summary>
internal sealed class ScaleResolver(ShapeProfile profile, Shape inputShape, string? file)
{
    private readonly string? _hSymbol = SymbolOf(inputShape, 1);
    private readonly string? _wSymbol = SymbolOf(inputShape, 2);

    private static string? SymbolOf(Shape s, int axis) =>
        s.RankKnown && s.Rank == 4 && s[axis].TryGetAffine(out var sym, out long n, out long d, out long o) && n == d && o == 0 ? sym : null;

    public SpatialScale Of(Value v, Node at)
    {
        var s = v.Shape;
        if (!s.RankKnown || s.Rank != 4)
            throw Bad(v, at, $"expected a 4-D NHWC tensor, has shape {s}");
        var h = Axis(s[1], _hSymbol, profile.IsFixedSize ? profile.MinHeight : 0);
        var w = Axis(s[2], _wSymbol, profile.IsFixedSize ? profile.MinWidth : 0);
        if (h is null || w is null)
            throw Bad(v, at, $"its size {s} is not a fixed fraction of the input's height and width over the profile {profile}" +
                (profile.IsFixedSize ? "" : " (a fixed --input-shape may help)"));
        return new SpatialScale(h.Value, w.Value);
    }

    private static AxisScale? Axis(Dim d, string? symbol, int fixedSize)
    {
        if (d.IsKnown) return fixedSize > 0 && d.Value > 0 ? AxisScale.Of(d.Value, fixedSize) : null;
        if (symbol is not null && d.TryGetAffine(out var sym, out long num, out long den, out long off) && sym == symbol && off == 0 && num > 0)
            return AxisScale.Of(num, den);
        return null;
    }

    private EastBakeException Bad(Value v, Node at, string why) =>
        new(ErrorCodes.LoweringShapeUnsupported, $"ILGPU lowering: {at.Op} '{at.Name}' output {v.Name}: {why}", file, at.Name);
}
