using System.Diagnostics;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace EastBake.Build;

/// <summary>
/// MSBuild task behind <c>&lt;EastModel&gt;</c> items. For each model it runs the east-bake
/// tool as a child process (so no native library or model file is ever held by the long-lived
/// MSBuild node), relays its canonical <c>file(line): error EBxxxx:</c> lines as MSBuild
/// errors/warnings and its progress as messages, and returns the plans it wrote.
/// </summary>
public sealed class BakeEastModels : Microsoft.Build.Utilities.Task
{
    [Required] public ITaskItem[] Models { get; set; } = [];
    [Required] public string OutputDirectory { get; set; } = "";
    [Required] public string ToolPath { get; set; } = "";
    public string? DotnetHostPath { get; set; }
    public string? ProjectDirectory { get; set; }

    [Output] public ITaskItem[] Plans { get; private set; } = [];

    /// <summary>Metadata forwarded to <c>east-bake bake</c> as options.</summary>
    private static readonly (string Metadata, string Option)[] Forwarded =
    [
        ("Precision", "--precision"), ("InputShape", "--input-shape"), ("MinimumSegmentSize", "--minimum-segment-size"),
        ("Backends", "--backends"), ("CalibrationImages", "--calibration-images"), ("CalibrationMethod", "--calibration-method"),
        ("CalibrationLimit", "--calibration-limit"), ("Checkpoint", "--checkpoint"), ("RequireTensorRT", "--require-tensorrt"),
        ("Inputs", "--inputs"), ("Outputs", "--outputs"),
    ];

    public override bool Execute()
    {
        if (!File.Exists(ToolPath))
        {
            Log.LogError(null, "EB6001", null, null, 0, 0, 0, 0, $"the EastBake baker was not found at '{ToolPath}'");
            return false;
        }
        var plans = new List<ITaskItem>();
        foreach (var model in Models)
        {
            var name = model.GetMetadata("OutputName");
            if (string.IsNullOrWhiteSpace(name)) name = model.GetMetadata("Filename");
            var plan = Path.GetFullPath(Path.Combine(OutputDirectory, name + ".eastplan"));
            if (RunBaker(model, plan))
            {
                var item = new TaskItem(plan);
                model.CopyMetadataTo(item);
                item.SetMetadata("EastModel", model.ItemSpec);
                plans.Add(item);
            }
        }
        Plans = plans.ToArray();
        return !Log.HasLoggedErrors;
    }

    private bool RunBaker(ITaskItem model, string plan)
    {
        var args = new List<string> { ToolPath, "bake", model.GetMetadata("FullPath"), "--out", plan, "--msbuild" };
        foreach (var (meta, option) in Forwarded)
        {
            var v = model.GetMetadata(meta);
            if (string.IsNullOrWhiteSpace(v)) continue;
            if (meta is "CalibrationImages" or "Checkpoint" && ProjectDirectory is not null)
                v = Path.GetFullPath(Path.Combine(ProjectDirectory, v));
            args.Add(option);
            args.Add(v);
        }
        var host = string.IsNullOrEmpty(DotnetHostPath) ? "dotnet" : DotnetHostPath!;
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Log.LogMessage(MessageImportance.Normal, $"EastBake: baking {model.ItemSpec} → {plan}");
        using var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) Relay(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Relay(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        p.WaitForExit();
        if (p.ExitCode != 0 && !Log.HasLoggedErrors)
            Log.LogError(null, "EB5003", null, model.ItemSpec, 0, 0, 0, 0, $"the baker exited with code {p.ExitCode}");
        return p.ExitCode == 0;
    }

    /// <summary>Canonical error/warning lines become MSBuild diagnostics; the rest are progress messages.</summary>
    private void Relay(string line)
    {
        if (CanonicalDiagnostic.TryParse(line, out var d))
        {
            if (d.IsError) Log.LogError(null, d.Code, null, d.File, d.Line, 0, 0, 0, d.Message);
            else Log.LogWarning(null, d.Code, null, d.File, d.Line, 0, 0, 0, d.Message);
        }
        else
        {
            Log.LogMessage(MessageImportance.Normal, line);
        }
    }
}
