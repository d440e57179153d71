using System.Diagnostics;
using System.Text;

namespace EastBake.Tests.TestSupport;

/// <summary>Output and exit code of a finished child process.</summary>
/// <summary><see cref="Output"/> is stdout and stderr interleaved; <see cref="StandardOutput"/> stdout alone.</summary>
public sealed record ChildResult(int ExitCode, string Output, string StandardOutput, TimeSpan Elapsed, string CommandLine)
{
    /// <summary>The command, its exit code and its whole output, for assertion messages.</summary>
    public string Describe() => $"$ {CommandLine}\n(exit {ExitCode} after {Elapsed.TotalSeconds:F1} s)\n{Output}";
}

/// <summary>
/// Runs a child process with a time limit, capturing stdout and stderr interleaved; kills the
/// whole process tree on timeout. Used by the packaging tests that drive <c>dotnet</c>.
/// </summary>
public static class ChildProcess
{
    public static ChildResult Run(string fileName, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        var output = new StringBuilder();
        var stdout = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output)
            {
                output.AppendLine(e.Data);
                stdout.AppendLine(e.Data);
            }
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        var command = $"{fileName} {string.Join(' ', psi.ArgumentList)}";
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"timed out after {limit.TotalSeconds:F0} s:\n$ {command}\n{output}");
        }
        p.WaitForExit(); // drains the async readers
        lock (output) return new ChildResult(p.ExitCode, output.ToString(), stdout.ToString(), clock.Elapsed, command);
    }
}
