using EastBake.Build;
using EastBake.Diagnostics;

namespace EastBake.Tests.Packaging;

/// <summary>The task repeats a few codes (it cannot reference EastBake.Runtime); they must agree.</summary>
public sealed class BuildErrorCodeTests
{
    [Fact]
    public void TaskCodesEqualTheCatalogue()
    {
        Assert.Equal(ErrorCodes.PathNotFound, BuildErrorCodes.PathNotFound);
        Assert.Equal(ErrorCodes.DuplicatePlanName, BuildErrorCodes.DuplicatePlanName);
        Assert.Equal(ErrorCodes.BakerCrashed, BuildErrorCodes.BakerCrashed);
    }
}
