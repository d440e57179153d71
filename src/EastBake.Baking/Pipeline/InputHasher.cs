using System.Security.Cryptography;
using System.Text;

namespace EastBake.Baking.Pipeline;

/// <summary>
/// Content hash of everything a plan depends on: the model's bytes (or every checkpoint /
/// SavedModel file), the calibration image listing and bytes, the canonical options and the
/// EastBake version. Incremental builds compare it with the hash stored in the plan.
/// </summary>
public static class InputHasher
{
    public static string Compute(BakeOptions o, string eastBakeVersion)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Text(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        void FileBytes(string path)
        {
            Text(Path.GetFileName(path));
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            var buf = new byte[1 << 20];
            int n;
            while ((n = fs.Read(buf)) > 0) sha.AppendData(buf, 0, n);
        }

        Text("eastbake " + eastBakeVersion);
        Text(o.CanonicalOptions());
        foreach (var f in ModelFiles(o)) FileBytes(f);
        if (!string.IsNullOrEmpty(o.CalibrationImages) && Directory.Exists(o.CalibrationImages))
            foreach (var f in Directory.EnumerateFiles(o.CalibrationImages, "*", SearchOption.AllDirectories)
                         .Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(f);
                Text($"{Path.GetRelativePath(o.CalibrationImages, f)}|{info.Length}");
                FileBytes(f);
            }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The files that make up the model, in a stable order.</summary>
    public static IEnumerable<string> ModelFiles(BakeOptions o)
    {
        var files = new List<string>();
        void Prefix(string prefix)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(prefix))!;
            var name = Path.GetFileName(prefix);
            if (Directory.Exists(dir))
                files.AddRange(Directory.EnumerateFiles(dir, name + ".*").Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)));
        }
        if (Directory.Exists(o.ModelPath)) files.AddRange(Directory.EnumerateFiles(o.ModelPath, "*", SearchOption.AllDirectories));
        else if (File.Exists(o.ModelPath)) files.Add(o.ModelPath);
        else Prefix(o.ModelPath);
        if (!string.IsNullOrEmpty(o.Checkpoint)) Prefix(o.Checkpoint);
        return files.Select(Path.GetFullPath).Distinct().Order(StringComparer.Ordinal);
    }
}
