using EastBake.Compiler.Ir;

namespace EastBake.Tests.Onnx;

/// <summary>Small hand-built IR graphs for exporter and optimizer tests.</summary>
public static class TestGraphs
{
    public static Node Input(this Graph g, string name, params long[] shape) => g.InputSym(name, shape.Select(Dim.Known).ToArray());

    /// <summary>A Placeholder whose dims may be symbolic (dynamic).</summary>
    public static Node InputSym(this Graph g, string name, Dim[] dims)
    {
        var x = g.AddNode(name, Ops.Placeholder);
        x.Attrs[Attr.DType] = ElementType.Float32;
        x.Attrs[Attr.Shape] = new Shape(dims);
        x.Output.Shape = new Shape(dims);
        g.Inputs.Add(x.Output);
        return x;
    }

    public static Node Op(this Graph g, string name, string op, params Value[] inputs) => g.AddNode(name, op, inputs);

    public static Value C(this Graph g, string name, long[] shape, float[] data) => g.AddConst(name, Tensor.FromFloats(shape, data)).Output;

    public static Value Ci(this Graph g, string name, long[] shape, long[] data, ElementType type = ElementType.Int32) =>
        g.AddConst(name, Tensor.FromInts(shape, data, type)).Output;

    public static Value Random(this Graph g, string name, long[] shape, int seed, float scale = 1f, float offset = 0f) =>
        g.C(name, shape, RandomData(Tensor.ElementCount(shape), seed, scale, offset));

    public static float[] RandomData(long count, int seed, float scale = 1f, float offset = 0f)
    {
        var r = new Random(seed);
        var d = new float[count];
        for (var i = 0; i < d.Length; i++) d[i] = (float)(r.NextDouble() * 2 - 1) * scale + offset;
        return d;
    }

    public static Tensor RandomTensor(long[] shape, int seed, float scale = 1f) =>
        Tensor.FromFloats(shape, RandomData(Tensor.ElementCount(shape), seed, scale));

    public static Node Conv(this Graph g, string name, Value x, Value w, string padding = "SAME", long stride = 1, long dilation = 1)
    {
        var c = g.Op(name, Ops.Conv2D, x, w);
        c.Attrs[Attr.Strides] = new long[] { 1, stride, stride, 1 };
        c.Attrs[Attr.Dilations] = new long[] { 1, dilation, dilation, 1 };
        c.Attrs[Attr.Padding] = padding;
        c.Attrs[Attr.DataFormat] = "NHWC";
        return c;
    }

    public static Node Pool(this Graph g, string name, string op, Value x, long k, long s, string padding)
    {
        var p = g.Op(name, op, x);
        p.Attrs[Attr.KSize] = new long[] { 1, k, k, 1 };
        p.Attrs[Attr.Strides] = new long[] { 1, s, s, 1 };
        p.Attrs[Attr.Padding] = padding;
        return p;
    }

    public static Node BatchNorm(this Graph g, string name, Value x, int channels, int seed, string op = Ops.FusedBatchNorm)
    {
        var gamma = g.Random(name + "/gamma", [channels], seed, 0.5f, 1f);
        var beta = g.Random(name + "/beta", [channels], seed + 1);
        var mean = g.Random(name + "/mean", [channels], seed + 2);
        var variance = g.Random(name + "/var", [channels], seed + 3, 0.4f, 0.6f);
        var bn = g.AddNode(name, op, [x, gamma, beta, mean, variance], outputs: op == Ops.FusedBatchNormV3 ? 6 : 5);
        bn.Attrs[Attr.Epsilon] = 1e-3f;
        bn.Attrs[Attr.IsTraining] = false;
        return bn;
    }
}
