namespace EastBake.ModelGenerator;

/// <summary>
/// SplitMix64 PRNG. Normal samples use the Irwin–Hall sum of 12 uniforms (pure IEEE arithmetic, no
/// Log/Cos), so the generated files are bit-identical on every platform and runtime.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Approximately N(mean, std²): sum of 12 uniforms minus 6 (unit variance, ±6σ bounded).</summary>
    public double Normal(double mean, double std)
    {
        double s = 0;
        for (var i = 0; i < 12; i++) s += NextDouble();
        return mean + std * (s - 6.0);
    }
}
