using EastBake.Baking.Pipeline;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace EastBake.Tests.Calibration;

/// <summary>Records what a bake logs.</summary>
internal sealed class RecordingLog : IBakeLog
{
    public List<string> Lines { get; } = new();
    public List<(string Code, string Message, string? File)> Warnings { get; } = new();
    public void Info(string message) { lock (Lines) Lines.Add(message); }
    public void Warning(string code, string message, string? file = null) { lock (Lines) Warnings.Add((code, message, file)); }
    public void Progress(string stage, double fraction) { }
    public bool Logged(string fragment) => Lines.Any(l => l.Contains(fragment, StringComparison.Ordinal));
}

/// <summary>A temporary folder that deletes itself.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eastbake-int8-" + Guid.NewGuid().ToString("N"));
    public string this[string relative] => System.IO.Path.Combine(Path, relative);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

internal static class CalibrationImages
{
    /// <summary>Writes a random textured RGB image (noise over a few bright rectangles, like text on a scene).</summary>
    public static void Write(string path, Random r, int width = 96, int height = 64)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height);
        var baseColor = new Rgb24((byte)r.Next(256), (byte)r.Next(256), (byte)r.Next(256));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                image[x, y] = new Rgb24((byte)Math.Clamp(baseColor.R + r.Next(-40, 41), 0, 255),
                    (byte)Math.Clamp(baseColor.G + r.Next(-40, 41), 0, 255), (byte)Math.Clamp(baseColor.B + r.Next(-40, 41), 0, 255));
        for (var k = 0; k < 3; k++)
        {
            int x0 = r.Next(width - 8), y0 = r.Next(height - 4), w = r.Next(4, 20), h = r.Next(2, 8);
            for (var y = y0; y < Math.Min(height, y0 + h); y++)
                for (var x = x0; x < Math.Min(width, x0 + w); x++) image[x, y] = new Rgb24(250, 250, 250);
        }
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".png": image.SaveAsPng(path); break;
            case ".bmp": image.SaveAsBmp(path); break;
            default: image.SaveAsJpeg(path); break;
        }
    }

    /// <summary>A folder of <paramref name="count"/> images in nested folders, mixed formats.</summary>
    public static string Folder(string root, int count, int seed)
    {
        var r = new Random(seed);
        string[] ext = [".jpg", ".png", ".JPEG", ".bmp"];
        for (var i = 0; i < count; i++)
            Write(Path.Combine(root, i % 3 == 0 ? "sub" : "", $"img_{i:D3}{ext[i % ext.Length]}"), r);
        return root;
    }
}
