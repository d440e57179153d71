using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;

namespace EastBake.Tool.Commands;

/// <summary>Plain lines; warnings in the canonical form the MSBuild task relays.</summary>
internal sealed class ConsoleBakeLog : IBakeLog
{
    public void Info(string message) => Console.WriteLine(message);

    public void Warning(string code, string message, string? file = null) =>
        Console.WriteLine(new EastBakeException(code, message, file).Format("warning"));

    public void Progress(string stage, double fraction)
    {
        if (fraction >= 1) Console.WriteLine($"  {stage}: done");
    }
}
