using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Reference.Kernels;

/// <summary>Unary activations, numpy-broadcast binary arithmetic (optionally with a fused activation) and BiasAdd.</summary>
internal static class ElementwiseKernels
{
    public static Tensor[] Relu(Node node, IReadOnlyList<Tensor> inputs) => Unary(node, inputs[0], v => v > 0 ? v : 0);

    public static Tensor[] Relu6(Node node, IReadOnlyList<Tensor> inputs) => Unary(node, inputs[0], v => Math.Clamp(v, 0, 6));

    public static Tensor[] Sigmoid(Node node, IReadOnlyList<Tensor> inputs) => Unary(node, inputs[0], v => 1.0 / (1.0 + Math.Exp(-v)));

    public static Tensor[] Add(Node node, IReadOnlyList<Tensor> inputs) => Binary(node, inputs, (a, b) => a + b);

    public static Tensor[] Sub(Node node, IReadOnlyList<Tensor> inputs) => Binary(node, inputs, (a, b) => a - b);

    public static Tensor[] Mul(Node node, IReadOnlyList<Tensor> inputs) => Binary(node, inputs, (a, b) => a * b);

    public static Tensor[] RealDiv(Node node, IReadOnlyList<Tensor> inputs) => Binary(node, inputs, (a, b) => a / b);

    public static Tensor[] Maximum(Node node, IReadOnlyList<Tensor> inputs) => Binary(node, inputs, Math.Max);

    public static Tensor[] BiasAdd(Node node, IReadOnlyList<Tensor> inputs)
    {
        var (x, bias) = (inputs[0], inputs[1]);
        var c = x.Rank == 0 ? 1 : x.Shape[^1];
        if (bias.Rank != 1 || bias.Shape[0] != c)
            throw KernelIo.Mismatch(node, $"bias shape {KernelIo.Show(bias.Shape)} does not match the last dim of input {KernelIo.Show(x.Shape)}");
        var b = bias.ToDoubles();
        var result = new double[x.Length];
        Parallel.For(0, (int)Math.Max(1, x.Length / c), row =>
        {
            var start = row * c;
            for (long i = 0; i < c; i++) result[start + i] = x.Get(start + i) + b[i];
        });
        return [KernelIo.FromDoubles(KernelIo.ResultType(node, 0, x.Type), x.Shape, result)];
    }

    private static Tensor[] Unary(Node node, Tensor x, Func<double, double> f)
    {
        var result = new double[x.Length];
        Parallel.For(0, result.Length, i => result[i] = f(x.Get(i)));
        return [KernelIo.FromDoubles(KernelIo.ResultType(node, 0, x.Type), x.Shape, result)];
    }

    private static Tensor[] Binary(Node node, IReadOnlyList<Tensor> inputs, Func<double, double, double> f)
    {
        var (a, b) = (inputs[0], inputs[1]);
        var shape = Broadcasting.Shape(node, a.Shape, b.Shape);
        var act = Activations.Parse(node);
        var result = new double[Tensor.ElementCount(shape)];
        if (a.Length == result.Length && b.Length == result.Length)
            Parallel.For(0, result.Length, i => result[i] = act.Apply(f(a.Get(i), b.Get(i))));
        else if (b.Length == 1)
        {
            var bv = b.Get(0);
            Parallel.For(0, result.Length, i => result[i] = act.Apply(f(a.Get(i), bv)));
        }
        else if (a.Length == 1)
        {
            var av = a.Get(0);
            Parallel.For(0, result.Length, i => result[i] = act.Apply(f(av, b.Get(i))));
        }
        else
        {
            var sa = Broadcasting.Strides(a.Shape, shape);
            var sb = Broadcasting.Strides(b.Shape, shape);
            var index = new long[shape.Length];
            for (long i = 0; i < result.Length; i++)
            {
                long ia = 0, ib = 0;
                for (var d = 0; d < shape.Length; d++) { ia += index[d] * sa[d]; ib += index[d] * sb[d]; }
                result[i] = act.Apply(f(a.Get(ia), b.Get(ib)));
                for (var d = shape.Length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
            }
        }
        var inputType = a.Type.IsFloat() ? a.Type : b.Type;
        return [KernelIo.FromDoubles(KernelIo.ResultType(node, 0, inputType), shape, result)];
    }
}

/// <summary>Numpy broadcasting over concrete shapes.</summary>
internal static class Broadcasting
{
    public static long[] Shape(Node node, long[] a, long[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw KernelIo.Mismatch(node, $"shapes {KernelIo.Show(a)} and {KernelIo.Show(b)} cannot be broadcast");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Strides of <paramref name="shape"/> laid over <paramref name="outShape"/> (0 on broadcast dims).</summary>
    public static long[] Strides(long[] shape, long[] outShape)
    {
        var strides = new long[outShape.Length];
        long stride = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            var o = i + outShape.Length - shape.Length;
            strides[o] = shape[i] == 1 ? 0 : stride;
            stride *= shape[i];
        }
        return strides;
    }
}
