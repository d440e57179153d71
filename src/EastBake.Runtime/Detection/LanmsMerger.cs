namespace EastBake.Runtime.Detection;

/// <summary>
/// The score-weighted merge of two polygons with the arithmetic of lanms (argman/EAST's C++
/// locality-aware NMS): integer vertex coordinates, int64 accumulators updated in float32
/// (<c>acc = (long)((float)acc + x·s)</c>), the average <c>(long)(acc · (1/Σs))</c>, and the
/// vertices of the incoming polygon re-ordered to best fit the current one first. Reproducing
/// the truncations keeps merged boxes on the same integer pixels as the reference.
/// </summary>
internal static class LanmsMerger
{
    /// <summary>Truncates a candidate's coordinates toward zero, as lanms reads its float input.</summary>
    public static ScoredQuad ToIntegerPolygon(in ScoredQuad q)
    {
        var p = q.Quad;
        return new ScoredQuad(new Quad(
            Math.Truncate(p.P0.X), Math.Truncate(p.P0.Y), Math.Truncate(p.P1.X), Math.Truncate(p.P1.Y),
            Math.Truncate(p.P2.X), Math.Truncate(p.P2.Y), Math.Truncate(p.P3.X), Math.Truncate(p.P3.Y)), q.Score);
    }

    /// <summary>Merges <paramref name="incoming"/> into <paramref name="current"/> (both integer polygons).</summary>
    public static ScoredQuad Merge(in ScoredQuad current, in ScoredQuad incoming)
    {
        Span<long> acc = stackalloc long[8];
        float score = 0;
        Accumulate(acc, ref score, current);
        var aligned = Align(Average(acc, score), incoming);
        Accumulate(acc, ref score, aligned);
        return Average(acc, score);
    }

    private static void Accumulate(Span<long> acc, ref float score, in ScoredQuad p)
    {
        float s = p.Score;
        for (int i = 0; i < 4; i++)
        {
            acc[2 * i] = (long)((float)acc[2 * i] + (float)p.Quad[i].X * s);
            acc[2 * i + 1] = (long)((float)acc[2 * i + 1] + (float)p.Quad[i].Y * s);
        }
        score += s;
    }

    private static ScoredQuad Average(ReadOnlySpan<long> acc, float score)
    {
        float inv = 1.0f / Math.Max(1e-8f, score);
        Span<double> c = stackalloc double[8];
        for (int i = 0; i < 8; i++) c[i] = (long)((float)acc[i] * inv);
        return new ScoredQuad(Quad.FromCoords(c), score);
    }

    /// <summary>
    /// lanms's vertex matching: the identical order wins unless a reversed order has a smaller
    /// summed squared distance. Like lanms, reversal k compares ref[i] with p[(2k+3−i) mod 4] but
    /// returns p[(k+3−i) mod 4]; the two agree for k = 0, and for boxes from one decoder (all the
    /// same orientation) the identical order always wins, so the quirk is kept only for fidelity.
    /// </summary>
    private static ScoredQuad Align(in ScoredQuad reference, in ScoredQuad p)
    {
        var r = reference.Quad;
        var q = p.Quad;
        double best = double.MaxValue;
        int bestStart = 0;
        bool reversed = false;
        for (int start = 0; start < 4; start++)
        {
            double same = 0, rev = 0;
            for (int k = 0; k < 4; k++)
            {
                same += Sq(r[start + k] - q[start + k]);
                rev += Sq(r[start + k] - q[start + 3 - k + 4]);
            }
            if (same < best) { best = same; bestStart = start; reversed = false; }
            if (rev < best) { best = rev; bestStart = start; reversed = true; }
        }
        if (!reversed) return p with { Quad = bestStart == 0 ? q : new Quad(q[bestStart], q[bestStart + 1], q[bestStart + 2], q[bestStart + 3]) };
        return p with { Quad = new Quad(q[bestStart + 3], q[bestStart + 2], q[bestStart + 1], q[bestStart + 4]) };
    }

    private static double Sq(PointD d) => d.X * d.X + d.Y * d.Y;
}
