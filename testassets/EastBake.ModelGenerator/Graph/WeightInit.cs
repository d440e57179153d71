namespace EastBake.ModelGenerator.Graph;

/// <summary>
/// Deterministic weights. Conv filters are He-normal. BatchNorm statistics are those a trained
/// network would have on the expected activations: moving_variance = U(0.5,1.5)·E[y²] and
/// moving_mean = N(0,0.1)·√E[y²], where E[y²] is the conv output's estimated second moment, so
/// every BN output is O(1) whatever the depth (gamma ~ U(0.5,1.5), beta ~ N(0,0.1)).
/// </summary>
public sealed class WeightInit(ulong seed)
{
    private readonly SplitMix64 _rng = new(seed);

    /// <summary>HWIO filter with He-normal values, std √(2/fan_in).</summary>
    public float[] Filter(int k, int cin, int cout)
    {
        var std = Math.Sqrt(2.0 / (k * k * cin));
        return Fill(k * k * cin * cout, () => _rng.Normal(0, std));
    }

    public float[] Gamma(int c) => Fill(c, () => _rng.Uniform(0.5, 1.5));
    public float[] Beta(int c) => Fill(c, () => _rng.Normal(0, 0.1));
    public float[] MovingMean(int c, double power) => Fill(c, () => _rng.Normal(0, 0.1) * Math.Sqrt(power));
    public float[] MovingVariance(int c, double power) => Fill(c, () => _rng.Uniform(0.5, 1.5) * power);
    public float[] Bias(int c) => Fill(c, () => _rng.Normal(0, 0.1));

    private static float[] Fill(int n, Func<double> next)
    {
        var a = new float[n];
        for (var i = 0; i < n; i++) a[i] = (float)next();
        return a;
    }
}
