namespace EastBake.Build;

/// <summary>
/// The codes this task raises itself. The task assembly stays free of EastBake's other
/// assemblies (it is loaded into the long-lived MSBuild node), so it repeats the values of
/// <c>EastBake.Diagnostics.ErrorCodes</c>; a test checks they agree.
/// </summary>
internal static class BuildErrorCodes
{
    public const string PathNotFound = "EB6001";        // ErrorCodes.PathNotFound: the baker is missing
    public const string DuplicatePlanName = "EB6101";   // ErrorCodes.DuplicatePlanName
    public const string BakerCrashed = "EB6102";        // ErrorCodes.BakerCrashed
}
