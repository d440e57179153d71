using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Protos.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using Tensor = EastBake.Compiler.Ir.Tensor;

namespace EastBake.Tests.Onnx;

/// <summary>Runs an exported model with ONNX Runtime's CPU provider: the independent executor of our ONNX.</summary>
public static class OrtRunner
{
    public static Dictionary<string, Tensor> Run(ModelProto model, IReadOnlyDictionary<string, Tensor> feeds) =>
        Run(model.ToByteArray(), feeds, model.Graph.Output.Select(o => o.Name).ToArray());

    public static Dictionary<string, Tensor> Run(byte[] model, IReadOnlyDictionary<string, Tensor> feeds, string[] outputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 2 };
        using var session = new InferenceSession(model, options);
        var inputs = feeds.Select(f => ToOrt(f.Value)).ToList();
        try
        {
            using var run = new RunOptions();
            using var results = session.Run(run, feeds.Keys.ToArray(), inputs, outputs);
            var map = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            for (var i = 0; i < outputs.Length; i++) map[outputs[i]] = FromOrt(results[i]);
            return map;
        }
        finally
        {
            foreach (var v in inputs) v.Dispose();
        }
    }

    private static OrtValue ToOrt(Tensor t) => t.Type switch
    {
        ElementType.Float32 or ElementType.Float16 => OrtValue.CreateTensorValueFromMemory((float[])t.Floats!.Clone(), t.Shape),
        ElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(t.Ints!, i => (int)i), t.Shape),
        _ => OrtValue.CreateTensorValueFromMemory((long[])t.Ints!.Clone(), t.Shape),
    };

    private static Tensor FromOrt(OrtValue v)
    {
        var info = v.GetTensorTypeAndShape();
        var shape = info.Shape;
        return info.ElementDataType switch
        {
            TensorElementType.Float => Tensor.FromFloats(shape, v.GetTensorDataAsSpan<float>().ToArray()),
            TensorElementType.Int32 => Tensor.FromInts(shape, Array.ConvertAll(v.GetTensorDataAsSpan<int>().ToArray(), i => (long)i), ElementType.Int32),
            TensorElementType.Int64 => Tensor.FromInts(shape, v.GetTensorDataAsSpan<long>().ToArray(), ElementType.Int64),
            var other => throw new NotSupportedException($"ORT output type {other}"),
        };
    }
}

/// <summary>Error measures between a result and its reference.</summary>
public static class Compare
{
    public static double RelL2(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double num = 0, den = 0;
        for (long i = 0; i < expected.Length; i++)
        {
            var d = actual.Get(i) - expected.Get(i);
            num += d * d;
            den += expected.Get(i) * expected.Get(i);
        }
        return den == 0 ? Math.Sqrt(num) : Math.Sqrt(num / den);
    }

    public static double MaxAbs(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double m = 0;
        for (long i = 0; i < expected.Length; i++) m = Math.Max(m, Math.Abs(actual.Get(i) - expected.Get(i)));
        return m;
    }

    /// <summary>4-D NCHW tensor (how the shared .npy files are stored) → NHWC.</summary>
    public static Tensor NchwToNhwc(Tensor t) => t.Rank == 4 ? OnnxTensors.Transpose(t, LayoutAxes.ToNhwc) : t;

    public static Tensor NhwcToNchw(Tensor t) => t.Rank == 4 ? OnnxTensors.Transpose(t, LayoutAxes.ToNchw) : t;
}
