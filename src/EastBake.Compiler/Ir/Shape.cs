namespace EastBake.Compiler.Ir;

/// <summary>
/// One dimension: a known size, or a symbol (an expression text such as <c>H</c> or
/// <c>ceil(H/2)</c>) when it depends on a dynamic input size. Arithmetic on two known dims
/// folds; anything involving a symbol yields a new symbol, so shapes stay symbolic until an
/// input shape profile makes them concrete.
/// </summary>
public readonly record struct Dim
{
    private Dim(long value, string? symbol) { Value = value; Symbol = symbol; }

    /// <summary>The size when known, otherwise -1.</summary>
    public long Value { get; }

    /// <summary>The symbolic expression when the size is not known.</summary>
    public string? Symbol { get; }

    public bool IsKnown => Symbol is null && Value >= 0;

    public static Dim Known(long value) =>
        value < 0 ? throw new ArgumentOutOfRangeException(nameof(value)) : new Dim(value, null);

    public static Dim Sym(string symbol) => new(-1, symbol);

    /// <summary>A dimension nothing is known about.</summary>
    public static Dim Unknown => new(-1, "?");

    public static implicit operator Dim(long value) => Known(value);

    public static Dim operator +(Dim a, Dim b) => a.IsKnown && b.IsKnown ? Known(a.Value + b.Value)
        : b.IsKnown && b.Value == 0 ? a : a.IsKnown && a.Value == 0 ? b : Sym($"({a}+{b})");

    public static Dim operator -(Dim a, Dim b) => a.IsKnown && b.IsKnown ? Known(Math.Max(0, a.Value - b.Value))
        : b.IsKnown && b.Value == 0 ? a : Sym($"({a}-{b})");

    public static Dim operator *(Dim a, Dim b) => a.IsKnown && b.IsKnown ? Known(a.Value * b.Value)
        : b.IsKnown && b.Value == 1 ? a : a.IsKnown && a.Value == 1 ? b : Sym($"{a}*{b}");

    /// <summary>Ceiling division, as TF's SAME padding computes output sizes.</summary>
    public Dim CeilDiv(long d) => d == 1 ? this : IsKnown ? Known((Value + d - 1) / d) : Sym($"ceil({this}/{d})");

    /// <summary>Floor division, as VALID padding and explicit padding compute output sizes.</summary>
    public Dim FloorDiv(long d) => d == 1 ? this : IsKnown ? Known(Value / d) : Sym($"floor({this}/{d})");

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
