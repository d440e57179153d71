namespace EastBake.Tests.Calibration;

/// <summary>Sample sets for the calibrator tests, from a fresh seed each run (printed on failure).</summary>
internal static class Distributions
{
    public static int FreshSeed() => Random.Shared.Next();

    public static float[] Uniform(Random r, int n, float max) =>
        Enumerable.Range(0, n).Select(_ => (float)((r.NextDouble() * 2 - 1) * max)).ToArray();

    public static float[] Gaussian(Random r, int n, double sigma = 1)
    {
        var x = new float[n];
        for (var i = 0; i < n; i++) x[i] = (float)(sigma * Normal(r));
        return x;
    }

    /// <summary>max(0, N(0, 1)), plus <paramref name="outliers"/> values drawn uniformly in [lo, hi].</summary>
    public static float[] ReluGaussianWithOutliers(Random r, int n, int outliers, float lo, float hi)
    {
        var x = new float[n + outliers];
        for (var i = 0; i < n; i++) x[i] = (float)Math.Max(0, Normal(r));
        for (var i = 0; i < outliers; i++) x[n + i] = lo + (float)r.NextDouble() * (hi - lo);
        // Outliers spread over the batches, as real ones are.
        r.Shuffle(x);
        return x;
    }

    /// <summary>Box–Muller.</summary>
    public static double Normal(Random r)
    {
        var u1 = 1.0 - r.NextDouble();
        var u2 = r.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
