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

    public static sbyte Quantize(float w, float scale) =>
        (sbyte)Math.Clamp(Math.Round(w / scale, MidpointRounding.ToEven), -127, 127);
}
