using System.Runtime.InteropServices;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Plans;
using Google.Protobuf;

namespace EastBake.Baking.Calibration;

/// <summary>
/// Rewrites an exported FP32 ONNX graph so that ONNX Runtime CPU computes what a reduced-precision
/// plan computes, for accuracy measurements on machines without the engine's device:
/// <list type="bullet">
/// <item>INT8 layers: the input goes through QuantizeLinear/DequantizeLinear with the calibrated
/// scale (amax / 127, zero point 0), the weights are stored as int8 with per-output-channel
/// scales and dequantized (DequantizeLinear, axis 0): products of int8 values, summed in float.</item>
/// <item>FP16 layers: weights and bias rounded to float16, the input rounded through
/// Cast(float16) → Cast(float): float16 storage, float accumulation.</item>
/// <item>FP32 layers are left alone; other ops stay FP32.</item>
/// </list>
/// </summary>
public static class PrecisionEmulation
{
    /// <summary>Every convolution at the precision <paramref name="layers"/> give (INT8 needs <paramref name="table"/>).</summary>
    public static ModelProto Apply(ModelProto fp32, IReadOnlyList<LayerPrecision> layers, CalibrationTable? table)
    {
        var model = fp32.Clone();
        var g = model.Graph;
        var initializers = g.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var byLayer = layers.ToDictionary(l => l.Layer, l => l.Precision, StringComparer.Ordinal);
        var quantized = new Dictionary<string, string>(StringComparer.Ordinal); // activation → its QDQ output
        var rounded = new Dictionary<string, string>(StringComparer.Ordinal);   // activation → its fp16-rounded copy
        var nodes = new List<NodeProto>();
        foreach (var n in g.Node)
        {
            if (n.OpType == "Conv" && byLayer.TryGetValue(n.Name, out var precision) && precision != Precision.FP32)
            {
                if (precision == Precision.INT8)
                {
                    if (table is null || !table.Tensors.TryGetValue(n.Input[0], out var range))
                        throw new InvalidOperationException($"no calibrated range for '{n.Input[0]}', the input of INT8 layer '{n.Name}'");
                    if (!quantized.TryGetValue(n.Input[0], out var qdq))
                        quantized[n.Input[0]] = qdq = QuantizeDequantize(n.Input[0], range.Scale, nodes, g);
                    n.Input[0] = qdq;
                    n.Input[1] = QuantizedWeights(initializers[n.Input[1]], nodes, g);
                }
                else
                {
                    if (!rounded.TryGetValue(n.Input[0], out var r)) rounded[n.Input[0]] = r = RoundToHalf(n.Input[0], nodes);
                    n.Input[0] = r;
                    for (var k = 1; k < n.Input.Count; k++) RoundInitializerToHalf(initializers[n.Input[k]]);
                }
            }
            nodes.Add(n);
        }
        g.Node.Clear();
        g.Node.AddRange(nodes);
        // Float filters replaced by their int8 copies are read by no node any more.
        var read = g.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        foreach (var unused in g.Initializer.Where(t => !read.Contains(t.Name)).ToList()) g.Initializer.Remove(unused);
        return model;
    }

    /// <summary>Every convolution in FP16 (an FP16 plan), graph outputs rounded to float16 too.</summary>
    public static ModelProto Fp16(ModelProto fp32)
    {
        var layers = fp32.Graph.Node.Where(n => n.OpType == "Conv").Select(n => new LayerPrecision(n.Name, Precision.FP16, "FP16 plan")).ToList();
        var model = Apply(fp32, layers, null);
        var g = model.Graph;
        foreach (var output in g.Output)
        {
            var inner = output.Name + "/fp32";
            foreach (var n in g.Node)
                for (var k = 0; k < n.Output.Count; k++) if (n.Output[k] == output.Name) n.Output[k] = inner;
            var nodes = new List<NodeProto>();
            RoundToHalf(inner, nodes, output.Name);
            g.Node.AddRange(nodes);
        }
        return model;
    }

    private static string QuantizeDequantize(string x, float scale, List<NodeProto> nodes, GraphProto g)
    {
        var s = Add(g, FloatTensor(x + "/int8_scale", [], [scale]));
        var zp = Add(g, Int8Tensor(x + "/int8_zero", [], [0]));
        nodes.Add(Node("QuantizeLinear", x + "/quantize", [x, s, zp], x + "/q"));
        nodes.Add(Node("DequantizeLinear", x + "/dequantize", [x + "/q", s, zp], x + "/qdq"));
        return x + "/qdq";
    }

    private static string QuantizedWeights(TensorProto w, List<NodeProto> nodes, GraphProto g)
    {
        var data = Floats(w);
        var channels = (int)w.Dims[0];
        var amax = WeightScales.PerChannelAmax(data, channels, channelIsLastAxis: false);
        var scales = Array.ConvertAll(amax, a => a / 127f);
        var perChannel = data.Length / channels;
        var q = new sbyte[data.Length];
        for (var k = 0; k < data.Length; k++) q[k] = WeightScales.Quantize(data[k], scales[k / perChannel]);
        var name = w.Name + "/int8";
        Add(g, Int8Tensor(name, w.Dims.ToArray(), q));
        var s = Add(g, FloatTensor(name + "_scale", [channels], scales));
        var zp = Add(g, Int8Tensor(name + "_zero", [channels], new sbyte[channels]));
        var dq = Node("DequantizeLinear", name + "/dequantize", [name, s, zp], name + "/dq");
        dq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        nodes.Add(dq);
        return name + "/dq";
    }

    private static string RoundToHalf(string x, List<NodeProto> nodes, string? output = null)
    {
        output ??= x + "/fp16_rounded";
        var toHalf = Node("Cast", x + "/to_fp16", [x], x + "/fp16");
        toHalf.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Float16 });
        var back = Node("Cast", x + "/from_fp16", [x + "/fp16"], output);
        back.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Float });
        nodes.Add(toHalf);
        nodes.Add(back);
        return output;
    }

    private static void RoundInitializerToHalf(TensorProto t)
    {
        var f = Floats(t);
        for (var k = 0; k < f.Length; k++) f[k] = (float)(Half)f[k];
        t.FloatData.Clear();
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(f.AsSpan()));
    }

    private static float[] Floats(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float) throw new InvalidOperationException($"initializer '{t.Name}' is not float");
        return t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        return n;
    }

    private static string Add(GraphProto g, TensorProto t)
    {
        g.Initializer.Add(t);
        return t.Name;
    }

    private static TensorProto FloatTensor(string name, long[] dims, float[] data)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())) };
        t.Dims.AddRange(dims);
        return t;
    }

    private static TensorProto Int8Tensor(string name, long[] dims, sbyte[] data)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int8, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())) };
        t.Dims.AddRange(dims);
        return t;
    }
}
