namespace EastBake.Baking.Calibration;

/// <summary>
/// amax = the <see cref="Percentile"/>-th percentile of |x|: the value below which that share of
/// all observed values lies, interpolated linearly inside the histogram bin where the cumulative
/// count reaches it (values are taken as uniform within a bin).
/// </summary>
public sealed class PercentileCalibrator(double percentile) : ICalibrator
{
    public double Percentile { get; } = percentile;

    public double Amax(ActivationHistogram h)
    {
        if (h.Count == 0 || h.ObservedMax == 0) return 0;
        var bins = h.Bins;
        var target = Percentile / 100.0 * h.Count;
        double cumulative = 0;
        for (var b = 0; b < bins.Length; b++)
        {
            if (bins[b] == 0) continue;
            if (cumulative + bins[b] >= target)
            {
                var within = Math.Clamp((target - cumulative) / bins[b], 0, 1);
                return Math.Min((b + within) * h.BinWidth, h.ObservedMax);
            }
            cumulative += bins[b];
        }
        return h.ObservedMax;
    }
}
