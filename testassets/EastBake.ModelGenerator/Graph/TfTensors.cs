using System.Buffers.Binary;
using EastBake.Compiler.Protos.Tf;
using Google.Protobuf;

namespace EastBake.ModelGenerator.Graph;

/// <summary>TensorProto builders, laid out the way TF1's make_tensor_proto writes them.</summary>
public static class TfTensors
{
    public static TensorShapeProto Shape(params long[] dims)
    {
        var s = new TensorShapeProto();
        foreach (var d in dims) s.Dim.Add(new TensorShapeProto.Types.Dim { Size = d });
        return s;
    }

    /// <summary>A float array in tensor_content (float32 little-endian).</summary>
    public static TensorProto Floats(long[] shape, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(shape), TensorContent = ByteString.CopyFrom(bytes) };
    }

    /// <summary>An int32 array in tensor_content.</summary>
    public static TensorProto Ints(long[] shape, int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        return new TensorProto { Dtype = DataType.DtInt32, TensorShape = Shape(shape), TensorContent = ByteString.CopyFrom(bytes) };
    }

    /// <summary>A float scalar in float_val (no tensor_shape, as in TF1 frozen graphs).</summary>
    public static TensorProto ScalarFloat(float v) => new() { Dtype = DataType.DtFloat, FloatVal = { v } };

    /// <summary>An int32 scalar in int_val.</summary>
    public static TensorProto ScalarInt(int v) => new() { Dtype = DataType.DtInt32, IntVal = { v } };

    /// <summary>A splat constant (one float_val broadcast over the shape), as tf.zeros/ones write it.</summary>
    public static TensorProto Splat(long[] shape, float v) => new() { Dtype = DataType.DtFloat, TensorShape = Shape(shape), FloatVal = { v } };

    public static TensorProto Strings(params string[] values)
    {
        var t = new TensorProto { Dtype = DataType.DtString, TensorShape = values.Length == 1 ? new TensorShapeProto() : Shape(values.Length) };
        foreach (var v in values) t.StringVal.Add(ByteString.CopyFromUtf8(v));
        return t;
    }
}
