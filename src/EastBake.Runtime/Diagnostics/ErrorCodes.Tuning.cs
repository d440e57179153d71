namespace EastBake.Diagnostics;

/// <summary>Codes of bake-time kernel tuning.</summary>
public static partial class ErrorCodes
{
    /// <summary>Tuning="Measure" on a machine without a CUDA GPU: heuristic tactics are recorded instead (warning).</summary>
    public const string TuningDeviceMissing = "EB2110";
}
