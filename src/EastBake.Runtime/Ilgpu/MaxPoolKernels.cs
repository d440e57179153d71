using ILGPU;
using ILGPU.Runtime;

namespace EastBake.Runtime.Ilgpu;

public struct PoolArgs
{
    public int InH, InW, InStride, InOffset;
    public int OutH, OutW, OutStride, OutOffset, Channels;
    public int PadTop, PadLeft;
    public int Total;
}

/// <summary>Max pooling; taps outside the input are skipped, which equals −inf padding.</summary>
public static class MaxPoolKernels
{
    public static void MaxPool<T, TOps>(ArrayView<T> input, ArrayView<T> output, PoolArgs a,
        SpecializedValue<int> kh, SpecializedValue<int> kw, SpecializedValue<int> sh, SpecializedValue<int> sw)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= a.Total) return;
        var ops = default(TOps);
        int c = idx % a.Channels;
        int pixel = idx / a.Channels;
        int ow = pixel % a.OutW;
        int oh = pixel / a.OutW;
        int ih0 = oh * sh.Value - a.PadTop, iw0 = ow * sw.Value - a.PadLeft;
        float best = float.NegativeInfinity;
        for (int ky = 0; ky < kh.Value; ky++)
        {
            int ih = ih0 + ky;
            if (ih < 0 || ih >= a.InH) continue;
            for (int kx = 0; kx < kw.Value; kx++)
            {
                int iw = iw0 + kx;
                if (iw < 0 || iw >= a.InW) continue;
                float v = ops.ToFloat(input[(ih * a.InW + iw) * a.InStride + a.InOffset + c]);
                best = v > best ? v : best;
            }
        }
        output[pixel * a.OutStride + a.OutOffset + c] = ops.FromFloat(best);
    }
}
