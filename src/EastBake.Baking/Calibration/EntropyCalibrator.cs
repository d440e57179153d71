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

    /// <summary>
    /// The winning candidate i (in bins) and its divergence. Same sums as <see cref="Divergence"/>,
    /// regrouped so each candidate costs O(128): with T the total count and K the count kept below
    /// i, KL = Σ p ln p − Σ_levels (S/T) ln(S / (n·K)) − (C/T) ln q(i−1), where the first sum comes
    /// from prefix sums of b·ln b and each level's total S and non-zero count n from prefix sums.
    /// </summary>
    public static (int Bins, double Divergence) BestThreshold(ReadOnlySpan<long> bins)
    {
        var n = bins.Length;
        var prefix = new double[n + 1];     // Σ b[0..j)
        var nonZero = new int[n + 1];       // #{b ≠ 0} in [0..j)
        var bLogB = new double[n + 1];      // Σ b ln b over [0..j)
        for (var j = 0; j < n; j++)
        {
            prefix[j + 1] = prefix[j] + bins[j];
            nonZero[j + 1] = nonZero[j] + (bins[j] != 0 ? 1 : 0);
            bLogB[j + 1] = bLogB[j] + (bins[j] != 0 ? bins[j] * Math.Log(bins[j]) : 0);
        }
        var total = prefix[n];
        var best = double.PositiveInfinity;
        var bestI = n;
        if (total == 0) return (bestI, best);
        var logTotal = Math.Log(total);
        for (var i = Levels; i <= n; i++)
        {
            var kept = prefix[i];
            var clipped = total - kept;
            double kl;
            if (kept == 0 || clipped > 0 && bins[i - 1] == 0) kl = double.PositiveInfinity;
            else
            {
                // Σ p ln p with bin i−1 holding b[i−1] + C.
                var last = bins[i - 1] + clipped;
                var sumBLogB = bLogB[i - 1] + (last > 0 ? last * Math.Log(last) : 0);
                kl = sumBLogB / total - logTotal;
                var logKept = Math.Log(kept);
                for (var g = 0; g < Levels; g++)
                {
                    int start = (g * i + Levels - 1) / Levels, end = ((g + 1) * i + Levels - 1) / Levels;
                    var sum = prefix[end] - prefix[start];
                    if (sum == 0) continue;
                    var logQ = Math.Log(sum / (nonZero[end] - nonZero[start])) - logKept;
                    kl -= (g == Levels - 1 ? sum + clipped : sum) / total * logQ;
                }
            }
            if (kl <= best)
            {
                best = kl;
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
