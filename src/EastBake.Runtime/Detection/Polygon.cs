using System.Runtime.CompilerServices;

namespace EastBake.Runtime.Detection;

/// <summary>Area and convex clipping for small polygons given as point lists.</summary>
public static class Polygon
{
    /// <summary>Shoelace area, signed (positive for clockwise on screen, i.e. counter-clockwise in y-up axes).</summary>
    public static double SignedArea(ReadOnlySpan<PointD> p)
    {
        if (p.Length < 3) return 0;
        double a = 0;
        for (int i = 0, j = p.Length - 1; i < p.Length; j = i++)
            a += p[j].X * p[i].Y - p[i].X * p[j].Y;
        return 0.5 * a;
    }

    public static double Area(ReadOnlySpan<PointD> p) => Math.Abs(SignedArea(p));

    /// <summary>
    /// Area of the intersection of two convex polygons (either orientation) by Sutherland–Hodgman
    /// clipping of <paramref name="subject"/> against each edge of <paramref name="clip"/>.
    /// </summary>
    public static double ConvexIntersectionArea(ReadOnlySpan<PointD> subject, ReadOnlySpan<PointD> clip)
    {
        // Max vertices after clipping an n-gon by an m-gon: n + m.
        int cap = subject.Length + clip.Length;
        Span<PointD> a = cap <= 32 ? stackalloc PointD[cap] : new PointD[cap];
        Span<PointD> b = cap <= 32 ? stackalloc PointD[cap] : new PointD[cap];
        int n = ConvexClip(subject, clip, a, b);
        return n < 3 ? 0 : Area(a[..n]);
    }

    /// <summary>
    /// Clips <paramref name="subject"/> by the convex <paramref name="clip"/>; the result is in
    /// <paramref name="result"/> (its count is returned). <paramref name="scratch"/> has the same size.
    /// </summary>
    public static int ConvexClip(ReadOnlySpan<PointD> subject, ReadOnlySpan<PointD> clip, Span<PointD> result, Span<PointD> scratch)
    {
        double orient = SignedArea(clip);
        if (orient == 0 || subject.Length < 3) return 0;
        double sign = orient > 0 ? 1 : -1;

        subject.CopyTo(result);
        int count = subject.Length;
        Span<PointD> cur = result, next = scratch;
        for (int e = 0; e < clip.Length && count > 0; e++)
        {
            PointD c0 = clip[e], c1 = clip[(e + 1) % clip.Length];
            PointD edge = c1 - c0;
            int outCount = 0;
            for (int i = 0; i < count; i++)
            {
                PointD s = cur[i], t = cur[(i + 1) % count];
                // Inside = on the interior side of the edge (or on it).
                double ds = sign * PointD.Cross(edge, s - c0);
                double dt = sign * PointD.Cross(edge, t - c0);
                if (ds >= 0) next[outCount++] = s;
                if ((ds >= 0) != (dt >= 0)) next[outCount++] = s + (t - s) * (ds / (ds - dt));
            }
            count = outCount;
            var tmp = cur; cur = next; next = tmp;
        }
        if (count > 0 && !Unsafe.AreSame(ref cur[0], ref result[0])) cur[..count].CopyTo(result);
        return count;
    }

    /// <summary>IoU of two convex polygons; 0 when the union is empty.</summary>
    public static double ConvexIoU(ReadOnlySpan<PointD> a, ReadOnlySpan<PointD> b)
    {
        double inter = ConvexIntersectionArea(a, b);
        double union = Area(a) + Area(b) - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
