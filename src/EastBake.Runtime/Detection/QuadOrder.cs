namespace EastBake.Runtime.Detection;

/// <summary>
/// Vertex order of output boxes: start at the vertex with the smallest x + y (first one on a
/// tie, like argmin) and go clockwise on screen (y down). argman's <c>sort_poly</c> starts at the
/// same vertex but reverses the order when the first side is more vertical than horizontal,
/// which can yield a counter-clockwise box; orientation does not change any IoU.
/// </summary>
public static class QuadOrder
{
    public static Quad ClockwiseFromTopLeft(in Quad q)
    {
        int start = 0;
        double best = q.P0.X + q.P0.Y;
        for (int i = 1; i < 4; i++)
        {
            double s = q[i].X + q[i].Y;
            if (s < best) { best = s; start = i; }
        }
        return q.SignedArea >= 0
            ? new Quad(q[start], q[start + 1], q[start + 2], q[start + 3])
            : new Quad(q[start], q[start + 3], q[start + 2], q[start + 1]);
    }
}
