using System.Globalization;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace EastBake.Build;

/// <summary>
/// First half of the <c>&lt;EastModel&gt;</c> pipeline: for each item, where its plan goes and
/// which files it is baked from (the model or SavedModel files, every checkpoint file, every
/// calibration image), so the bake target can be skipped by MSBuild's Inputs/Outputs check.
/// What timestamps cannot show (an item's metadata, a file removed from the calibration folder)
/// goes into a stamp file that is rewritten only when it changes.
/// </summary>
public sealed class ResolveEastModelInputs : Microsoft.Build.Utilities.Task
{
    [Required] public ITaskItem[] Models { get; set; } = [];
    [Required] public string OutputDirectory { get; set; } = "";
    public string? ProjectDirectory { get; set; }

    /// <summary>The models with PlanPath, PlanFileName, StampFile and InputFiles metadata added.</summary>
    [Output] public ITaskItem[] Resolved { get; private set; } = [];

    public override bool Execute()
    {
        var resolved = new List<ITaskItem>();
        var byPlan = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Directory.CreateDirectory(OutputDirectory);
        foreach (var model in Models)
        {
            var name = model.GetMetadata("OutputName");
            if (string.IsNullOrWhiteSpace(name)) name = model.GetMetadata("Filename");
            var plan = Path.GetFullPath(Path.Combine(OutputDirectory, name + ".eastplan"));
            if (byPlan.TryGetValue(plan, out var other))
            {
                Log.LogError(null, BuildErrorCodes.DuplicatePlanName, null, BuildEngine.ProjectFileOfTaskNode, 0, 0, 0, 0,
                    $"EastModel '{model.ItemSpec}' and '{other}' would both write {name}.eastplan; give one an OutputName");
                continue;
            }
            byPlan[plan] = model.ItemSpec;

            var files = InputFiles(model);
            var stamp = plan + ".inputs";
            WriteIfChanged(stamp, StampText(model, files));
            var item = new TaskItem(model);
            item.SetMetadata("PlanPath", plan);
            item.SetMetadata("PlanFileName", Path.GetFileName(plan));
            item.SetMetadata("StampFile", stamp);
            item.SetMetadata("InputFiles", string.Join(";", files));
            resolved.Add(item);
        }
        Resolved = resolved.ToArray();
        return !Log.HasLoggedErrors;
    }

    private string Full(string path) =>
        Path.GetFullPath(ProjectDirectory is null ? path : Path.Combine(ProjectDirectory, path));

    /// <summary>Every file the plan depends on, sorted; mirrors the baker's content hash.</summary>
    private List<string> InputFiles(ITaskItem model)
    {
        var files = new List<string>();
        void Prefix(string prefix)
        {
            var dir = Path.GetDirectoryName(prefix)!;
            if (Directory.Exists(dir)) files.AddRange(Directory.EnumerateFiles(dir, Path.GetFileName(prefix) + ".*"));
        }
        var path = model.GetMetadata("FullPath");
        if (Directory.Exists(path)) files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories));
        else if (File.Exists(path)) files.Add(path);
        else Prefix(path);
        var checkpoint = model.GetMetadata("Checkpoint");
        if (!string.IsNullOrWhiteSpace(checkpoint)) Prefix(Full(checkpoint));
        var images = model.GetMetadata("CalibrationImages");
        if (!string.IsNullOrWhiteSpace(images) && Directory.Exists(Full(images)))
            files.AddRange(Directory.EnumerateFiles(Full(images), "*", SearchOption.AllDirectories));
        return files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static string StampText(ITaskItem model, IEnumerable<string> files)
    {
        var sb = new StringBuilder();
        sb.Append("model=").Append(model.GetMetadata("FullPath")).Append('\n');
        var meta = ((ITaskItem2)model).CloneCustomMetadataEscaped();
        foreach (var key in meta.Keys.Cast<string>().Order(StringComparer.OrdinalIgnoreCase))
            sb.Append("meta.").Append(key).Append('=').Append(meta[key]).Append('\n');
        foreach (var f in files)
            sb.Append("file=").Append(f).Append('|').Append(new FileInfo(f).Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Writes only on change, so an unchanged item keeps its stamp's timestamp (temp file, then rename).</summary>
    private static void WriteIfChanged(string path, string text)
    {
        if (File.Exists(path) && File.ReadAllText(path) == text) return;
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
