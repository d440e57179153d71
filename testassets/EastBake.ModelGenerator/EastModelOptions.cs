namespace EastBake.ModelGenerator;

/// <summary>What to generate: channel width divisor and PRNG seed.</summary>
public sealed record EastModelOptions
{
    /// <summary>1 = full EAST-R50; 8 = every channel count ÷ 8 (heads keep 1 and 4+1 outputs).</summary>
    public int WidthDivisor { get; init; } = 1;

    /// <summary>Seed of the weight PRNG; the same seed gives byte-identical files.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Channel count after the divisor (at least 1).</summary>
    public int Ch(int full) => Math.Max(1, full / WidthDivisor);

    public void Validate()
    {
        if (WidthDivisor < 1 || 2048 % WidthDivisor != 0 || 32 % WidthDivisor != 0)
            throw new ArgumentException($"Width divisor {WidthDivisor} must divide 32 (1, 2, 4, 8, 16 or 32).");
    }
}
