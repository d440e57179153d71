namespace EastBake.Diagnostics;

/// <summary>
/// Every error and warning code EastBake emits. Ranges: EB1xxx import, EB2xxx partition,
/// EB3xxx calibration and images, EB4xxx plan, EB5xxx runtime, EB6xxx evaluation and CLI.
/// Codes are stable: never renumber, only add. Codes of one feature area may live in a partial
/// file beside this one (ErrorCodes.&lt;Area&gt;.cs); <c>ErrorCodeTests</c> checks they stay unique.
/// </summary>
public static partial class ErrorCodes
{
    // ---- EB1xxx: model import, freezing, IR, optimizer, ONNX export ----
    public const string ModelNotFound = "EB1001";
    public const string ModelEmpty = "EB1002";
    public const string ModelNotGraphDef = "EB1003";       // random bytes, not a protobuf GraphDef
    public const string ModelTruncated = "EB1004";
    public const string ModelIsText = "EB1005";            // a pbtxt given where binary was expected (or parse error in pbtxt)
    public const string ModelIsSavedModel = "EB1006";      // a SavedModel directory where a frozen graph was expected
    public const string CheckpointMissingFile = "EB1010";  // .meta/.index/.data shard missing
    public const string CheckpointCorrupt = "EB1011";      // bad table, bad footer magic, bad block
    public const string CheckpointCrcMismatch = "EB1012";
    public const string CheckpointVariableMissing = "EB1013";
    public const string UnsupportedDataType = "EB1020";
    public const string BadConstant = "EB1021";            // tensor content size does not match its shape
    public const string MissingInput = "EB1030";           // a node input names a node that does not exist
    public const string GraphCycle = "EB1031";
    public const string NodeNotFound = "EB1032";           // requested input/output name not in graph (closest names listed)
    public const string BadAttribute = "EB1033";
    public const string ShapeMismatch = "EB1040";
    public const string UnsupportedOp = "EB1050";
    public const string OnnxExportUnsupported = "EB1060";

    // ---- EB2xxx: partitioning ----
    public const string NoEngineSegment = "EB2001";
    public const string BadSegmentSize = "EB2002";
    public const string BadBackendName = "EB2003";
    public const string BadInputShape = "EB2004";

    // ---- EB3xxx: calibration and images ----
    public const string CalibrationFolderMissing = "EB3001";
    public const string CalibrationFolderEmpty = "EB3002";
    public const string CalibrationFewImages = "EB3003";   // warning
    public const string ImageUnreadable = "EB3004";        // warning: skipped
    public const string BadCalibrationMethod = "EB3005";
    public const string CalibrationCacheStale = "EB3006";

    // ---- EB4xxx: plans ----
    public const string PlanBadMagic = "EB4001";
    public const string PlanBadVersion = "EB4002";
    public const string PlanChecksum = "EB4003";
    public const string PlanTruncated = "EB4004";
    public const string PlanModelHashMismatch = "EB4005";
    public const string PlanTargetMismatch = "EB4006";     // warning: fallback to a portable path
    public const string PlanWriteFailed = "EB4007";        // disk full, read-only directory
    public const string PlanMalformed = "EB4008";

    // ---- EB5xxx: runtime ----
    public const string InputShapeOutsideProfile = "EB5001";
    public const string NoBackend = "EB5002";
    public const string BackendFailed = "EB5003";
    public const string TensorRtMissing = "EB5004";
    public const string AcceleratorUnavailable = "EB5005";
    public const string ImageDecodeFailed = "EB5006";

    // ---- EB6xxx: evaluation and command line ----
    public const string PathNotFound = "EB6001";
    public const string GroundTruthMalformed = "EB6002";
    public const string ResultMalformed = "EB6003";
    public const string BadArgument = "EB6004";
}
