namespace EastBake.Runtime.Detection;

/// <summary>
/// Intersection and IoU of arbitrary quadrilaterals, matching the semantics of the polygon
/// library the official ICDAR 2015 script uses (GPC through Python "Polygon"): a region's own
/// area is |shoelace| of its contour, and set operations fill self-intersecting contours by the
/// even-odd rule. Any quad's even-odd region is the union of at most two convex pieces with
/// disjoint interiors (convex: itself; concave: split on the diagonal through the reflex vertex;
/// bow-tie: the two triangles on either side of the crossing), so the intersection area of two
/// quads is the sum of the convex intersections of their pieces.
/// </summary>
public static class QuadOverlap
{
    /// <summary>Area of the intersection of the even-odd regions of two quads.</summary>
    public static double IntersectionArea(in Quad a, in Quad b)
    {
        Span<PointD> pa = stackalloc PointD[8];
        Span<PointD> pb = stackalloc PointD[8];
        Span<int> na = stackalloc int[2];
        Span<int> nb = stackalloc int[2];
        int ca = Decompose(a, pa, na), cb = Decompose(b, pb, nb);
        double sum = 0;
        for (int i = 0; i < ca; i++)
            for (int j = 0; j < cb; j++)
                sum += Polygon.ConvexIntersectionArea(pa.Slice(4 * i, na[i]), pb.Slice(4 * j, nb[j]));
        return sum;
    }

    /// <summary>IoU with the official script's definitions: inter / (|A| + |B| − inter); 0 on an empty union.</summary>
    public static double IoU(in Quad a, in Quad b)
    {
        double inter = IntersectionArea(a, b);
        double union = a.Area + b.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /// <summary>
    /// Splits a quad into convex pieces with disjoint interiors covering its even-odd region.
    /// Piece k is written at <c>points[4k..4k+sizes[k]]</c>; returns the number of pieces (1 or 2).
    /// </summary>
    public static int Decompose(in Quad q, Span<PointD> points, Span<int> sizes)
    {
        // Bow-tie: opposite edges cross properly.
        if (TryCross(q.P0, q.P1, q.P2, q.P3, out var x))
            return Two(points, sizes, x, q.P1, q.P2, x, q.P3, q.P0);
        if (TryCross(q.P1, q.P2, q.P3, q.P0, out x))
            return Two(points, sizes, x, q.P2, q.P3, x, q.P0, q.P1);

        double orient = q.SignedArea;
        for (int k = 0; k < 4 && orient != 0; k++)
        {
            double turn = PointD.Cross(q[k] - q[k + 3], q[k + 1] - q[k]);
            if (turn * orient < 0) // reflex vertex k: the diagonal k–(k+2) lies inside
                return Two(points, sizes, q[k], q[k + 1], q[k + 2], q[k + 2], q[k + 3], q[k]);
        }
        points[0] = q.P0; points[1] = q.P1; points[2] = q.P2; points[3] = q.P3;
        sizes[0] = 4;
        return 1;
    }

    private static int Two(Span<PointD> p, Span<int> sizes, PointD a0, PointD a1, PointD a2, PointD b0, PointD b1, PointD b2)
    {
        p[0] = a0; p[1] = a1; p[2] = a2;
        p[4] = b0; p[5] = b1; p[6] = b2;
        sizes[0] = 3; sizes[1] = 3;
        return 2;
    }

    /// <summary>True when segments ab and cd cross at a single interior point of both.</summary>
    private static bool TryCross(PointD a, PointD b, PointD c, PointD d, out PointD x)
    {
        double d1 = PointD.Cross(b - a, c - a), d2 = PointD.Cross(b - a, d - a);
        double d3 = PointD.Cross(d - c, a - c), d4 = PointD.Cross(d - c, b - c);
        if (d1 * d2 < 0 && d3 * d4 < 0)
        {
            x = a + (b - a) * (d3 / (d3 - d4));
            return true;
        }
        x = default;
        return false;
    }
}
