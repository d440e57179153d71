using System.Runtime.InteropServices;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Diagnostics;
using Google.Protobuf;

namespace EastBake.Compiler.Onnx;

/// <summary>IR tensors and element types as ONNX TensorProtos and data types.</summary>
public static class OnnxTensors
{
    public static int DataType(ElementType t, OnnxExportOptions o) => t switch
    {
        ElementType.Float32 => (int)TensorProto.Types.DataType.Float,
        ElementType.Float16 => o.Float16AsFloat32 ? (int)TensorProto.Types.DataType.Float : (int)TensorProto.Types.DataType.Float16,
        ElementType.Int32 => (int)TensorProto.Types.DataType.Int32,
        ElementType.Int64 => (int)TensorProto.Types.DataType.Int64,
        ElementType.Bool => (int)TensorProto.Types.DataType.Bool,
        _ => throw new EastBakeException(ErrorCodes.OnnxExportUnsupported, $"element type {t} has no ONNX mapping"),
    };

    public static TensorProto ToProto(string name, Tensor t, OnnxExportOptions o)
    {
        var p = new TensorProto { Name = name, DataType = DataType(t.Type, o) };
        p.Dims.AddRange(t.Shape);
        p.RawData = t.Type switch
        {
            ElementType.Float32 => Bytes(t.Floats!),
            ElementType.Float16 when o.Float16AsFloat32 => Bytes(t.Floats!),
            ElementType.Float16 => Bytes(Array.ConvertAll(t.Floats!, f => (Half)f)),
            ElementType.Int32 => Bytes(Array.ConvertAll(t.Ints!, i => checked((int)i))),
            ElementType.Int64 => Bytes(t.Ints!),
            ElementType.Bool => Bytes(Array.ConvertAll(t.Ints!, i => (byte)(i != 0 ? 1 : 0))),
            _ => throw new EastBakeException(ErrorCodes.OnnxExportUnsupported, $"element type {t.Type} has no ONNX mapping"),
        };
        return p;
    }

    private static ByteString Bytes<T>(T[] data) where T : unmanaged =>
        BitConverter.IsLittleEndian ? ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()))
        : throw new PlatformNotSupportedException("ONNX raw_data is little-endian.");

    public static Tensor Int64s(params long[] values) => Tensor.FromInts([values.Length], values, ElementType.Int64);

    /// <summary>Permutes a constant's axes (HWIO → OIHW filters, NHWC → NCHW constants).</summary>
    public static Tensor Transpose(Tensor t, IReadOnlyList<long> perm)
    {
        var rank = t.Rank;
        var outShape = perm.Select(p => t.Shape[p]).ToArray();
        var inStrides = Strides(t.Shape);
        var count = t.Length;
        var src = new long[count];
        var idx = new long[rank];
        for (long o = 0; o < count; o++)
        {
            long s = 0;
            for (var d = 0; d < rank; d++) s += idx[d] * inStrides[perm[d]];
            src[o] = s;
            for (var d = rank - 1; d >= 0 && ++idx[d] == outShape[d]; d--) idx[d] = 0;
        }
        return t.Floats is { } f
            ? Tensor.FromFloats(outShape, Array.ConvertAll(src, i => f[i]), t.Type)
            : Tensor.FromInts(outShape, Array.ConvertAll(src, i => t.Ints![i]), t.Type);
    }

    public static Tensor Reshape(Tensor t, long[] shape) => t.Floats is { } f
        ? Tensor.FromFloats(shape, f, t.Type) : Tensor.FromInts(shape, t.Ints!, t.Type);

    private static long[] Strides(long[] shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (var i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }
}
