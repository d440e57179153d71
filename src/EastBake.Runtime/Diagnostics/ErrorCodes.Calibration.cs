namespace EastBake.Diagnostics;

/// <summary>INT8 calibration codes (EB302x), beside EB3001–EB3006 in ErrorCodes.cs.</summary>
public static partial class ErrorCodes
{
    public const string CalibrationCacheMalformed = "EB3021";   // warning when found during a build: recalibrates
    public const string CalibrationNonFinite = "EB3022";        // an activation is NaN or infinite on a calibration image
    public const string CalibrationTensorName = "EB3023";       // warning: a tensor name the TensorRT cache format cannot hold
    public const string CalibrationCacheWriteFailed = "EB3024"; // disk full, read-only folder
    public const string CalibrationBadLimit = "EB3025";         // CalibrationLimit < 1
}
