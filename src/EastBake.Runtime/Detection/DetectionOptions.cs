namespace EastBake.Runtime.Detection;

/// <summary>Decoding thresholds; the defaults are argman/EAST eval.py's.</summary>
public sealed record DetectionOptions
{
    /// <summary>A score-map pixel yields a candidate when its score is above this.</summary>
    public float ScoreThreshold { get; init; } = 0.8f;

    /// <summary>IoU above which locality-aware NMS merges, and standard NMS suppresses.</summary>
    public float NmsThreshold { get; init; } = 0.2f;

    /// <summary>A box is kept when the mean score inside it is above this.</summary>
    public float BoxThreshold { get; init; } = 0.1f;

    /// <summary>
    /// Merge with lanms's integer/float32 truncations (bit-compatible with argman's C++ lanms,
    /// including its bias of a few pixels toward the origin) instead of exact averages.
    /// </summary>
    public bool LanmsIntegerArithmetic { get; init; }

    public static DetectionOptions Default { get; } = new();
}

/// <summary>
/// Network-input size over original size, per axis (<c>resized / original</c>); boxes found in the
/// network input map back to the original image by dividing by these.
/// </summary>
public readonly record struct ResizeRatios(double X, double Y)
{
    public static ResizeRatios Identity => new(1, 1);
}
