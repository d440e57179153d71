using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Reference;

/// <summary>Reading kernel inputs and building outputs typed as the node's outputs.</summary>
internal static class KernelIo
{
    /// <summary>
    /// The type to produce for output <paramref name="index"/>: the node's declared type, except
    /// that integer inputs meeting a float declaration (an untyped node) keep their integer type.
    /// </summary>
    public static ElementType ResultType(Node node, int index, ElementType inputType)
    {
        var declared = index < node.Outputs.Count ? node.Outputs[index].Type : inputType;
        return inputType.IsFloat() || !declared.IsFloat() ? declared : inputType;
    }

    public static float[] Floats(Tensor t) => t.Floats ?? Array.ConvertAll(t.Ints!, v => (float)v);

    public static long[] Ints(Tensor t, Node node, string what) => t.Ints ??
        throw new EastBakeException(ErrorCodes.BadAttribute, $"{node.Op} input '{what}' must be an integer tensor, is {t.Type}", node: node.Name);

    /// <summary>Wraps computed float data as <paramref name="type"/> (float16 rounds through Half).</summary>
    public static Tensor FromFloats(ElementType type, long[] shape, float[] data)
    {
        if (!type.IsFloat())
            return Tensor.FromInts(shape, Array.ConvertAll(data, v => ToInt(type, v)), type);
        if (type == ElementType.Float16)
            for (var i = 0; i < data.Length; i++) data[i] = (float)(Half)data[i];
        return Tensor.FromFloats(shape, data, type);
    }

    /// <summary>Wraps computed double data as <paramref name="type"/>, rounding once.</summary>
    public static Tensor FromDoubles(ElementType type, long[] shape, double[] data)
    {
        if (!type.IsFloat())
            return Tensor.FromInts(shape, Array.ConvertAll(data, v => ToInt(type, v)), type);
        var f = new float[data.Length];
        if (type == ElementType.Float16)
            for (var i = 0; i < f.Length; i++) f[i] = (float)(Half)data[i];
        else
            for (var i = 0; i < f.Length; i++) f[i] = (float)data[i];
        return Tensor.FromFloats(shape, f, type);
    }

    /// <summary>A tensor of the same element type as <paramref name="like"/> holding <paramref name="data"/> (float[] or long[]).</summary>
    public static Tensor SameType(Tensor like, long[] shape, Array data) => like.Floats is not null
        ? Tensor.FromFloats(shape, (float[])data, like.Type)
        : Tensor.FromInts(shape, (long[])data, like.Type);

    /// <summary>The element store of a tensor (float[] or long[]), for type-agnostic data movement.</summary>
    public static Array Data(Tensor t) => (Array?)t.Floats ?? t.Ints!;

    public static Array NewData(Tensor like, long length) => like.Floats is not null ? new float[length] : new long[length];

    /// <summary>TF's static_cast to an integer type (truncation toward zero; int32 wraps).</summary>
    public static long ToInt(ElementType type, double v) => type switch
    {
        ElementType.Bool => v != 0 ? 1 : 0,
        ElementType.Int32 => unchecked((int)(long)Math.Truncate(v)),
        _ => (long)Math.Truncate(v),
    };

    public static EastBakeException Mismatch(Node node, string what) =>
        new(ErrorCodes.ShapeMismatch, $"{node.Op} '{node.Name}': {what}", node: node.Name);

    public static string Show(long[] shape) => "[" + string.Join(",", shape) + "]";

    public static void RequireRank(Node node, Tensor t, int rank, string what)
    {
        if (t.Rank != rank) throw Mismatch(node, $"{what} must have rank {rank}, has shape {Show(t.Shape)}");
    }
}
