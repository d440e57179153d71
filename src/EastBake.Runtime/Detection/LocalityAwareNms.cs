namespace EastBake.Runtime.Detection;

/// <summary>
/// Locality-aware NMS (EAST, Zhou et al. 2017) with lanms semantics. Candidates arrive in
/// row-major pixel order; each is merged into the running polygon when their IoU exceeds the
/// threshold (coordinates weighted by score, scores summed; see <see cref="LanmsMerger"/>), or
/// else the running polygon is flushed and the candidate starts a new one. Standard NMS by score
/// then runs over the merged polygons at the same threshold.
/// </summary>
/// <remarks>
/// With <c>lanmsIntegerArithmetic</c>, candidates are truncated to integer vertices and merged
/// with lanms's truncating arithmetic; by default they keep their float coordinates and merge
/// exactly (see <see cref="LanmsMerger"/> for why). lanms computes IoU with Clipper, which rounds
/// intersection points to the integer grid; here intersections are exact, so an IoU within
/// ~1e-3 of the threshold may be decided differently. IoU = inter / max(union, 1), as lanms.
/// </remarks>
public static class LocalityAwareNms
{
    public static List<ScoredQuad> Run(IReadOnlyList<ScoredQuad> candidates, float iouThreshold, bool lanmsIntegerArithmetic = false)
    {
        var merged = new List<ScoredQuad>();
        for (int i = 0; i < candidates.Count; i++)
        {
            var poly = lanmsIntegerArithmetic ? LanmsMerger.ToIntegerPolygon(candidates[i]) : candidates[i];
            if (merged.Count > 0 && IoU(poly.Quad, merged[^1].Quad) > iouThreshold)
                merged[^1] = LanmsMerger.Merge(merged[^1], poly, lanmsIntegerArithmetic);
            else
                merged.Add(poly);
        }
        return StandardNms(merged, iouThreshold);
    }

    /// <summary>Greedy NMS: highest score first (ties keep input order); drops polygons with IoU &gt; threshold to a kept one.</summary>
    public static List<ScoredQuad> StandardNms(IReadOnlyList<ScoredQuad> polys, float iouThreshold)
    {
        var order = new int[polys.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        // Stable: Array.Sort is not, so break ties on the index.
        Array.Sort(order, (a, b) => polys[a].Score != polys[b].Score ? polys[b].Score.CompareTo(polys[a].Score) : a.CompareTo(b));

        var keep = new List<ScoredQuad>();
        var suppressed = new bool[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            if (suppressed[i]) continue;
            var cur = polys[order[i]];
            keep.Add(cur);
            for (int j = i + 1; j < order.Length; j++)
                if (!suppressed[j] && IoU(cur.Quad, polys[order[j]].Quad) > iouThreshold)
                    suppressed[j] = true;
        }
        return keep;
    }

    /// <summary>IoU of two convex quads (decoded rectangles and their weighted averages), union floored at 1 as lanms.</summary>
    public static double IoU(in Quad a, in Quad b)
    {
        // Cheap rejection on bounding boxes: most row-neighbour pairs from different boxes are far apart.
        if (MaxX(a) <= MinX(b) || MaxX(b) <= MinX(a) || MaxY(a) <= MinY(b) || MaxY(b) <= MinY(a)) return 0;
        Span<PointD> pa = [a.P0, a.P1, a.P2, a.P3];
        Span<PointD> pb = [b.P0, b.P1, b.P2, b.P3];
        double inter = Polygon.ConvexIntersectionArea(pa, pb);
        double union = a.Area + b.Area - inter;
        return inter / Math.Max(union, 1.0);
    }

    private static double MinX(in Quad q) => Math.Min(Math.Min(q.P0.X, q.P1.X), Math.Min(q.P2.X, q.P3.X));
    private static double MaxX(in Quad q) => Math.Max(Math.Max(q.P0.X, q.P1.X), Math.Max(q.P2.X, q.P3.X));
    private static double MinY(in Quad q) => Math.Min(Math.Min(q.P0.Y, q.P1.Y), Math.Min(q.P2.Y, q.P3.Y));
    private static double MaxY(in Quad q) => Math.Max(Math.Max(q.P0.Y, q.P1.Y), Math.Max(q.P2.Y, q.P3.Y));
}
