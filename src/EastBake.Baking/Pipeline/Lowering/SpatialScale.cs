using EastBake.Compiler.Ir;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>A tensor's spatial size as a fraction of the input's: H·Num/Den (and the same for W).</summary>
internal readonly record struct SpatialScale(int Num, int Den)
{
    public static SpatialScale One => new(1, 1);

    public static SpatialScale Of(long num, long den)
    {
        long g = Gcd(num, den);
        return new SpatialScale(checked((int)(num / g)), checked((int)(den / g)));
    }

    private static long Gcd(long a, long b) { while (b != 0) (a, b) = (b, a % b); return Math.Max(1, a); }

    public int Apply(int inputSize) => (int)((long)inputSize * Num / Den);

    public override string ToString() => Num == Den ? "1" : Num == 1 ? $"1/{Den}" : $"{Num}/{Den}";
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
        if (h is null || w is null || h != w)
            throw Bad(v, at, $"its size {s} is not one fraction of the input size for both H and W over the profile {profile}" +
                (profile.IsFixedSize ? "" : " (a fixed --input-shape may help)"));
        return h.Value;
    }

    private static SpatialScale? Axis(Dim d, string? symbol, int fixedSize)
    {
        if (d.IsKnown) return fixedSize > 0 ? SpatialScale.Of(d.Value, fixedSize) : null;
        if (symbol is not null && d.TryGetAffine(out var sym, out long num, out long den, out long off) && sym == symbol && off == 0 && num > 0)
            return SpatialScale.Of(num, den);
        return null;
    }

    private EastBakeException Bad(Value v, Node at, string why) =>
        new(ErrorCodes.LoweringShapeUnsupported, $"ILGPU lowering: {at.Op} '{at.Name}' output {v.Name}: {why}", file, at.Name);
}
