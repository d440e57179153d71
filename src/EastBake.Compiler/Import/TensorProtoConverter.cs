using System.Buffers.Binary;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Import;

/// <summary>
/// Decodes a TensorProto into an IR <see cref="Tensor"/>: packed little-endian
/// <c>tensor_content</c>, or the typed repeated fields, where fewer values than elements means
/// "repeat the last value" (TF's rule; a single value fills the whole shape).
/// </summary>
internal static class TensorProtoConverter
{
    /// <summary>
    /// Largest constant imported (1 GiB of float32). EAST's largest weight has 2.4 M elements; a
    /// bigger shape is damage (or a single value splatted over a huge shape), refused before allocating.
    /// </summary>
    public const long MaxElements = 1L << 28;

    public static Tensor Convert(TensorProto p, string? file, string node)
    {
        var type = TfDataTypes.Map(p.Dtype, file, node, "constant");
        var shape = ShapeOf(p.TensorShape, file, node);
        long count;
        try { count = Tensor.ElementCount(shape); }
        catch (OverflowException) { count = long.MaxValue; }
        if (count > MaxElements)
            throw new EastBakeException(ErrorCodes.BadConstant,
                $"constant of shape [{string.Join(",", shape)}] holds more than the {MaxElements} (2^28) elements EastBake imports", file, node);

        var isDouble = p.Dtype is DataType.DtDouble or DataType.DtDoubleRef;
        if (!p.TensorContent.IsEmpty)
        {
            var bytes = p.TensorContent.Span;
            var elemSize = isDouble ? 8 : type.ByteSize();
            if (bytes.Length != count * elemSize)
                throw new EastBakeException(ErrorCodes.BadConstant,
                    $"constant holds {bytes.Length} bytes of {TfDataTypes.Name(p.Dtype)} but shape [{string.Join(",", shape)}] needs {count * elemSize}",
                    file, node);
            return FromContent(type, isDouble, shape, bytes, (int)count);
        }
        return FromTypedValues(p, type, isDouble, shape, (int)count, file, node);
    }

    public static long[] ShapeOf(TensorShapeProto? s, string? file, string node)
    {
        if (s is null) return [];
        var dims = new long[s.Dim.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = s.Dim[i].Size;
            if (dims[i] < 0)
                throw new EastBakeException(ErrorCodes.BadConstant, $"constant has an unknown dimension {i}", file, node);
        }
        return dims;
    }

    private static Tensor FromContent(ElementType type, bool isDouble, long[] shape, ReadOnlySpan<byte> b, int n)
    {
        if (isDouble)
        {
            var f = new float[n];
            for (var i = 0; i < n; i++) f[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(b[(i * 8)..]);
            return Tensor.FromFloats(shape, f);
        }
        switch (type)
        {
            case ElementType.Float32:
            {
                var f = new float[n];
                for (var i = 0; i < n; i++) f[i] = BinaryPrimitives.ReadSingleLittleEndian(b[(i * 4)..]);
                return Tensor.FromFloats(shape, f);
            }
            case ElementType.Float16:
            {
                var f = new float[n];
                for (var i = 0; i < n; i++) f[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(b[(i * 2)..]);
                return Tensor.FromFloats(shape, f, ElementType.Float16);
            }
            default:
            {
                var v = new long[n];
                for (var i = 0; i < n; i++)
                    v[i] = type switch
                    {
                        ElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b[(i * 4)..]),
                        ElementType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b[(i * 8)..]),
                        _ => b[i] != 0 ? 1 : 0,
                    };
                return Tensor.FromInts(shape, v, type);
            }
        }
    }

    private static Tensor FromTypedValues(TensorProto p, ElementType type, bool isDouble, long[] shape, int n,
        string? file, string node)
    {
        if (type.IsFloat())
        {
            IReadOnlyList<float> src = isDouble ? p.DoubleVal.Select(d => (float)d).ToArray()
                : type == ElementType.Float16 ? p.HalfVal.Select(h => (float)BitConverter.UInt16BitsToHalf((ushort)h)).ToArray()
                : p.FloatVal;
            return Tensor.FromFloats(shape, Broadcast(src, n, file, node), type);
        }
        IReadOnlyList<long> ints = type switch
        {
            ElementType.Int32 => p.IntVal.Select(i => (long)i).ToArray(),
            ElementType.Int64 => p.Int64Val,
            _ => p.BoolVal.Select(b => b ? 1L : 0L).ToArray(),
        };
        return Tensor.FromInts(shape, Broadcast(ints, n, file, node), type);
    }

    /// <summary>Expands <paramref name="src"/> to <paramref name="n"/> values, repeating the last one.</summary>
    private static T[] Broadcast<T>(IReadOnlyList<T> src, int n, string? file, string node)
    {
        if (src.Count > n)
            throw new EastBakeException(ErrorCodes.BadConstant, $"constant lists {src.Count} values but its shape holds {n}", file, node);
        var r = new T[n];
        if (src.Count == 0) return r; // TF: no values means all zeros
        for (var i = 0; i < n; i++) r[i] = src[Math.Min(i, src.Count - 1)];
        return r;
    }
}
