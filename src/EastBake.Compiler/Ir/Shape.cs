namespace EastBake.Compiler.Ir;

/// <summary>
/// One dimension: a known size, or a symbol when it depends on a dynamic input size. Symbols
/// derived from an input dim stay affine (<c>Base·Num/Den + Off</c>) while that is exact: an
/// input symbol declared a multiple of 32 (EAST's H and W) divided by 2 four times is still
/// exactly <c>H/16</c>, so shapes print as <c>[N,H/4,W/4,1]</c>. Anything else falls back to an
/// expression text such as <c>ceil(d0/3)</c>. Arithmetic on two known dims folds.
/// </summary>
public readonly record struct Dim
{
    private readonly string? _base;
    private readonly long _num, _den, _off, _align;

    private Dim(long value, string? symbol, string? @base = null, long num = 0, long den = 1, long off = 0, long align = 1)
    {
        Value = value;
        Symbol = symbol;
        _base = @base;
        _num = num;
        _den = den;
        _off = off;
        _align = align;
    }

    /// <summary>The size when known, otherwise -1.</summary>
    public long Value { get; }

    /// <summary>The symbolic expression when the size is not known.</summary>
    public string? Symbol { get; }

    public bool IsKnown => Symbol is null && Value >= 0;

    public static Dim Known(long value) =>
        value < 0 ? throw new ArgumentOutOfRangeException(nameof(value)) : new Dim(value, null);

    /// <summary>A symbolic input dimension, optionally declared a multiple of <paramref name="alignment"/>.</summary>
    public static Dim Sym(string symbol, long alignment = 1) => new(-1, symbol, symbol, 1, 1, 0, Math.Max(1, alignment));

    /// <summary>A dimension nothing is known about.</summary>
    public static Dim Unknown => new(-1, "?");

    public static implicit operator Dim(long value) => Known(value);

    /// <summary>
    /// When this symbolic dim is exactly <c>symbol·num/den + offset</c> of one input symbol (e.g.
    /// <c>H/4</c>: "H", 1, 4, 0), its parts; false for known dims and non-affine expressions.
    /// </summary>
    public bool TryGetAffine(out string symbol, out long num, out long den, out long offset)
    {
        (symbol, num, den, offset) = (_base ?? "", _num, _den, _off);
        return !IsKnown && _base is not null;
    }

    private bool IsAffine => _base is not null;

    private static Dim Affine(string b, long num, long den, long off, long align)
    {
        if (num == 0) return off >= 0 ? Known(off) : Sym($"({off})");
        var g = Gcd(Math.Abs(num), den);
        num /= g;
        den /= g;
        var core = num == den ? b : den == 1 ? $"{num}*{b}" : num == 1 ? $"{b}/{den}" : $"{num}*{b}/{den}";
        var text = off == 0 ? core : off > 0 ? $"({core}+{off})" : $"({core}-{-off})";
        return new Dim(-1, text, b, num, den, off, align);
    }

    private static long Gcd(long a, long b) { while (b != 0) (a, b) = (b, a % b); return a == 0 ? 1 : a; }

    /// <summary>This dim plus a (possibly negative) constant; sizes never go below 0.</summary>
    public Dim AddOffset(long delta) => delta == 0 ? this
        : IsKnown ? Known(Math.Max(0, Value + delta))
        : IsAffine ? Affine(_base!, _num, _den, _off + delta, _align)
        : Sym(delta > 0 ? $"({this}+{delta})" : $"({this}-{-delta})");

    public static Dim operator +(Dim a, Dim b)
    {
        if (a.IsKnown && b.IsKnown) return Known(a.Value + b.Value);
        if (b.IsKnown) return a.AddOffset(b.Value);
        if (a.IsKnown) return b.AddOffset(a.Value);
        if (a.IsAffine && b.IsAffine && a._base == b._base)
            return Affine(a._base!, a._num * b._den + b._num * a._den, a._den * b._den, a._off + b._off, a._align);
        return Sym($"({a}+{b})");
    }

    public static Dim operator -(Dim a, Dim b)
    {
        if (a.IsKnown && b.IsKnown) return Known(Math.Max(0, a.Value - b.Value));
        if (b.IsKnown) return a.AddOffset(-b.Value);
        if (a.IsAffine && b.IsAffine && a._base == b._base)
            return Affine(a._base!, a._num * b._den - b._num * a._den, a._den * b._den, a._off - b._off, a._align);
        return Sym($"({a}-{b})");
    }

    public static Dim operator *(Dim a, Dim b)
    {
        if (a.IsKnown && b.IsKnown) return Known(a.Value * b.Value);
        if (a.IsKnown) (a, b) = (b, a);
        if (b.IsKnown)
        {
            if (b.Value == 0) return Known(0);
            if (b.Value == 1) return a;
            if (a.IsAffine) return Affine(a._base!, a._num * b.Value, a._den, a._off * b.Value, a._align);
        }
        return Sym($"{a}*{b}");
    }

    /// <summary>Ceiling division, as TF's SAME padding computes output sizes.</summary>
    public Dim CeilDiv(long d) => Divide(d, ceil: true);

    /// <summary>Floor division, as VALID padding and explicit padding compute output sizes.</summary>
    public Dim FloorDiv(long d) => Divide(d, ceil: false);

    private Dim Divide(long d, bool ceil)
    {
        if (d == 1) return this;
        if (IsKnown) return Known(ceil ? (Value + d - 1) / d : Value / d);
        // Exact when the symbolic part stays an integer for every allowed base value.
        if (IsAffine && _align * _num % (_den * d) == 0)
        {
            var off = ceil ? (long)Math.Ceiling(_off / (double)d) : (long)Math.Floor(_off / (double)d);
            return Affine(_base!, _num, _den * d, off, _align);
        }
        return Sym(ceil ? $"ceil({this}/{d})" : $"floor({this}/{d})");
    }

    public override string ToString() => Symbol ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A tensor shape: a list of dims, or unknown rank (<see cref="Dims"/> is null).</summary>
public sealed class Shape : IEquatable<Shape>
{
    public Shape(IEnumerable<Dim> dims) => Dims = dims.ToArray();
    private Shape() => Dims = null;

    public static Shape UnknownRank { get; } = new();
    public static Shape Scalar { get; } = new(Array.Empty<Dim>());
    public static Shape Of(params long[] dims) => new(dims.Select(Dim.Known));

    public Dim[]? Dims { get; }
    public bool RankKnown => Dims is not null;
    public int Rank => Dims?.Length ?? throw new InvalidOperationException("Shape has unknown rank.");
    public bool IsFullyKnown => Dims is not null && Dims.All(d => d.IsKnown);
    public Dim this[int i] => Dims![i < 0 ? Dims.Length + i : i];

    /// <summary>The sizes, when every dim is known.</summary>
    public long[] ToArray() => IsFullyKnown ? Dims!.Select(d => d.Value).ToArray()
        : throw new InvalidOperationException($"Shape {this} is not fully known.");

    public long ElementCount() => ToArray().Aggregate(1L, (a, b) => a * b);

    public bool Equals(Shape? other) => other is not null &&
        (Dims is null ? other.Dims is null : other.Dims is not null && Dims.SequenceEqual(other.Dims));
    public override bool Equals(object? obj) => Equals(obj as Shape);
    public override int GetHashCode() => Dims is null ? 0 : Dims.Aggregate(17, (h, d) => h * 31 + d.GetHashCode());
    public override string ToString() => Dims is null ? "[?]" : "[" + string.Join(",", Dims) + "]";
}
