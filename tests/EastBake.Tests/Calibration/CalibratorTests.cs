using EastBake.Baking.Calibration;
using Xunit.Abstractions;

namespace EastBake.Tests.Calibration;

/// <summary>
/// The three calibrators on distributions whose answers are known: analytic quantiles, the
/// sample maximum, and histograms built so that one entropy candidate is exact.
/// </summary>
public class CalibratorTests(ITestOutputHelper output)
{
    // Standard normal quantiles (tabulated): Φ⁻¹(0.99995) (two-sided 99.99 % of |N(0,1)|) and Φ⁻¹(0.995).
    private const double Z99995 = 3.890591886;
    private const double Z995 = 2.575829304;

    private static ActivationHistogram Histogram(float[] x, int batches = 10)
    {
        var h = new ActivationHistogram();
        var size = (x.Length + batches - 1) / batches;
        for (var b = 0; b < x.Length; b += size) Assert.True(h.Add(x.AsSpan(b, Math.Min(size, x.Length - b))));
        return h;
    }

    private static double Max(float[] x) => x.Max(v => Math.Abs(v));

    [Fact]
    public void UniformIsNotClippedByEntropyAndPercentileIsItsQuantile()
    {
        var seed = Distributions.FreshSeed();
        var x = Distributions.Uniform(new Random(seed), 1_000_000, 1f);
        var h = Histogram(x);
        var entropy = new EntropyCalibrator().Amax(h);
        var percentile = new PercentileCalibrator(99.99).Amax(h);
        var minmax = new MinMaxCalibrator().Amax(h);
        output.WriteLine($"seed {seed}: uniform max {Max(x):F6}: entropy {entropy:F6}, percentile {percentile:F6}, minmax {minmax:F6}");
        Assert.Equal(Max(x), minmax);
        // No tail to cut: every clipping candidate folds real mass into one bin.
        Assert.InRange(entropy, 0.97 * Max(x), Max(x));
        Assert.InRange(percentile, 0.9999 - 5e-4, 0.9999 + 5e-4);
    }

    [Fact]
    public void GaussianEntropyKeepsTheBulkPercentileIsTheAnalyticQuantile()
    {
        var seed = Distributions.FreshSeed();
        var x = Distributions.Gaussian(new Random(seed), 1_000_000);
        var h = Histogram(x);
        var entropy = new EntropyCalibrator().Amax(h);
        var percentile = new PercentileCalibrator(99.99).Amax(h);
        var p99 = new PercentileCalibrator(99).Amax(h);
        var minmax = new MinMaxCalibrator().Amax(h);
        output.WriteLine($"seed {seed}: |N(0,1)| max {Max(x):F4}, widenings {h.Widenings}: entropy {entropy:F4}, p99.99 {percentile:F4}, p99 {p99:F4}, minmax {minmax:F4}");
        Assert.Equal(Max(x), minmax);
        Assert.InRange(percentile, Z99995 - 0.08, Z99995 + 0.08);
        Assert.InRange(p99, Z995 - 0.02, Z995 + 0.02);
        // A Gaussian has no outliers: folding any real share of it into one bin costs more than the
        // coarser levels, so the threshold stays above the 99.99 % point (at most the sparse far tail,
        // a few dozen of the million values, is clipped), and never above the maximum.
        Assert.InRange(entropy, Z99995 - 0.1, Max(x));
    }

    [Fact]
    public void ReluGaussianWithOutliersEntropyCutsThemMinMaxKeepsThem()
    {
        var seed = Distributions.FreshSeed();
        var x = Distributions.ReluGaussianWithOutliers(new Random(seed), 1_000_000, 50, 40f, 60f);
        var h = Histogram(x);
        var entropy = new EntropyCalibrator().Amax(h);
        var percentile = new PercentileCalibrator(99.99).Amax(h);
        var minmax = new MinMaxCalibrator().Amax(h);
        output.WriteLine($"seed {seed}: ReLU(N(0,1)) + 50 outliers in [40,60], max {Max(x):F3}: entropy {entropy:F4}, p99.99 {percentile:F4}, minmax {minmax:F3}");
        Assert.Equal(Max(x), minmax);
        Assert.True(minmax >= 40, "MinMax must keep the outliers");
        // The outliers are 5e-5 of the values: the 99.99th percentile solves (1 − 5e-5)·Φ(q) = 0.9999, q = Φ⁻¹(0.99995).
        Assert.InRange(percentile, Z99995 - 0.1, Z99995 + 0.1);
        // Entropy clips at the Gaussian's tail (about 4σ), far below every outlier.
        Assert.InRange(entropy, 3.0, 6.0);
    }

    [Fact]
    public void EntropyFindsTheThresholdAt_which_128_levels_represent_the_histogram_exactly()
    {
        // Bins 0..1023 hold a staircase constant over blocks of 8 bins (1024 / 128): at i = 1024 the
        // 128-level Q equals P, KL = 0. Every other candidate either folds clipped mass (i < 1024) or
        // merges blocks of different heights (i > 1024), so 1024 is the unique minimum.
        var r = new Random(Distributions.FreshSeed());
        var bins = new long[ActivationHistogram.BinCount];
        for (var b = 0; b < 128; b++)
        {
            var height = 100 + r.Next(1, 1000);
            for (var j = 0; j < 8; j++) bins[b * 8 + j] = height;
        }
        var width = 0.01;
        var h = ActivationHistogram.FromBins(bins, width, (float)(2048 * width));
        var (best, divergence) = EntropyCalibrator.BestThreshold(bins);
        Assert.Equal(1024, best);
        Assert.Equal(0, divergence, 12);
        Assert.Equal(1024 * width, new EntropyCalibrator().Amax(h), 9);
        Assert.True(EntropyCalibrator.Divergence(bins, 1023, bins[1023]) > 1e-6);
        Assert.True(EntropyCalibrator.Divergence(bins, 1032, 0) > 1e-6);
    }

    [Fact]
    public void EntropyDivergenceMatchesAHandComputedValue()
    {
        // i = 256: each level merges bins (2k, 2k+1) holding 3 and 1 → Q = 2, 2.
        // KL = 128 · (3/512 · ln(3/2) + 1/512 · ln(1/2)) = (3 ln 1.5 − ln 2) / 4.
        var bins = new long[ActivationHistogram.BinCount];
        for (var k = 0; k < 128; k++) { bins[2 * k] = 3; bins[2 * k + 1] = 1; }
        Assert.Equal((3 * Math.Log(1.5) - Math.Log(2)) / 4, EntropyCalibrator.Divergence(bins, 256, 0), 12);
        // Clipped mass folded into an empty last bin: p > 0 = q, the candidate is impossible.
        var gap = new long[ActivationHistogram.BinCount];
        for (var j = 0; j < 200; j++) gap[j] = 10;
        gap[2000] = 5;
        Assert.Equal(double.PositiveInfinity, EntropyCalibrator.Divergence(gap, 1000, 5));
    }

    [Fact]
    public void FastSearchAgreesWithTheDirectDefinitionOnEveryCandidate()
    {
        var r = new Random(Distributions.FreshSeed());
        for (var trial = 0; trial < 4; trial++)
        {
            // Ragged histograms: a bulk, empty gaps, isolated outliers.
            var bins = new long[ActivationHistogram.BinCount];
            var bulk = r.Next(100, 1500);
            for (var j = 0; j < bulk; j++) bins[j] = r.Next(4) == 0 ? 0 : (long)(1e5 * Math.Exp(-j / (bulk / 4.0)) * r.NextDouble());
            for (var k = 0; k < 5; k++) bins[r.Next(bulk, 2048)] += r.Next(1, 20);
            double bestDirect = double.PositiveInfinity;
            var clipped = bins.Sum(b => (double)b);
            for (var i = 0; i < 128; i++) clipped -= bins[i];
            for (var i = 128; i <= 2048; i++)
            {
                var d = EntropyCalibrator.Divergence(bins, i, clipped);
                if (d <= bestDirect) bestDirect = d;
                if (i < 2048) clipped -= bins[i];
            }
            var (best, divergence) = EntropyCalibrator.BestThreshold(bins);
            var tail = bins.Skip(best).Sum(b => (double)b);
            Assert.Equal(bestDirect, divergence, 1e-9);
            Assert.Equal(EntropyCalibrator.Divergence(bins, best, tail), divergence, 1e-9);
        }
    }

    [Fact]
    public void PercentileInterpolatesInsideTheBin()
    {
        // 1000 values uniform in bin 0 and 1000 in bin 1 (width 1): the 75th percentile is at 1.5.
        var bins = new long[ActivationHistogram.BinCount];
        bins[0] = 1000;
        bins[1] = 1000;
        var h = ActivationHistogram.FromBins(bins, 1.0, 2f);
        Assert.Equal(1.5, new PercentileCalibrator(75).Amax(h), 12);
        Assert.Equal(2.0, new PercentileCalibrator(100).Amax(h), 12);
    }

    [Theory]
    [InlineData("Entropy", CalibrationAlgorithm.Entropy, "Entropy")]
    [InlineData("entropy", CalibrationAlgorithm.Entropy, "Entropy")]
    [InlineData("MINMAX", CalibrationAlgorithm.MinMax, "MinMax")]
    [InlineData("Percentile", CalibrationAlgorithm.Percentile, "Percentile:99.99")]
    [InlineData("Percentile:99.9", CalibrationAlgorithm.Percentile, "Percentile:99.9")]
    public void MethodsParse(string text, CalibrationAlgorithm algorithm, string canonical)
    {
        var m = CalibrationMethod.Parse(text);
        Assert.Equal(algorithm, m.Algorithm);
        Assert.Equal(canonical, m.Canonical);
    }

    [Theory]
    [InlineData("KL")]
    [InlineData("Percentile:101")]
    [InlineData("Percentile:abc")]
    public void BadMethodsAreEB3005(string text)
    {
        var e = Assert.Throws<EastBake.Diagnostics.EastBakeException>(() => CalibrationMethod.Parse(text, "m.pb"));
        Assert.Equal("EB3005", e.Code);
        Assert.Equal("m.pb", e.File);
    }
}
