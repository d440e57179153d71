using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EastBake.Diagnostics;

namespace EastBake.Baking.Calibration;

/// <summary>
/// The calibration images: every .jpg/.jpeg/.png/.bmp under the folder (recursive, any case),
/// ordered by relative path ('/'-separated, ordinal), the first <c>CalibrationLimit</c> of them.
/// Missing folder: EB3001; no image: EB3002; limit below 1: EB3025.
/// </summary>
public sealed class CalibrationImageSet
{
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png", ".bmp"];

    /// <summary>Fewer readable images than this give warning EB3003.</summary>
    public const int RecommendedMinimum = 50;

    private CalibrationImageSet(string folder, IReadOnlyList<string> relative, int available)
    {
        Folder = folder;
        RelativePaths = relative;
        Available = available;
    }

    public string Folder { get; }

    /// <summary>Paths relative to <see cref="Folder"/>, '/'-separated, in calibration order.</summary>
    public IReadOnlyList<string> RelativePaths { get; }

    /// <summary>Images in the folder before the limit.</summary>
    public int Available { get; }

    public int Count => RelativePaths.Count;

    public string FullPath(int i) => Path.Combine(Folder, RelativePaths[i]);

    public static CalibrationImageSet Open(string? folder, int limit, string? modelFile = null)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new EastBakeException(ErrorCodes.CalibrationFolderMissing,
                "Precision INT8 needs CalibrationImages (a folder of representative images)", modelFile);
        if (limit < 1)
            throw new EastBakeException(ErrorCodes.CalibrationBadLimit, $"CalibrationLimit must be at least 1 (is {limit})", modelFile);
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new EastBakeException(ErrorCodes.CalibrationFolderMissing, "calibration image folder not found", full);
        var all = Directory.EnumerateFiles(full, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.None })
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Select(f => Path.GetRelativePath(full, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (all.Count == 0)
            throw new EastBakeException(ErrorCodes.CalibrationFolderEmpty,
                $"the calibration folder holds no image ({string.Join(", ", Extensions)}, searched recursively)", full);
        return new CalibrationImageSet(full, all.Take(limit).ToList(), all.Count);
    }

    /// <summary>SHA-256 (hex) over each selected image's relative path, length and bytes, in order.</summary>
    public string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (var i = 0; i < Count; i++)
        {
            FileStream fs;
            try { fs = new FileStream(FullPath(i), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Skipped at calibration too; the hash still changes when it becomes readable.
                sha.AppendData(Encoding.UTF8.GetBytes($"{RelativePaths[i]}\nunreadable\n"));
                continue;
            }
            using (fs)
            {
                sha.AppendData(Encoding.UTF8.GetBytes(
                    string.Create(CultureInfo.InvariantCulture, $"{RelativePaths[i]}\n{fs.Length}\n")));
                int n;
                while ((n = fs.Read(buffer)) > 0) sha.AppendData(buffer, 0, n);
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
