using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;

namespace EastBake.Compiler.Reference.Kernels;

/// <summary>Ops that reinterpret or relabel a tensor without arithmetic: Identity, Shape, Reshape, Squeeze, Cast, Pack.</summary>
internal static class ShapeOpKernels
{
    public static Tensor[] Identity(Node node, IReadOnlyList<Tensor> inputs) => [inputs[0]];

    public static Tensor[] Shape(Node node, IReadOnlyList<Tensor> inputs)
    {
        var type = NodeAttributes.Type(node, Attr.OutType)
            ?? (node.Outputs.Count > 0 && node.Output.Type.IsInteger() ? node.Output.Type : ElementType.Int32);
        return [Tensor.FromInts([inputs[0].Rank], (long[])inputs[0].Shape.Clone(), type)];
    }

    public static Tensor[] Reshape(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var requested = KernelIo.Ints(inputs[1], node, "shape");
        var shape = (long[])requested.Clone();
        var inferred = Array.IndexOf(shape, -1L);
        if (inferred >= 0)
        {
            var known = shape.Where((d, i) => i != inferred).Aggregate(1L, (a, b) => a * b);
            if (known == 0 || x.Length % known != 0)
                throw KernelIo.Mismatch(node, $"cannot reshape {KernelIo.Show(x.Shape)} to [{string.Join(",", requested)}]");
            shape[inferred] = x.Length / known;
        }
        if (Tensor.ElementCount(shape) != x.Length)
            throw KernelIo.Mismatch(node, $"cannot reshape {KernelIo.Show(x.Shape)} ({x.Length} elements) to [{string.Join(",", requested)}]");
        return [KernelIo.SameType(x, shape, KernelIo.Data(x))];
    }

    public static Tensor[] Squeeze(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var axes = (NodeAttributes.Longs(node, Attr.SqueezeDims) ?? NodeAttributes.Longs(node, Attr.Axis) ?? [])
            .Select(a => a < 0 ? a + x.Rank : a).ToHashSet();
        var shape = new List<long>();
        for (var i = 0; i < x.Rank; i++)
        {
            var squeeze = axes.Count == 0 ? x.Shape[i] == 1 : axes.Contains(i);
            if (squeeze && x.Shape[i] != 1)
                throw KernelIo.Mismatch(node, $"cannot squeeze dim {i} of size {x.Shape[i]} (input {KernelIo.Show(x.Shape)})");
            if (!squeeze) shape.Add(x.Shape[i]);
        }
        return [KernelIo.SameType(x, shape.ToArray(), KernelIo.Data(x))];
    }

    public static Tensor[] Cast(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var type = NodeAttributes.Type(node, Attr.DstT) ?? (node.Outputs.Count > 0 ? node.Output.Type : x.Type);
        if (type == x.Type) return [x];
        return [KernelIo.FromDoubles(type, x.Shape, x.ToDoubles())];
    }

    public static Tensor[] Pack(Node node, IReadOnlyList<Tensor> inputs)
    {
        var first = inputs[0];
        foreach (var t in inputs)
            if (!t.Shape.SequenceEqual(first.Shape))
                throw KernelIo.Mismatch(node, $"inputs differ in shape: {KernelIo.Show(first.Shape)} and {KernelIo.Show(t.Shape)}");
        var axis = (int)NodeAttributes.Long(node, Attr.Axis, 0);
        if (axis < 0) axis += first.Rank + 1;
        var shape = first.Shape.ToList();
        shape.Insert(axis, inputs.Count);
        var outer = first.Shape.Take(axis).Aggregate(1L, (a, b) => a * b);
        var inner = first.Length / Math.Max(outer, 1);
        var data = KernelIo.NewData(first, first.Length * inputs.Count);
        for (long o = 0; o < outer; o++)
            for (var k = 0; k < inputs.Count; k++)
                Array.Copy(KernelIo.Data(inputs[k]), o * inner, data, (o * inputs.Count + k) * inner, inner);
        return [KernelIo.SameType(first, shape.ToArray(), data)];
    }
}
