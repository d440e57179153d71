using System.Globalization;
using System.Text.RegularExpressions;
using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Shapes;

/// <summary>
/// Dim helpers for shape inference: offsets that keep symbols tidy (<c>(H+6)−6</c> is <c>H</c>),
/// numpy broadcasting of symbolic dims, and EB1040 errors.
/// </summary>
internal static partial class DimMath
{
    /// <summary><paramref name="d"/> + <paramref name="delta"/>, folding into an existing "(X±k)" symbol.</summary>
    public static Dim Offset(Dim d, long delta)
    {
        if (delta == 0) return d;
        if (d.IsKnown) return Dim.Known(Math.Max(0, d.Value + delta));
        var m = OffsetSymbol().Match(d.Symbol!);
        var (root, k) = m.Success && Balanced(m.Groups[1].Value)
            ? (m.Groups[1].Value, long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) * (m.Groups[2].Value == "-" ? -1 : 1))
            : (d.Symbol!, 0L);
        var total = k + delta;
        return total == 0 ? Dim.Sym(root)
            : Dim.Sym(total > 0 ? $"({root}+{total})" : $"({root}-{-total})");
    }

    private static bool Balanced(string s)
    {
        var depth = 0;
        foreach (var ch in s)
            if ((depth += ch == '(' ? 1 : ch == ')' ? -1 : 0) < 0) return false;
        return depth == 0;
    }

    /// <summary>Numpy broadcast of two dims; symbols are assumed to match whatever they meet.</summary>
    public static bool TryBroadcast(Dim a, Dim b, out Dim result)
    {
        result = a;
        if (a == b || b.IsKnown && b.Value == 1) return true;
        if (a.IsKnown && a.Value == 1) { result = b; return true; }
        if (a.IsKnown && b.IsKnown) return false;
        result = a.IsKnown ? a : b.IsKnown ? b : a;
        return true;
    }

    /// <summary>Whether two dims can be the same size (known dims must be equal).</summary>
    public static bool Compatible(Dim a, Dim b) => !(a.IsKnown && b.IsKnown) || a.Value == b.Value;

    /// <summary>Known-preferring merge of two compatible dims.</summary>
    public static Dim Merge(Dim a, Dim b) => a.IsKnown ? a : b.IsKnown ? b : a;

    public static Dim Product(IEnumerable<Dim> dims) => dims.Aggregate(Dim.Known(1), (x, y) => x * y);

    public static EastBakeException Mismatch(Node node, string what, Shape a, Shape b) =>
        new(ErrorCodes.ShapeMismatch, $"{node.Op} '{node.Name}': {what}: {a} vs {b}", node: node.Name);

    public static EastBakeException Mismatch(Node node, string what) =>
        new(ErrorCodes.ShapeMismatch, $"{node.Op} '{node.Name}': {what}", node: node.Name);

    [GeneratedRegex(@"^\((.*)([+-])(\d+)\)$")]
    private static partial Regex OffsetSymbol();
}
