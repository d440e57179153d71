using System.Globalization;
using System.Text.RegularExpressions;
using EastBake.Diagnostics;

namespace EastBake.Evaluation;

/// <summary>
/// Parses a submission file <c>res_img_N.txt</c>: 8 integer coordinates a line, optionally
/// followed by a score. A missing file means no detections; a bad line → EB6003 with file:line.
/// </summary>
public static partial class ResultParser
{
    [GeneratedRegex(@"^\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*(?:,\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LinePattern();

    /// <summary>The detections in <paramref name="path"/>, or none when the file does not exist.</summary>
    public static IReadOnlyList<IcdarDetection> ParseFile(string path) =>
        File.Exists(path) ? Parse(IcdarTextFile.ReadLines(path), path) : [];

    public static IReadOnlyList<IcdarDetection> ParseText(string text, string fileName) =>
        Parse(IcdarTextFile.SplitLines(text), fileName);

    private static List<IcdarDetection> Parse(IEnumerable<(int Line, string Text)> lines, string file)
    {
        var dets = new List<IcdarDetection>();
        foreach (var (lineNo, line) in lines)
        {
            var m = LinePattern().Match(line);
            if (!m.Success)
                throw new EastBakeException(ErrorCodes.ResultMalformed,
                    $"expected 'x1,y1,x2,y2,x3,y3,x4,y4[,score]' with integer coordinates, got '{GroundTruthParser.Shorten(line)}'",
                    file, line: lineNo);
            var quad = IcdarNumbers.QuadFromGroups(m, ErrorCodes.ResultMalformed, file, lineNo);
            double? score = m.Groups[9].Success ? double.Parse(m.Groups[9].ValueSpan, CultureInfo.InvariantCulture) : null;
            dets.Add(new IcdarDetection(quad, score));
        }
        return dets;
    }
}
