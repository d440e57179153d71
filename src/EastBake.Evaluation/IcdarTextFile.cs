using System.Text;
using EastBake.Diagnostics;

namespace EastBake.Evaluation;

/// <summary>
/// Reads the lines of an ICDAR text file the way the official script does: UTF-8 with an
/// optional BOM, LF or CRLF endings, blank lines ignored. Line numbers are 1-based physical lines.
/// </summary>
internal static class IcdarTextFile
{
    public static IEnumerable<(int Line, string Text)> ReadLines(string path)
    {
        string text;
        try { text = File.ReadAllText(path, new UTF8Encoding(false)); }
        catch (FileNotFoundException) { throw new EastBakeException(ErrorCodes.PathNotFound, "file not found", path); }
        return SplitLines(text);
    }

    public static IEnumerable<(int Line, string Text)> SplitLines(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Replace("\r", "");
            if (line.Length > 0) yield return (i + 1, line);
        }
    }
}
