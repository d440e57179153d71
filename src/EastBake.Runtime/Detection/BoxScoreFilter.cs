using System.Buffers;

namespace EastBake.Runtime.Detection;

/// <summary>
/// The reference's last filter: a box's score becomes the mean score-map value over its
/// rasterised footprint on the map (vertices floor-divided by 4, filled as <c>cv2.fillPoly</c>),
/// and boxes whose mean is not above the threshold are dropped. An empty footprint has mean 0.
/// </summary>
public static class BoxScoreFilter
{
    /// <summary>Mean of <paramref name="score"/> (h4 × w4) over the footprint of <paramref name="quad"/> (input-image pixels, integer-valued).</summary>
    public static double MeanScore(in Quad quad, ReadOnlySpan<float> score, int h4, int w4)
    {
        Span<int> xs = stackalloc int[4];
        Span<int> ys = stackalloc int[4];
        int minX = int.MaxValue, maxX = int.MinValue, minY = int.MaxValue, maxY = int.MinValue;
        for (int i = 0; i < 4; i++)
        {
            // (int) truncates like astype(int32); >> 2 floors like numpy's // 4.
            xs[i] = (int)quad[i].X >> 2;
            ys[i] = (int)quad[i].Y >> 2;
            minX = Math.Min(minX, xs[i]); maxX = Math.Max(maxX, xs[i]);
            minY = Math.Min(minY, ys[i]); maxY = Math.Max(maxY, ys[i]);
        }
        // Work on the footprint's bounding box clipped to the map; clipping there equals clipping at the map edge.
        int x0 = Math.Max(minX, 0), y0 = Math.Max(minY, 0), x1 = Math.Min(maxX, w4 - 1), y1 = Math.Min(maxY, h4 - 1);
        if (x1 < x0 || y1 < y0) return 0;
        int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
        for (int i = 0; i < 4; i++) { xs[i] -= x0; ys[i] -= y0; }

        byte[] rented = ArrayPool<byte>.Shared.Rent(bw * bh);
        try
        {
            var mask = rented.AsSpan(0, bw * bh);
            mask.Clear();
            PolygonFill.Fill(xs, ys, mask, bw, bh);
            double sum = 0;
            int count = 0;
            for (int y = 0; y < bh; y++)
            {
                var m = mask.Slice(y * bw, bw);
                var s = score.Slice((y + y0) * w4 + x0, bw);
                for (int x = 0; x < bw; x++)
                    if (m[x] != 0) { sum += s[x]; count++; }
            }
            return count == 0 ? 0 : sum / count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Keeps boxes whose mean score is above <paramref name="boxThreshold"/>, replacing each score by that mean.</summary>
    public static List<ScoredQuad> Apply(IReadOnlyList<ScoredQuad> boxes, ReadOnlySpan<float> score, int h4, int w4, float boxThreshold)
    {
        var kept = new List<ScoredQuad>(boxes.Count);
        foreach (var b in boxes)
        {
            double mean = MeanScore(b.Quad, score, h4, w4);
            if (mean > boxThreshold) kept.Add(new ScoredQuad(b.Quad, (float)mean));
        }
        return kept;
    }
}
