using System.Diagnostics;
using EastBake.Baking.Pipeline;
using EastBake.Runtime.Plans;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Reliability;

/// <summary>The bundled test models and a scratch folder per test class.</summary>
public abstract class ReliabilityTestBase : IDisposable
{
    protected ReliabilityTestBase() => Dir = Directory.CreateTempSubdirectory("eb-rel-").FullName;

    /// <summary>Scratch folder, deleted after the test class.</summary>
    protected string Dir { get; }

    public static string W8Model => SharedData.Repo("testassets/models/east_r50_w8.pb");
    public static string W8Checkpoint => SharedData.Repo("testassets/models/east_r50_w8_ckpt/model.ckpt");

    protected string PathIn(params string[] parts) => Path.Combine([Dir, .. parts]);

    protected string Write(string name, byte[] bytes)
    {
        var p = PathIn(name);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    /// <summary>Bakes the w8 model for ONNX Runtime at a small fixed shape (fast).</summary>
    protected string BakeW8(string name = "w8.eastplan", int height = 64, int width = 96)
    {
        var plan = PathIn(name);
        new Baker().Bake(new BakeOptions
        {
            ModelPath = W8Model, OutputPath = plan, Profile = ShapeProfile.Fixed(height, width), Backends = ["Onnx"],
        });
        return plan;
    }

    public virtual void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Runs the east-bake tool as a child process (<c>dotnet east-bake.dll …</c>), as the MSBuild task does.</summary>
public static class ToolProcess
{
    public static string ToolDll => Path.Combine(AppContext.BaseDirectory, "east-bake.dll");

    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h
        : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
        : "dotnet";

    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(ToolDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["EASTBAKE_VERBOSE"] = "0";
        psi.Environment["NO_COLOR"] = "1";
        return psi;
    }

    /// <summary>Runs to completion (at most <paramref name="timeoutSeconds"/>) and captures both streams.</summary>
    public static Result Run(string[] args, int timeoutSeconds = 120)
    {
        using var p = Process.Start(StartInfo(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"east-bake {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
