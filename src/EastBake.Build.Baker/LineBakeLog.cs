using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;

namespace EastBake.Build.Baker;

/// <summary>One line per event; warnings in the canonical form the task turns into MSBuild warnings.</summary>
internal sealed class LineBakeLog : IBakeLog
{
    public void Info(string message) => Console.WriteLine(message);

    public void Warning(string code, string message, string? file = null) =>
        Console.WriteLine(new EastBakeException(code, message, file).Format("warning"));

    public void Progress(string stage, double fraction)
    {
        if (fraction >= 1) Console.WriteLine($"{stage}: done");
    }
}
