using System.Numerics;
using System.Runtime.InteropServices;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;

namespace EastBake.Compiler.Reference.Kernels;

/// <summary>
/// Conv2D (NHWC input, HWIO filter) with double accumulation, plus the optimizer's fused form
/// (third input = bias [O], attribute <c>activation</c> = Relu/Relu6).
/// </summary>
internal static class ConvolutionKernel
{
    // Output pixels computed together: each filter row (all O outputs of one tap and input
    // channel) is loaded once and used for this many pixels.
    private const int PixelBlock = 8;

    public static Tensor[] Conv2D(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var f = inputs[1];
        KernelIo.RequireRank(node, x, 4, "input");
        KernelIo.RequireRank(node, f, 4, "filter");
        var (n, h, w, c) = (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]);
        var (kh, kw, ci, co) = (f.Shape[0], f.Shape[1], f.Shape[2], f.Shape[3]);
        if (ci != c)
            throw KernelIo.Mismatch(node, $"input channels {c} (input {KernelIo.Show(x.Shape)}) differ from filter input channels {ci} (filter {KernelIo.Show(f.Shape)})");
        var (ah, aw, padding) = WindowGeometry.ForNode(node, kh, kw);
        var (oh, padTop) = WindowGeometry.Resolve(h, ah, padding);
        var (ow, padLeft) = WindowGeometry.Resolve(w, aw, padding);

        double[]? bias = null;
        if (inputs.Count > 2)
        {
            bias = inputs[2].ToDoubles();
            if (bias.Length != co) throw KernelIo.Mismatch(node, $"bias has {bias.Length} values, filter has {co} outputs");
        }
        var activation = Activations.Parse(node);
        var geometry = new Geometry((int)h, (int)w, (int)c, (int)kh, (int)kw, (int)co, (int)oh, (int)ow,
            (int)ah.Stride, (int)aw.Stride, (int)ah.Dilation, (int)aw.Dilation, (int)padTop, (int)padLeft);

        var input = KernelIo.Floats(x);
        var filter = f.ToDoubles();
        var output = new float[n * oh * ow * co];
        Parallel.For(0, (int)(n * oh), row =>
            ComputeRow(geometry, input, filter, bias, activation, output, row / (int)oh, row % (int)oh));
        return [KernelIo.FromFloats(KernelIo.ResultType(node, 0, x.Type), [n, oh, ow, co], output)];
    }

    private readonly record struct Geometry(int H, int W, int C, int KH, int KW, int O, int OH, int OW,
        int StrideH, int StrideW, int DilationH, int DilationW, int PadTop, int PadLeft);

    private static void ComputeRow(Geometry g, float[] x, double[] filter, double[]? bias, Activation act,
        float[] y, int n, int oh)
    {
        var acc = new double[PixelBlock * g.O];
        Span<long> xOffset = stackalloc long[PixelBlock];
        for (var ow0 = 0; ow0 < g.OW; ow0 += PixelBlock)
        {
            var count = Math.Min(PixelBlock, g.OW - ow0);
            for (var p = 0; p < count; p++)
                if (bias is null) Array.Clear(acc, p * g.O, g.O);
                else Array.Copy(bias, 0, acc, p * g.O, g.O);

            for (var ky = 0; ky < g.KH; ky++)
            {
                var ih = oh * g.StrideH - g.PadTop + ky * g.DilationH;
                if (ih < 0 || ih >= g.H) continue; // zero padding contributes nothing
                var rowBase = ((long)n * g.H + ih) * g.W * g.C;
                for (var kx = 0; kx < g.KW; kx++)
                {
                    var any = false;
                    for (var p = 0; p < count; p++)
                    {
                        var iw = (ow0 + p) * g.StrideW - g.PadLeft + kx * g.DilationW;
                        xOffset[p] = iw < 0 || iw >= g.W ? -1 : rowBase + (long)iw * g.C;
                        any |= xOffset[p] >= 0;
                    }
                    if (!any) continue;
                    var tapBase = ((long)ky * g.KW + kx) * g.C * g.O;
                    for (var c = 0; c < g.C; c++)
                    {
                        var wRow = new ReadOnlySpan<double>(filter, (int)(tapBase + (long)c * g.O), g.O);
                        for (var p = 0; p < count; p++)
                        {
                            if (xOffset[p] < 0) continue;
                            var xv = x[xOffset[p] + c];
                            if (xv == 0f) continue; // post-ReLU activations are often zero
                            MultiplyAdd(acc.AsSpan(p * g.O, g.O), xv, wRow);
                        }
                    }
                }
            }

            for (var p = 0; p < count; p++)
            {
                var outBase = (((long)n * g.OH + oh) * g.OW + ow0 + p) * g.O;
                for (var o = 0; o < g.O; o++) y[outBase + o] = (float)act.Apply(acc[p * g.O + o]);
            }
        }
    }

    /// <summary>acc += a * w, vectorized.</summary>
    internal static void MultiplyAdd(Span<double> acc, double a, ReadOnlySpan<double> w)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && w.Length >= Vector<double>.Count)
        {
            var va = new Vector<double>(a);
            var accV = MemoryMarshal.Cast<double, Vector<double>>(acc);
            var wV = MemoryMarshal.Cast<double, Vector<double>>(w);
            for (var k = 0; k < wV.Length; k++) accV[k] = Vector.FusedMultiplyAdd(va, wV[k], accV[k]);
            i = wV.Length * Vector<double>.Count;
        }
        for (; i < w.Length; i++) acc[i] += a * w[i];
    }
}
