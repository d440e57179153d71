namespace EastBake.Baking.Calibration;

/// <summary>Chooses a tensor's symmetric clipping threshold (amax) from its |x| histogram.</summary>
public interface ICalibrator
{
    /// <summary>The threshold; 0 only when the histogram holds no non-zero value.</summary>
    double Amax(ActivationHistogram histogram);
}
