using EastBake.Compiler.Ir;

namespace EastBake.Baking.Calibration;

/// <summary>
/// Symmetric per-output-channel weight quantization: scale[o] = max |w[o]| / 127 over each output
/// channel of a filter (the last axis of TF's HWIO, the first of ONNX's OIHW), weights
/// q = clamp(round_half_even(w / scale), −127, 127). An all-zero channel gets amax 1, so its
/// scale stays finite and its weights quantize to 0.
/// </summary>
public static class WeightScales
{
    public static float[] PerOutputChannelAmax(Tensor hwioFilter)
    {
        if (hwioFilter.Rank != 4 || hwioFilter.Floats is null)
            throw new ArgumentException($"an HWIO float filter is expected, got {hwioFilter}", nameof(hwioFilter));
        return PerChannelAmax(hwioFilter.Floats, (int)hwioFilter.Shape[3], channelIsLastAxis: true);
    }

    public static float[] PerOutputChannelScale(Tensor hwioFilter) =>
        Array.ConvertAll(PerOutputChannelAmax(hwioFilter), a => a / 127f);

    /// <summary>max |w| per channel; the channel is the last axis (HWIO) or the first (OIHW).</summary>
    public static float[] PerChannelAmax(ReadOnlySpan<float> w, int channels, bool channelIsLastAxis)
    {
        var amax = new float[channels];
        var perChannel = w.Length / channels;
        for (var k = 0; k < w.Length; k++)
        {
            var o = channelIsLastAxis ? k % channels : k / perChannel;
            var a = Math.Abs(w[k]);
            if (a > amax[o]) amax[o] = a;
        }
        for (var o = 0; o < channels; o++) if (amax[o] == 0) amax[o] = 1;
        return amax;
    }

    /// <summary>
    /// An HWIO float filter as the INT8 kernels read it: int8 OHWI [Cout][KH][KW][Cin] with its
    /// per-output-channel scales.
    /// </summary>
    public static (sbyte[] Ohwi, float[] Scales) QuantizeToOhwi(Tensor hwioFilter)
    {
        var scales = PerOutputChannelScale(hwioFilter);
        int kh = (int)hwioFilter.Shape[0], kw = (int)hwioFilter.Shape[1], cin = (int)hwioFilter.Shape[2], cout = (int)hwioFilter.Shape[3];
        var w = hwioFilter.Floats!;
        var q = new sbyte[w.Length];
        for (var y = 0; y < kh; y++)
            for (var x = 0; x < kw; x++)
                for (var i = 0; i < cin; i++)
                    for (var o = 0; o < cout; o++)
                        q[((o * kh + y) * kw + x) * cin + i] = Quantize(w[((y * kw + x) * cin + i) * cout + o], scales[o]);
        return (q, scales);
    }

    public static sbyte Quantize(float w, float scale) =>
        (sbyte)Math.Clamp(Math.Round(w / scale, MidpointRounding.ToEven), -127, 127);
}
