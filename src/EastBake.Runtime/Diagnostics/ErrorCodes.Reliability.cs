namespace EastBake.Diagnostics;

/// <summary>Codes for faults in baking and loading (issue 8). Numbered x050+ to stay clear of the other areas' next codes.</summary>
public static partial class ErrorCodes
{
    /// <summary>Nodes no engine segment can run would stay on a host path, which EastBake does not have.</summary>
    public const string HostNodesUnsupported = "EB2050";

    /// <summary>Another bake of the same output held its lock for too long.</summary>
    public const string PlanLocked = "EB4050";

    /// <summary>A plan's segments are all specialized for other device architectures, with no portable twin.</summary>
    public const string PlanNoSegmentForDevice = "EB4051";
}
