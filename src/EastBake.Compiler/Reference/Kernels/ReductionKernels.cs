using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;

namespace EastBake.Compiler.Reference.Kernels;

/// <summary>Mean over the axes given by the reduction_indices input (keep_dims keeps them as size 1).</summary>
internal static class ReductionKernels
{
    public static Tensor[] Mean(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var axes = KernelIo.Ints(inputs[1], node, "reduction_indices").Select(a => (int)(a < 0 ? a + x.Rank : a)).ToHashSet();
        var keepDims = NodeAttributes.Bool(node, Attr.KeepDims, false);
        var reducedShape = x.Shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        var sums = new double[Tensor.ElementCount(reducedShape)];
        var outStrides = Broadcasting.Strides(reducedShape, x.Shape);
        var index = new long[x.Rank];
        for (long i = 0; i < x.Length; i++)
        {
            long o = 0;
            for (var d = 0; d < x.Rank; d++) o += index[d] * outStrides[d];
            sums[o] += x.Get(i);
            for (var d = x.Rank - 1; d >= 0 && ++index[d] == x.Shape[d]; d--) index[d] = 0;
        }
        var count = x.Length / Math.Max(sums.Length, 1);
        for (var i = 0; i < sums.Length; i++) sums[i] /= count;
        var shape = keepDims ? reducedShape : x.Shape.Where((_, i) => !axes.Contains(i)).ToArray();
        return [KernelIo.FromDoubles(KernelIo.ResultType(node, 0, x.Type), shape, sums)];
    }
}
