using System.Globalization;
using System.Text;
using EastBake.Runtime.Detection;

namespace EastBake.Evaluation;

/// <summary>
/// Writes a submission file <c>res_img_N.txt</c> as argman/EAST's eval.py does: one box a line,
/// <c>x1,y1,x2,y2,x3,y3,x4,y4</c> + CRLF, coordinates truncated toward zero (numpy
/// <c>astype(int32)</c>), no score; a box whose first or last side (|p0p1|, |p3p0|) is under
/// <c>minSide</c> pixels after truncation is skipped (eval.py uses 5). Boxes keep their order.
/// </summary>
public static class IcdarResultWriter
{
    public static string FileName(int imageId) => $"res_img_{imageId}.txt";

    public const double ArgmanMinSide = 5;

    public static string Format(IEnumerable<Quad> boxes, double minSide = ArgmanMinSide)
    {
        var sb = new StringBuilder();
        Span<int> c = stackalloc int[8];
        foreach (var q in boxes)
        {
            for (int i = 0; i < 4; i++) { c[2 * i] = (int)q[i].X; c[2 * i + 1] = (int)q[i].Y; }
            if (Hypot(c[0] - c[2], c[1] - c[3]) < minSide || Hypot(c[6] - c[0], c[7] - c[1]) < minSide) continue;
            for (int i = 0; i < 8; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(c[i].ToString(CultureInfo.InvariantCulture));
            }
            sb.Append("\r\n");
        }
        return sb.ToString();
    }

    private static double Hypot(int dx, int dy) => Math.Sqrt((double)dx * dx + (double)dy * dy);

    /// <summary>Writes <c>res_img_{imageId}.txt</c> in <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory, int imageId, IEnumerable<Quad> boxes, double minSide = ArgmanMinSide)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName(imageId));
        File.WriteAllText(path, Format(boxes, minSide), new UTF8Encoding(false));
        return path;
    }
}
