using EastBake.Diagnostics;

namespace EastBake.Runtime.Detection;

/// <summary>The images a folder run (calibration, detect, eval) reads: one file, or a folder's images sorted by path.</summary>
public static class ImageFolder
{
    /// <summary>Extensions taken from a folder (case-insensitive); other files are not images to these runs.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png", ".bmp"];

    /// <summary>The file itself, or the folder's images (recursively, ordinal order). A missing path is EB6001.</summary>
    public static IReadOnlyList<string> List(string path)
    {
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path))
            throw new EastBakeException(ErrorCodes.PathNotFound, "no such image file or folder", path);
        return Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
    }
}
