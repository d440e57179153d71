namespace EastBake.Compiler.Ir;

/// <summary>
/// Constant tensor data (weights, folded values). Floating types are held as float (float16
/// values widened exactly); integer and bool types as long. Row-major, TF's layout.
/// </summary>
public sealed class Tensor
{
    private Tensor(ElementType type, long[] shape, float[]? floats, long[]? ints)
    {
        Type = type;
        Shape = shape;
        Floats = floats;
        Ints = ints;
        var count = ElementCount(shape);
        var have = floats?.LongLength ?? ints!.LongLength;
        if (have != count)
            throw new ArgumentException($"Tensor data has {have} elements but shape [{string.Join(",", shape)}] needs {count}.");
    }

    public ElementType Type { get; }
    public long[] Shape { get; }
    public float[]? Floats { get; }
    public long[]? Ints { get; }
    public long Length => Floats?.LongLength ?? Ints!.LongLength;
    public int Rank => Shape.Length;

    public static Tensor FromFloats(long[] shape, float[] data, ElementType type = ElementType.Float32) =>
        type.IsFloat() ? new(type, shape, data, null) : throw new ArgumentException("Not a float type.", nameof(type));

    public static Tensor FromInts(long[] shape, long[] data, ElementType type = ElementType.Int64) =>
        type.IsFloat() ? throw new ArgumentException("Not an integer type.", nameof(type)) : new(type, shape, null, data);

    public static Tensor Scalar(float v) => FromFloats([], [v]);
    public static Tensor Scalar(long v, ElementType type = ElementType.Int32) => FromInts([], [v], type);

    /// <summary>Value i as a double, whatever the element type.</summary>
    public double Get(long i) => Floats is not null ? Floats[i] : Ints![i];

    /// <summary>All values as doubles (for reference computations).</summary>
    public double[] ToDoubles() => Floats is not null ? Array.ConvertAll(Floats, f => (double)f) : Array.ConvertAll(Ints!, i => (double)i);

    public Shape IrShape => Ir.Shape.Of(Shape);

    /// <summary>Product of the dims; <see cref="OverflowException"/> rather than a wrapped count for absurd shapes.</summary>
    public static long ElementCount(long[] shape) => shape.Aggregate(1L, (a, b) => checked(a * b));

    public override string ToString() => $"{Type}[{string.Join(",", Shape)}]";
}
