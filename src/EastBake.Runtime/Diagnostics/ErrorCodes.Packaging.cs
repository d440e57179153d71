namespace EastBake.Diagnostics;

/// <summary>Codes of the MSBuild task and the <c>east-bake pack</c> command (EB61xx).</summary>
public static partial class ErrorCodes
{
    public const string DuplicatePlanName = "EB6101";   // two <EastModel> items would write the same plan
    public const string BakerCrashed = "EB6102";        // the out-of-process baker died without a coded error
    public const string PackNoPlans = "EB6103";         // east-bake pack found no plan to package
    public const string PackBadId = "EB6104";           // bad package id or version
}
