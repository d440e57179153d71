namespace EastBake.Diagnostics;

/// <summary>Codes of the ONNX Runtime / TensorRT area (EastBake.Runtime.OnnxRuntime and the baker's TensorRT step).</summary>
public static partial class ErrorCodes
{
    /// <summary>The TensorRT EP could not build an engine for a segment (warning; error with RequireTensorRT).</summary>
    public const string TensorRtBuildFailed = "EB2040";

    /// <summary>INT8 TensorRT engine requested but no calibration table exists (warning: the engine is built FP16).</summary>
    public const string TensorRtCalibrationTableMissing = "EB3040";

    /// <summary>EASTBAKE_ONNXRUNTIME_PATH does not hold an ONNX Runtime library, or was applied after ONNX Runtime was first used.</summary>
    public const string OnnxRuntimeLibraryPathInvalid = "EB5040";
}
