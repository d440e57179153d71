using System.Globalization;
using EastBake.Diagnostics;

namespace EastBake.Baking.Calibration;

public enum CalibrationAlgorithm
{
    Entropy,
    Percentile,
    MinMax,
}

/// <summary>
/// The <c>CalibrationMethod</c> option: <c>Entropy</c> (default), <c>MinMax</c>, <c>Percentile</c>
/// (99.99) or <c>Percentile:99.9</c>; case-insensitive. Anything else is EB3005.
/// </summary>
public sealed record CalibrationMethod(CalibrationAlgorithm Algorithm, double Percentile = CalibrationMethod.DefaultPercentile)
{
    public const double DefaultPercentile = 99.99;

    public static CalibrationMethod Parse(string? text, string? file = null)
    {
        var t = (text ?? "").Trim();
        if (t.Length == 0 || t.Equals("Entropy", StringComparison.OrdinalIgnoreCase)) return new(CalibrationAlgorithm.Entropy);
        if (t.Equals("MinMax", StringComparison.OrdinalIgnoreCase)) return new(CalibrationAlgorithm.MinMax);
        if (t.Equals("Percentile", StringComparison.OrdinalIgnoreCase)) return new(CalibrationAlgorithm.Percentile);
        if (t.StartsWith("Percentile:", StringComparison.OrdinalIgnoreCase) &&
            double.TryParse(t.AsSpan("Percentile:".Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var p))
        {
            if (p is > 0 and <= 100) return new(CalibrationAlgorithm.Percentile, p);
            throw new EastBakeException(ErrorCodes.BadCalibrationMethod, $"CalibrationMethod '{text}': the percentile must be in (0, 100]", file);
        }
        throw new EastBakeException(ErrorCodes.BadCalibrationMethod,
            $"unknown CalibrationMethod '{text}' (expected Entropy, Percentile, Percentile:<p> or MinMax)", file);
    }

    /// <summary>The method as recorded in caches and plans: <c>Entropy</c>, <c>MinMax</c>, <c>Percentile:99.99</c>.</summary>
    public string Canonical => Algorithm == CalibrationAlgorithm.Percentile
        ? "Percentile:" + Percentile.ToString("R", CultureInfo.InvariantCulture)
        : Algorithm.ToString();

    public ICalibrator CreateCalibrator() => Algorithm switch
    {
        CalibrationAlgorithm.Entropy => new EntropyCalibrator(),
        CalibrationAlgorithm.Percentile => new PercentileCalibrator(Percentile),
        _ => new MinMaxCalibrator(),
    };

    public override string ToString() => Canonical;
}
