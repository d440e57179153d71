using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;

namespace EastBake.Compiler.Reference.Kernels;

/// <summary>
/// FusedBatchNorm / V2 / V3 over the last (channel) axis. Inference: y = (x − mean)·γ/√(var+ε) + β
/// with the given statistics. With is_training=true the batch's own mean and (biased) variance
/// normalize, as TF does; the variance output is then Bessel-corrected.
/// </summary>
internal static class BatchNormKernel
{
    public static Tensor[] FusedBatchNorm(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var c = x.Shape[^1];
        var gamma = PerChannel(node, inputs[1], c, "scale");
        var beta = PerChannel(node, inputs[2], c, "offset");
        var epsilon = NodeAttributes.Double(node, Attr.Epsilon, 1e-4);
        var training = NodeAttributes.Bool(node, Attr.IsTraining, false);
        var rows = x.Length / c;

        double[] mean, variance, reportedVariance;
        if (training)
        {
            (mean, variance) = BatchStatistics(x, c);
            reportedVariance = Array.ConvertAll(variance, v => rows > 1 ? v * rows / (rows - 1) : v);
        }
        else
        {
            mean = PerChannel(node, inputs[3], c, "mean");
            variance = PerChannel(node, inputs[4], c, "variance");
            reportedVariance = variance;
        }

        var scale = new double[c];
        for (var i = 0; i < c; i++) scale[i] = gamma[i] / Math.Sqrt(variance[i] + epsilon);
        var y = new double[x.Length];
        Parallel.For(0, (int)rows, row =>
        {
            var start = row * c;
            for (long i = 0; i < c; i++) y[start + i] = (x.Get(start + i) - mean[i]) * scale[i] + beta[i];
        });

        var type = KernelIo.ResultType(node, 0, x.Type);
        var outputs = new List<Tensor> { KernelIo.FromDoubles(type, x.Shape, y) };
        // batch_mean, batch_variance, then reserve spaces (TF fills them with the same statistics).
        var extra = new[] { mean, reportedVariance, mean, variance, mean };
        for (var k = 1; k < Math.Max(node.Outputs.Count, 1); k++)
            outputs.Add(KernelIo.FromDoubles(KernelIo.ResultType(node, k, ElementType.Float32), [c], (double[])extra[Math.Min(k - 1, extra.Length - 1)].Clone()));
        return outputs.ToArray();
    }

    private static double[] PerChannel(Node node, Tensor t, long c, string what)
    {
        if (t.Length == c) return t.ToDoubles();
        if (t.Length == 1) return Enumerable.Repeat(t.Get(0), (int)c).ToArray(); // a scalar broadcast to all channels
        throw KernelIo.Mismatch(node, $"{what} has shape {KernelIo.Show(t.Shape)}, expected [{c}] for the input's channels");
    }

    private static (double[] Mean, double[] Variance) BatchStatistics(Tensor x, long c)
    {
        var rows = x.Length / c;
        var mean = new double[c];
        var variance = new double[c];
        for (long r = 0; r < rows; r++)
            for (long i = 0; i < c; i++) mean[i] += x.Get(r * c + i);
        for (var i = 0; i < c; i++) mean[i] /= rows;
        for (long r = 0; r < rows; r++)
            for (long i = 0; i < c; i++) { var d = x.Get(r * c + i) - mean[i]; variance[i] += d * d; }
        for (var i = 0; i < c; i++) variance[i] /= rows;
        return (mean, variance);
    }
}
