namespace EastBake.Baking.Pipeline;

/// <summary>Where a bake reports progress and diagnostics (console with progress bars, MSBuild lines, tests).</summary>
public interface IBakeLog
{
    void Info(string message);
    void Warning(string code, string message, string? file = null);

    /// <summary>A long step's progress: <paramref name="fraction"/> in 0–1.</summary>
    void Progress(string stage, double fraction);
}

/// <summary>Discards everything (tests, library use).</summary>
public sealed class NullBakeLog : IBakeLog
{
    public static readonly NullBakeLog Instance = new();
    public void Info(string message) { }
    public void Warning(string code, string message, string? file = null) { }
    public void Progress(string stage, double fraction) { }
}

/// <summary>
/// One line per event on stdout, warnings in the canonical form the MSBuild task turns into MSBuild
/// warnings (the out-of-process baker, the tool's plain output).
/// </summary>
public sealed class LineBakeLog : IBakeLog
{
    public void Info(string message) => Console.WriteLine(message);

    public void Warning(string code, string message, string? file = null) =>
        Console.WriteLine(new Diagnostics.EastBakeException(code, message, file).Format("warning"));

    public void Progress(string stage, double fraction)
    {
        if (fraction >= 1) Console.WriteLine($"{stage}: done");
    }
}
