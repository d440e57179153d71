using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;

namespace EastBake.Compiler.Reference.Kernels;

/// <summary>Ops that cut, join or pad tensors: StridedSlice, Split, SplitV, ConcatV2, Pad/PadV2.</summary>
internal static class SliceKernels
{
    public static Tensor[] StridedSlice(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var spec = StridedSliceSpec.Resolve(x.Shape, KernelIo.Ints(inputs[1], node, "begin"),
            KernelIo.Ints(inputs[2], node, "end"), KernelIo.Ints(inputs[3], node, "strides"),
            StridedSliceSpec.MasksOf(node), node.Name);
        var axes = spec.Axes;
        var sizes = axes.Select(a => a.Size).ToArray();
        var count = Tensor.ElementCount(sizes);
        var src = KernelIo.Data(x);
        var dst = KernelIo.NewData(x, count);
        var inStrides = RowMajorStrides(x.Shape);
        var index = new long[axes.Length];
        for (long i = 0; i < count; i++)
        {
            long offset = 0;
            for (var d = 0; d < axes.Length; d++) offset += (axes[d].Begin + index[d] * axes[d].Stride) * inStrides[d];
            Array.Copy(src, offset, dst, i, 1);
            for (var d = axes.Length - 1; d >= 0 && ++index[d] == sizes[d]; d--) index[d] = 0;
        }
        var shape = spec.OutputAxes.Select(a => a == StridedSliceSpec.NewAxis ? 1 : sizes[a]).ToArray();
        return [KernelIo.SameType(x, shape, dst)];
    }

    public static Tensor[] ConcatV2(Node node, IReadOnlyList<Tensor> inputs)
    {
        var values = inputs.Take(inputs.Count - 1).ToArray();
        var first = values[0];
        var axis = (int)KernelIo.Ints(inputs[^1], node, "axis")[0];
        if (axis < 0) axis += first.Rank;
        foreach (var t in values)
            if (t.Rank != first.Rank || Enumerable.Range(0, t.Rank).Any(d => d != axis && t.Shape[d] != first.Shape[d]))
                throw KernelIo.Mismatch(node, $"inputs {KernelIo.Show(first.Shape)} and {KernelIo.Show(t.Shape)} differ outside the concat axis {axis}");
        var shape = (long[])first.Shape.Clone();
        shape[axis] = values.Sum(t => t.Shape[axis]);
        var outer = first.Shape.Take(axis).Aggregate(1L, (a, b) => a * b);
        var inners = values.Select(t => t.Shape.Skip(axis).Aggregate(1L, (a, b) => a * b)).ToArray();
        var rowLength = inners.Sum();
        var data = KernelIo.NewData(first, outer * rowLength);
        var floatOut = data is float[];
        for (long o = 0; o < outer; o++)
        {
            long at = o * rowLength;
            for (var k = 0; k < values.Length; k++)
            {
                var srcData = KernelIo.Data(values[k]);
                if (srcData is float[] == floatOut) Array.Copy(srcData, o * inners[k], data, at, inners[k]);
                else for (long i = 0; i < inners[k]; i++) data.SetValue(Convert(values[k].Get(o * inners[k] + i), floatOut), at + i);
                at += inners[k];
            }
        }
        return [KernelIo.SameType(first, shape, data)];
    }

    public static Tensor[] Split(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[1];
        var axis = Axis(KernelIo.Ints(inputs[0], node, "axis")[0], x.Rank);
        var parts = (int)NodeAttributes.Long(node, Attr.NumSplit, node.Outputs.Count);
        if (parts <= 0 || x.Shape[axis] % parts != 0)
            throw KernelIo.Mismatch(node, $"dim {axis} of {KernelIo.Show(x.Shape)} does not split into {parts} equal parts");
        return Cut(x, axis, Enumerable.Repeat(x.Shape[axis] / parts, parts).ToArray());
    }

    public static Tensor[] SplitV(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var axis = Axis(KernelIo.Ints(inputs[2], node, "axis")[0], x.Rank);
        var sizes = (long[])KernelIo.Ints(inputs[1], node, "size_splits").Clone();
        var unknown = Array.IndexOf(sizes, -1L);
        if (unknown >= 0) sizes[unknown] = x.Shape[axis] - (sizes.Sum() + 1);
        if (sizes.Sum() != x.Shape[axis] || sizes.Any(s => s < 0))
            throw KernelIo.Mismatch(node, $"split sizes [{string.Join(",", sizes)}] do not add up to dim {axis} of {KernelIo.Show(x.Shape)}");
        return Cut(x, axis, sizes);
    }

    public static Tensor[] Pad(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var paddings = KernelIo.Ints(inputs[1], node, "paddings");
        if (paddings.Length != 2 * x.Rank)
            throw KernelIo.Mismatch(node, $"paddings has {paddings.Length} values, input {KernelIo.Show(x.Shape)} needs {2 * x.Rank}");
        var fill = inputs.Count > 2 ? inputs[2].Get(0) : 0.0;
        var shape = x.Shape.Select((d, i) => d + paddings[2 * i] + paddings[2 * i + 1]).ToArray();
        var data = KernelIo.NewData(x, Tensor.ElementCount(shape));
        if (fill != 0) for (long i = 0; i < data.LongLength; i++) data.SetValue(Convert(fill, data is float[]), i);
        var src = KernelIo.Data(x);
        var outStrides = RowMajorStrides(shape);
        // Copy contiguous rows of the last dim.
        var last = x.Rank == 0 ? 1 : x.Shape[^1];
        var rows = last == 0 ? 0 : x.Length / last;
        var index = new long[Math.Max(x.Rank - 1, 0)];
        for (long r = 0; r < rows; r++)
        {
            long offset = x.Rank == 0 ? 0 : paddings[2 * (x.Rank - 1)];
            for (var d = 0; d < index.Length; d++) offset += (index[d] + paddings[2 * d]) * outStrides[d];
            Array.Copy(src, r * last, data, offset, last);
            for (var d = index.Length - 1; d >= 0 && ++index[d] == x.Shape[d]; d--) index[d] = 0;
        }
        return [KernelIo.SameType(x, shape, data)];
    }

    private static Tensor[] Cut(Tensor x, int axis, long[] sizes)
    {
        var outer = x.Shape.Take(axis).Aggregate(1L, (a, b) => a * b);
        var inner = x.Shape.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        var src = KernelIo.Data(x);
        var result = new Tensor[sizes.Length];
        long start = 0;
        for (var k = 0; k < sizes.Length; k++)
        {
            var chunk = sizes[k] * inner;
            var data = KernelIo.NewData(x, outer * chunk);
            for (long o = 0; o < outer; o++)
                Array.Copy(src, (o * x.Shape[axis] + start) * inner, data, o * chunk, chunk);
            var shape = (long[])x.Shape.Clone();
            shape[axis] = sizes[k];
            result[k] = KernelIo.SameType(x, shape, data);
            start += sizes[k];
        }
        return result;
    }

    private static int Axis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    private static object Convert(double v, bool toFloat) => toFloat ? (float)v : (object)(long)v;

    internal static long[] RowMajorStrides(long[] shape)
    {
        var s = new long[shape.Length];
        long stride = 1;
        for (var i = shape.Length - 1; i >= 0; i--) { s[i] = stride; stride *= shape[i]; }
        return s;
    }
}
