using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;

namespace EastBake.Tests.Reference;

/// <summary>Builds one-node graphs and evaluates them through the reference interpreter.</summary>
internal static class KernelTestSupport
{
    public static Tensor F(long[] shape, params float[] values) => Tensor.FromFloats(shape, values);

    public static Tensor I(long[] shape, params long[] values) => Tensor.FromInts(shape, values, ElementType.Int32);

    public static float[] Range(int count, float start = 1) => Enumerable.Range(0, count).Select(i => start + i).ToArray();

    /// <summary>A node of <paramref name="op"/> reading placeholders, evaluated on <paramref name="inputs"/>.</summary>
    public static Tensor[] Eval(string op, Dictionary<string, object> attrs, int outputs, params Tensor[] inputs) =>
        Eval(op, attrs, outputs, ElementType.Float32, inputs);

    public static Tensor[] Eval(string op, Dictionary<string, object> attrs, int outputs, ElementType outType, params Tensor[] inputs)
    {
        var g = new Graph();
        var ins = inputs.Select((t, i) => g.AddNode($"in{i}", Ops.Placeholder, type: t.Type).Output).ToList();
        var node = g.AddNode("node", op, ins, outputs, outType);
        foreach (var (k, v) in attrs) node.Attrs[k] = v;
        return ReferenceInterpreter.EvaluateNode(node, inputs);
    }

    public static Tensor Eval1(string op, Dictionary<string, object> attrs, params Tensor[] inputs) => Eval(op, attrs, 1, inputs)[0];

    public static void Equal(long[] shape, float[] expected, Tensor actual, double tolerance = 1e-6)
    {
        Assert.Equal(shape, actual.Shape);
        Assert.Equal(expected.Length, actual.Floats!.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.Floats[i]) <= tolerance,
                $"element {i}: expected {expected[i]}, got {actual.Floats[i]} (all: {string.Join(", ", actual.Floats)})");
    }
}
