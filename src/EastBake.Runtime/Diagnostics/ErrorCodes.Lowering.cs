namespace EastBake.Diagnostics;

/// <summary>Codes of the ILGPU lowering (baking an optimized segment into an engine program).</summary>
public static partial class ErrorCodes
{
    /// <summary>A node inside an ILGPU segment that the engine lowering cannot express (names node and op).</summary>
    public const string LoweringUnsupported = "EB2101";

    /// <summary>A plan precision the ILGPU engine does not lower yet (INT8).</summary>
    public const string LoweringPrecisionUnsupported = "EB2102";

    /// <summary>A spatial size that is not a fixed fraction of the input size over the whole profile, or padding that changes with it.</summary>
    public const string LoweringShapeUnsupported = "EB2103";
}
