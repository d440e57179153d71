using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Reference.Kernels;

/// <summary>
/// MaxPool and AvgPool (NHWC). Padded positions never take part: for MaxPool that is TF's
/// -inf padding, for AvgPool the divisor is the number of in-range elements of each window.
/// </summary>
internal static class PoolingKernels
{
    public static Tensor[] MaxPool(Node node, IReadOnlyList<Tensor> inputs) => Pool(node, inputs[0], average: false);

    public static Tensor[] AvgPool(Node node, IReadOnlyList<Tensor> inputs) => Pool(node, inputs[0], average: true);

    private static Tensor[] Pool(Node node, Tensor x, bool average)
    {
        KernelIo.RequireRank(node, x, 4, "input");
        var k = NodeAttributes.Longs(node, Attr.KSize)
            ?? throw new EastBakeException(ErrorCodes.BadAttribute, $"{node.Op} needs attribute 'ksize'", node: node.Name);
        if (k.Length == 4 && (k[0] != 1 || k[3] != 1))
            throw new EastBakeException(ErrorCodes.UnsupportedOp, $"{node.Op} pooling over batch or channels is not supported", node: node.Name);
        var (kh, kw) = NodeAttributes.SpatialPair(node, Attr.KSize, 1);
        var (ah, aw, padding) = WindowGeometry.ForNode(node, kh, kw);
        var (n, h, w, c) = ((int)x.Shape[0], (int)x.Shape[1], (int)x.Shape[2], (int)x.Shape[3]);
        var (oh, padTop) = WindowGeometry.Resolve(h, ah, padding);
        var (ow, padLeft) = WindowGeometry.Resolve(w, aw, padding);
        var input = KernelIo.Floats(x);
        var output = new float[n * oh * ow * c];

        Parallel.For(0, (int)(n * oh), row =>
        {
            var b = row / (int)oh;
            var y = row % (int)oh;
            var acc = new double[c];
            var y0 = y * ah.Stride - padTop;
            var yStart = Math.Max(y0, 0);
            var yEnd = Math.Min(y0 + kh, h);
            for (var xo = 0; xo < ow; xo++)
            {
                var x0 = xo * aw.Stride - padLeft;
                var xStart = Math.Max(x0, 0);
                var xEnd = Math.Min(x0 + kw, w);
                Array.Fill(acc, average ? 0.0 : double.NegativeInfinity);
                for (var iy = yStart; iy < yEnd; iy++)
                for (var ix = xStart; ix < xEnd; ix++)
                {
                    var src = (((long)b * h + iy) * w + ix) * c;
                    if (average)
                        for (var ch = 0; ch < c; ch++) acc[ch] += input[src + ch];
                    else
                        for (var ch = 0; ch < c; ch++) acc[ch] = Math.Max(acc[ch], input[src + ch]);
                }
                var dst = (((long)b * oh + y) * ow + xo) * c;
                var divisor = average ? (double)((yEnd - yStart) * (xEnd - xStart)) : 1.0;
                for (var ch = 0; ch < c; ch++) output[dst + ch] = (float)(acc[ch] / divisor);
            }
        });
        return [KernelIo.FromFloats(KernelIo.ResultType(node, 0, x.Type), [n, oh, ow, c], output)];
    }
}
