namespace EastBake.Runtime.Detection;

/// <summary>
/// The score-weighted merge of two polygons as lanms (argman/EAST's C++ locality-aware NMS) does
/// it: the incoming polygon's vertices are first re-ordered to best fit the current one, then
/// each vertex becomes the score-weighted average and the scores add up.
/// </summary>
/// <remarks>
/// lanms itself works on integer vertices with int64 accumulators updated in float32
/// (<c>acc = (long)((float)acc + x·s)</c>) and truncates the average <c>(long)(acc·(1/Σs))</c>.
/// Those truncations bias long merge chains toward zero: a text line whose pixels all predict
/// the same box comes out 2–3 px up and left of it. <see cref="Merge"/> averages exactly by
/// default; <c>integerArithmetic</c> reproduces lanms bit for bit where that is wanted.
/// </remarks>
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

    /// <summary>Merges <paramref name="incoming"/> into <paramref name="current"/> (whose score is the sum of its members').</summary>
    public static ScoredQuad Merge(in ScoredQuad current, in ScoredQuad incoming, bool integerArithmetic)
    {
        if (!integerArithmetic)
        {
            var p = Align(current, incoming).Quad;
            var c = current.Quad;
            double sc = current.Score, si = incoming.Score, inv = 1.0 / Math.Max(1e-8, sc + si);
            return new ScoredQuad(new Quad(
                (c.P0 * sc + p.P0 * si) * inv, (c.P1 * sc + p.P1 * si) * inv,
                (c.P2 * sc + p.P2 * si) * inv, (c.P3 * sc + p.P3 * si) * inv), current.Score + incoming.Score);
        }
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
        // lanms loops over 4 starts, but its "same order" distance does not depend on the start
        // (exact in integers, so only start 0 can win); computing it once keeps that true in doubles.
        double best = 0;
        for (int k = 0; k < 4; k++) best += Sq(r[k] - q[k]);
        int bestStart = -1;
        for (int start = 0; start < 4; start++)
        {
            double rev = 0;
            for (int k = 0; k < 4; k++) rev += Sq(r[start + k] - q[start + 3 - k + 4]);
            if (rev < best) { best = rev; bestStart = start; }
        }
        return bestStart < 0 ? p
            : p with { Quad = new Quad(q[bestStart + 3], q[bestStart + 2], q[bestStart + 1], q[bestStart + 4]) };
    }

    private static double Sq(PointD d) => d.X * d.X + d.Y * d.Y;
}
