namespace EastBake.Baking.Calibration;

/// <summary>
/// TensorRT's entropy calibration (EntropyCalibration2): the threshold whose 8-bit quantization
/// loses the least information, measured as KL(P‖Q) over the |x| histogram.
/// </summary>
/// <remarks>
/// Bin 0 first takes the count of bin 1: the exact zeros a ReLU produces form a spike there that
/// would otherwise dominate every divergence (NVIDIA's pytorch-quantization does the same).
/// Then, for each candidate i = 128 … 2048 (bins):
/// P = bins[0..i), with every count from bin i on (the values that would be clipped) added to
/// bin i−1; Q = bins[0..i) merged into 128 levels (level of bin j = ⌊128·j / i⌋, equal-width
/// levels as the int8 grid with threshold at edge i has), each level's total spread evenly over
/// its bins that are non-zero in the histogram, zero elsewhere. P and Q are normalized and
/// KL(P‖Q) = Σ p·ln(p/q) is infinite where p &gt; 0 = q (clipped mass folded into an empty bin).
/// The minimum wins, the largest i on ties (as NVIDIA's pytorch-quantization does);
/// amax = i · bin width, the upper edge of the last bin P keeps, capped at the largest |x| seen
/// (after widening, the histogram may reach up to twice that).
/// </remarks>
public sealed class EntropyCalibrator : ICalibrator
{
    public const int Levels = 128;

    public double Amax(ActivationHistogram h)
    {
        if (h.ObservedMax == 0 || h.Count == 0) return 0;
        var bins = h.Bins.ToArray();
        bins[0] = bins[1];
        var (bestBins, _) = BestThreshold(bins);
        return Math.Min(bestBins * h.BinWidth, h.ObservedMax);
    }

    /// <summary>The winning candidate i (in bins) and its divergence.</summary>
    public static (int Bins, double Divergence) BestThreshold(ReadOnlySpan<long> bins)
    {
        var n = bins.Length;
        var clipped = new double[n + 1]; // clipped[i] = Σ bins[i..n)
        for (var j = n - 1; j >= 0; j--) clipped[j] = clipped[j + 1] + bins[j];
        var best = double.PositiveInfinity;
        var bestI = n;
        var levelSum = new double[Levels];
        var levelNonZero = new int[Levels];
        for (var i = Levels; i <= n; i++)
        {
            var d = Divergence(bins, i, clipped[i], levelSum, levelNonZero);
            if (d <= best)
            {
                best = d;
                bestI = i;
            }
        }
        return (bestI, best);
    }

    /// <summary>KL(P‖Q) for candidate <paramref name="i"/> (see the remarks).</summary>
    public static double Divergence(ReadOnlySpan<long> bins, int i, double clippedCount, double[]? levelSum = null, int[]? levelNonZero = null)
    {
        levelSum ??= new double[Levels];
        levelNonZero ??= new int[Levels];
        Array.Clear(levelSum);
        Array.Clear(levelNonZero);
        double kept = 0;
        for (var j = 0; j < i; j++)
        {
            if (bins[j] == 0) continue;
            var level = (int)((long)j * Levels / i);
            levelSum[level] += bins[j];
            levelNonZero[level]++;
            kept += bins[j];
        }
        var pTotal = kept + clippedCount;
        if (pTotal == 0) return double.PositiveInfinity;
        if (kept == 0) return double.PositiveInfinity;
        double kl = 0;
        for (var j = 0; j < i; j++)
        {
            double p = bins[j];
            if (j == i - 1) p += clippedCount;
            if (p == 0) continue;
            if (bins[j] == 0) return double.PositiveInfinity;
            var level = (int)((long)j * Levels / i);
            var q = levelSum[level] / levelNonZero[level] / kept;
            p /= pTotal;
            kl += p * Math.Log(p / q);
        }
        return kl;
    }
}
