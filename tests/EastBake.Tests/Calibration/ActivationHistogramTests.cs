using EastBake.Baking.Calibration;

namespace EastBake.Tests.Calibration;

public class ActivationHistogramTests
{
    /// <summary>Every value binned directly at the histogram's final fine width: floor(|x| / w0) >> k.</summary>
    private static long[] DirectFineBins(IEnumerable<float> values, ActivationHistogram h)
    {
        var bins = new long[ActivationHistogram.FineBinCount];
        foreach (var v in values)
        {
            var a = Math.Abs((double)v);
            var q = Math.Floor(a / h.BaseWidth / Math.ScaleB(1.0, h.Widenings));
            bins[(long)q]++;
        }
        return bins;
    }

    [Fact]
    public void WideningKeepsExactlyTheCountsOfDirectBinningAtTheFinalWidth()
    {
        var r = new Random(Distributions.FreshSeed());
        var batches = new List<float[]>();
        var h = new ActivationHistogram();
        // Each batch reaches further: the fine bins are merged pairwise several times.
        foreach (var scale in new[] { 0.5f, 0.7f, 3f, 3.1f, 40f, 1f, 1000f, 2f })
        {
            var b = Distributions.Gaussian(r, 20_000).Select(v => v * scale).ToArray();
            b[r.Next(b.Length)] = 0;
            batches.Add(b);
            Assert.True(h.Add(b));
        }
        var all = batches.SelectMany(b => b).ToList();
        Assert.True(h.Widenings >= 8, $"only {h.Widenings} widenings");
        Assert.Equal(all.Count, h.Count);
        Assert.Equal(DirectFineBins(all, h), h.FineBins.ToArray());
        Assert.Equal(all.Max(v => Math.Abs(v)), h.ObservedMax);
        // The 2048 bins partition the same counts and reach just past the maximum (at most 8/7 of it).
        Assert.Equal(all.Count, h.Bins.ToArray().Sum());
        Assert.InRange(h.Range, h.ObservedMax, h.ObservedMax * 8 / 7.0);
        var lastBin = (int)(h.ObservedMax / h.BinWidth);
        Assert.True(h.Bins[Math.Min(lastBin, ActivationHistogram.BinCount - 1)] > 0);
    }

    [Fact]
    public void TheFirstBatchSpansTheBinsAndZerosBeforeItLandInBinZero()
    {
        var h = new ActivationHistogram();
        Assert.True(h.Add(new float[100]));
        Assert.Equal(0, h.BinWidth);
        Assert.True(h.Add([1f, -2f, 4f]));
        Assert.Equal(0, h.Widenings);
        Assert.InRange(h.Range, 4.0, 4.0 * (1 + 1.0 / 512));
        Assert.Equal(100, h.Bins[0]);       // the zeros; 1 is in bin 511
        Assert.Equal(1, h.Bins[511]);
        Assert.Equal(1, h.Bins[2046]);      // 4 = 2048 / (1 + 2^-10) bins: the first batch keeps 2 bins of headroom
        Assert.Equal(103, h.Count);
    }

    [Fact]
    public void NonFiniteBatchesAreRefusedWhole()
    {
        var h = new ActivationHistogram();
        Assert.True(h.Add([1f, 2f]));
        var poisoned = Enumerable.Repeat(1f, 37).ToArray();
        poisoned[35] = float.NaN;
        Assert.False(h.Add(poisoned));
        poisoned[35] = float.NegativeInfinity;
        Assert.False(h.Add(poisoned));
        poisoned[3] = float.NaN; // inside the vectorized part
        Assert.False(h.Add(poisoned));
        Assert.Equal(2, h.Count);
    }
}
