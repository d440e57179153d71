using System.Text.RegularExpressions;
using EastBake.Diagnostics;
using EastBake.Runtime.Detection;

namespace EastBake.Evaluation;

/// <summary>
/// Parses ICDAR 2015 Challenge 4 ground truth: <c>x1,y1,…,x4,y4,transcription</c> per line
/// (integers; the transcription is everything after the 8th comma, so it may hold commas, and a
/// quoted transcription is unquoted as the official script does). A bad line → EB6002 with file:line.
/// </summary>
public static partial class GroundTruthParser
{
    [GeneratedRegex(@"^\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"^\s*""(.*)""\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedPattern();

    public static IReadOnlyList<GroundTruthRegion> ParseFile(string path) =>
        Parse(IcdarTextFile.ReadLines(path), path);

    public static IReadOnlyList<GroundTruthRegion> ParseText(string text, string fileName) =>
        Parse(IcdarTextFile.SplitLines(text), fileName);

    private static List<GroundTruthRegion> Parse(IEnumerable<(int Line, string Text)> lines, string file)
    {
        var regions = new List<GroundTruthRegion>();
        foreach (var (lineNo, line) in lines)
        {
            var m = LinePattern().Match(line);
            if (!m.Success)
                throw new EastBakeException(ErrorCodes.GroundTruthMalformed,
                    $"expected 'x1,y1,x2,y2,x3,y3,x4,y4,transcription' with integer coordinates, got '{Shorten(line)}'",
                    file, line: lineNo);
            var quad = IcdarNumbers.QuadFromGroups(m, ErrorCodes.GroundTruthMalformed, file, lineNo);
            regions.Add(new GroundTruthRegion(quad, Unquote(m.Groups[9].Value.Trim())));
        }
        return regions;
    }

    private static string Unquote(string t)
    {
        var q = QuotedPattern().Match(t);
        return q.Success ? q.Groups[1].Value.Replace("\\\\", "\\").Replace("\\\"", "\"") : t;
    }

    internal static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}

internal static class IcdarNumbers
{
    public static Quad QuadFromGroups(Match m, string code, string file, int line)
    {
        Span<double> c = stackalloc double[8];
        for (int i = 0; i < 8; i++)
        {
            if (!int.TryParse(m.Groups[i + 1].ValueSpan, System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture, out int v))
                throw new EastBakeException(code, $"coordinate {i + 1} '{m.Groups[i + 1].Value}' is out of range", file, line: line);
            c[i] = v;
        }
        return Quad.FromCoords(c);
    }
}
