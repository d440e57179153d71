using EastBake.Compiler.Ir;

namespace EastBake.Baking.Calibration;

/// <summary>
/// Symmetric per-output-channel weight quantization: scale[o] = max |w[..., o]| / 127 over an
/// HWIO filter (the output channel is the last axis). An all-zero channel gets amax 1, so its
/// scale stays finite and its weights quantize to 0.
/// </summary>
public static class WeightScales
{
    public static float[] PerOutputChannelAmax(Tensor hwioFilter)
    {
        if (hwioFilter.Rank != 4 || hwioFilter.Floats is null)
            throw new ArgumentException($"an HWIO float filter is expected, got {hwioFilter}", nameof(hwioFilter));
        var outChannels = (int)hwioFilter.Shape[3];
        var amax = new float[outChannels];
        var w = hwioFilter.Floats;
        for (long k = 0; k < w.LongLength; k++)
        {
            var o = (int)(k % outChannels);
            var a = Math.Abs(w[k]);
            if (a > amax[o]) amax[o] = a;
        }
        for (var o = 0; o < outChannels; o++) if (amax[o] == 0) amax[o] = 1;
        return amax;
    }

    public static float[] PerOutputChannelScale(Tensor hwioFilter) =>
        Array.ConvertAll(PerOutputChannelAmax(hwioFilter), a => a / 127f);
}
