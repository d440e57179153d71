using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace EastBake.Build;

/// <summary>
/// Second half of the <c>&lt;EastModel&gt;</c> pipeline: bakes each (resolved) model by running
/// the baker (EastBake.Build.Baker.dll) as a child process, so no native library, model file or
/// loaded assembly of the pipeline ever stays in the long-lived MSBuild node. The child's
/// canonical <c>file(line): error EBxxxx:</c> lines become MSBuild errors/warnings, its other
/// lines progress messages. A failed bake deletes the plan: no stale plan survives an error.
/// </summary>
public sealed class BakeEastModels : Microsoft.Build.Utilities.Task, ICancelableTask
{
    /// <summary>Items from <see cref="ResolveEastModelInputs"/> (PlanPath metadata set).</summary>
    [Required] public ITaskItem[] Models { get; set; } = [];
    [Required] public string BakerPath { get; set; } = "";
    public string? DotnetHostPath { get; set; }
    public string? ProjectDirectory { get; set; }

    [Output] public ITaskItem[] Plans { get; private set; } = [];

    private volatile Process? _running;
    private volatile bool _cancelled;

    public override bool Execute()
    {
        if (!File.Exists(BakerPath))
        {
            Log.LogError(null, BuildErrorCodes.PathNotFound, null, BuildEngine.ProjectFileOfTaskNode, 0, 0, 0, 0,
                $"the EastBake baker was not found at '{BakerPath}' (is the EastBake.Build package complete?)");
            return false;
        }
        var plans = new List<ITaskItem>();
        foreach (var model in Models)
        {
            if (_cancelled) break;
            var plan = model.GetMetadata("PlanPath");
            if (Bake(model, plan)) plans.Add(new TaskItem(plan, new Dictionary<string, string> { ["EastModel"] = model.ItemSpec }));
            else
            {
                File.Delete(plan); // never leave a plan the next build or the app would trust
            }
        }
        Plans = plans.ToArray();
        return !Log.HasLoggedErrors && !_cancelled;
    }

    public void Cancel()
    {
        _cancelled = true;
        try { _running?.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    private bool Bake(ITaskItem model, string plan)
    {
        var meta = ((ITaskItem2)model).CloneCustomMetadata();
        var request = new Dictionary<string, object?>
        {
            ["Model"] = model.GetMetadata("FullPath"),
            ["Plan"] = plan,
            ["ProjectFile"] = BuildEngine.ProjectFileOfTaskNode,
            ["ProjectDirectory"] = ProjectDirectory,
            ["Metadata"] = meta.Keys.Cast<string>().ToDictionary(k => k, k => (string?)meta[k]),
        };
        var psi = new ProcessStartInfo(string.IsNullOrEmpty(DotnetHostPath) ? "dotnet" : DotnetHostPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(BakerPath);
        Log.LogMessage(MessageImportance.Normal, $"EastBake: baking {model.ItemSpec} -> {plan}");
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        _running = p;
        var coded = false;
        void Relay(string? line)
        {
            if (line is null) return;
            if (CanonicalDiagnostic.TryParse(line, out var d))
            {
                coded |= d.IsError;
                if (d.IsError) Log.LogError(null, d.Code, null, d.File ?? model.ItemSpec, d.Line, 0, 0, 0, d.Message);
                else Log.LogWarning(null, d.Code, null, d.File ?? model.ItemSpec, d.Line, 0, 0, 0, d.Message);
            }
            else Log.LogMessage(MessageImportance.Normal, "EastBake: " + line);
        }
        p.OutputDataReceived += (_, e) => Relay(e.Data);
        p.ErrorDataReceived += (_, e) => Relay(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        p.StandardInput.Write(JsonSerializer.Serialize(request));
        p.StandardInput.Close();
        p.WaitForExit();
        _running = null;
        if (p.ExitCode != 0 && !coded && !_cancelled)
            Log.LogError(null, BuildErrorCodes.BakerCrashed, null, model.ItemSpec, 0, 0, 0, 0,
                $"the EastBake baker exited with code {p.ExitCode} without reporting an error");
        if (p.ExitCode == 0)
            Log.LogMessage(MessageImportance.Normal, $"EastBake: {model.ItemSpec} done in {clock.Elapsed.TotalSeconds:F1} s");
        return p.ExitCode == 0;
    }
}
