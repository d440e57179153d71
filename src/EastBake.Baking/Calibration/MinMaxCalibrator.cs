namespace EastBake.Baking.Calibration;

/// <summary>amax = the largest |x| seen: nothing is clipped, outliers included.</summary>
public sealed class MinMaxCalibrator : ICalibrator
{
    public double Amax(ActivationHistogram histogram) => histogram.ObservedMax;
}
