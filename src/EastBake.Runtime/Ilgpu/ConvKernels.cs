using ILGPU;
using ILGPU.Runtime;

namespace EastBake.Runtime.Ilgpu;

/// <summary>Run-time sizes of one convolution launch (spatial sizes change with the input shape).</summary>
public struct ConvArgs
{
    public int InH, InW, InStride, InOffset, InChannels;
    public int OutH, OutW, OutStride, OutOffset, OutChannels;
    public int PadTop, PadLeft;
    public int ResStride, ResOffset, HasResidual, HasBias;
    public int Activation; // EngineActivation
    public float TextScale, AngleScale; // EngineActivation.EastHead
    public int Total;      // OutH · OutW · OutChannels
}

/// <summary>
/// Direct NHWC convolution, one output element per thread, output channel fastest so that a
/// warp shares input pixels (broadcast loads) and reads consecutive HWIO weights (coalesced).
/// Kernel size and strides are specialized constants so the tap loops unroll.
/// </summary>
public static class ConvKernels
{
    public static void Direct<T, TOps>(
        ArrayView<T> input, ArrayView<T> filter, ArrayView<float> bias, ArrayView<T> residual, ArrayView<T> output,
        ConvArgs a, SpecializedValue<int> kh, SpecializedValue<int> kw, SpecializedValue<int> sh, SpecializedValue<int> sw)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= a.Total) return;
        var ops = default(TOps);
        int cout = a.OutChannels, cin = a.InChannels;
        int oc = idx % cout;
        int pixel = idx / cout;
        int ow = pixel % a.OutW;
        int oh = pixel / a.OutW;

        float acc = a.HasBias != 0 ? bias[oc] : 0f;
        int ih0 = oh * sh.Value - a.PadTop;
        int iw0 = ow * sw.Value - a.PadLeft;
        int tapStride = cin * cout;
        for (int ky = 0; ky < kh.Value; ky++)
        {
            int ih = ih0 + ky;
            if (ih < 0 || ih >= a.InH) continue;
            for (int kx = 0; kx < kw.Value; kx++)
            {
                int iw = iw0 + kx;
                if (iw < 0 || iw >= a.InW) continue;
                int inBase = (ih * a.InW + iw) * a.InStride + a.InOffset;
                int wIdx = (ky * kw.Value + kx) * tapStride + oc;
                for (int ci = 0; ci < cin; ci++, wIdx += cout)
                    acc += ops.ToFloat(input[inBase + ci]) * ops.ToFloat(filter[wIdx]);
            }
        }
        if (a.HasResidual != 0) acc += ops.ToFloat(residual[pixel * a.ResStride + a.ResOffset + oc]);
        if (a.Activation == 1) acc = acc > 0f ? acc : 0f;
        else if (a.Activation == 2) acc = 1f / (1f + MathF.Exp(-acc));
        else if (a.Activation == 3) acc = EastHead(acc, oc, a.TextScale, a.AngleScale);
        output[pixel * a.OutStride + a.OutOffset + oc] = ops.FromFloat(acc);
    }

    /// <summary>EAST's head epilogue by output channel: score, 4 distances, angle, then zero padding.</summary>
    public static float EastHead(float logit, int channel, float textScale, float angleScale)
    {
        if (channel >= 6) return 0f;
        float s = 1f / (1f + MathF.Exp(-logit));
        return channel == 0 ? s : channel < 5 ? s * textScale : (s - 0.5f) * angleScale;
    }
}
