using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Reference.Kernels;

/// <summary>
/// ResizeBilinear (NHWC, output float32) with TF's three sampling rules: legacy
/// (src = dst·in/out), align_corners (src = dst·(in−1)/(out−1)) and half_pixel_centers
/// (src = (dst+0.5)·in/out − 0.5). Source coordinates are computed in float as TF does.
/// </summary>
internal static class ResizeBilinearKernel
{
    public static Tensor[] ResizeBilinear(Node node, IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        KernelIo.RequireRank(node, x, 4, "images");
        var size = KernelIo.Ints(inputs[1], node, "size");
        if (size.Length != 2 || size[0] <= 0 || size[1] <= 0)
            throw KernelIo.Mismatch(node, $"size must hold two positive values, is [{string.Join(",", size)}]");
        var alignCorners = NodeAttributes.Bool(node, Attr.AlignCorners, false);
        var halfPixel = NodeAttributes.Bool(node, Attr.HalfPixelCenters, false);
        if (alignCorners && halfPixel)
            throw new EastBakeException(ErrorCodes.BadAttribute, "ResizeBilinear: align_corners and half_pixel_centers cannot both be true", node: node.Name);

        var (n, h, w, c) = ((int)x.Shape[0], (int)x.Shape[1], (int)x.Shape[2], (int)x.Shape[3]);
        var (oh, ow) = ((int)size[0], (int)size[1]);
        var ys = Weights(h, oh, alignCorners, halfPixel);
        var xs = Weights(w, ow, alignCorners, halfPixel);
        var input = KernelIo.Floats(x);
        var output = new float[(long)n * oh * ow * c];

        Parallel.For(0, n * oh, row =>
        {
            var b = row / oh;
            var oy = row % oh;
            var yw = ys[oy];
            var top = ((long)b * h + yw.Lower) * w;
            var bottom = ((long)b * h + yw.Upper) * w;
            for (var ox = 0; ox < ow; ox++)
            {
                var xw = xs[ox];
                var dst = (((long)b * oh + oy) * ow + ox) * c;
                for (var ch = 0; ch < c; ch++)
                {
                    double tl = input[(top + xw.Lower) * c + ch], tr = input[(top + xw.Upper) * c + ch];
                    double bl = input[(bottom + xw.Lower) * c + ch], br = input[(bottom + xw.Upper) * c + ch];
                    var t = tl + (tr - tl) * xw.Lerp;
                    var bo = bl + (br - bl) * xw.Lerp;
                    output[dst + ch] = (float)(t + (bo - t) * yw.Lerp);
                }
            }
        });
        return [KernelIo.FromFloats(KernelIo.ResultType(node, 0, ElementType.Float32), [n, oh, ow, c], output)];
    }

    internal readonly record struct Sample(int Lower, int Upper, double Lerp);

    /// <summary>Per output index: the two source indices and the weight of the upper one.</summary>
    internal static Sample[] Weights(int inSize, int outSize, bool alignCorners, bool halfPixel)
    {
        var scale = alignCorners && outSize > 1 ? (inSize - 1) / (float)(outSize - 1) : inSize / (float)outSize;
        var samples = new Sample[outSize];
        for (var i = 0; i < outSize; i++)
        {
            var src = halfPixel ? (i + 0.5f) * scale - 0.5f : i * scale;
            var floor = MathF.Floor(src);
            var lower = Math.Max((int)floor, 0);
            var upper = Math.Min((int)MathF.Ceiling(src), inSize - 1);
            samples[i] = new Sample(Math.Min(lower, inSize - 1), Math.Max(upper, 0), src - floor);
        }
        return samples;
    }
}
