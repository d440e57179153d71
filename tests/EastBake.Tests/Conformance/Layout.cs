using EastBake.Compiler.Ir;

namespace EastBake.Tests.Conformance;

/// <summary>NCHW ↔ NHWC transposes for the 4-D tensors OpenCV's test data stores as NCHW.</summary>
internal static class Layout
{
    public static Tensor NchwToNhwc(Tensor t) => t.Rank == 4 ? Permute(t, [0, 2, 3, 1]) : t;

    public static Tensor NhwcToNchw(Tensor t) => t.Rank == 4 ? Permute(t, [0, 3, 1, 2]) : t;

    /// <summary>Output dim i is input dim perm[i].</summary>
    public static Tensor Permute(Tensor t, int[] perm)
    {
        var shape = perm.Select(p => t.Shape[p]).ToArray();
        var inStrides = new long[t.Rank];
        long stride = 1;
        for (var i = t.Rank - 1; i >= 0; i--) { inStrides[i] = stride; stride *= t.Shape[i]; }
        var values = t.ToDoubles();
        var result = new double[values.Length];
        var index = new long[t.Rank];
        for (long o = 0; o < result.Length; o++)
        {
            long src = 0;
            for (var d = 0; d < t.Rank; d++) src += index[d] * inStrides[perm[d]];
            result[o] = values[src];
            for (var d = t.Rank - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        return t.Floats is not null
            ? Tensor.FromFloats(shape, Array.ConvertAll(result, v => (float)v), t.Type)
            : Tensor.FromInts(shape, Array.ConvertAll(result, v => (long)v), t.Type);
    }

    /// <summary>‖a − b‖ / ‖b‖ and max |a − b| over equally long tensors.</summary>
    public static (double RelL2, double MaxAbs) Compare(Tensor actual, Tensor reference)
    {
        double diff = 0, norm = 0, max = 0;
        for (long i = 0; i < reference.Length; i++)
        {
            var d = actual.Get(i) - reference.Get(i);
            diff += d * d;
            norm += reference.Get(i) * reference.Get(i);
            max = Math.Max(max, Math.Abs(d));
        }
        return (norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm), max);
    }
}
