namespace EastBake.Runtime.Detection;

/// <summary>
/// Turns EAST's RBOX output into candidate rectangles. Geometry channel order is
/// (top, right, bottom, left, angle): distances from the point (4·col, 4·row) to the sides of a
/// rectangle rotated by <c>angle</c> radians.
/// </summary>
/// <remarks>
/// argman's <c>restore_rectangle_rbox</c> has two branches: for angle ≥ 0 it builds the box
/// around its bottom-left corner, for angle &lt; 0 around its bottom-right one, and rotates by
/// [[cos, sin], [−sin, cos]] (the second branch writes it with −angle, which is the same matrix).
/// Taking each corner relative to the anchor pixel, both reduce to
/// <c>p = origin + R·(−l,−t), R·(r,−t), R·(r,b), R·(−l,b)</c>, which is what <see cref="Restore"/>
/// computes; the unit tests check both signs against hand-built boxes. As in the reference, cos
/// and sin are taken in float32, the products in double, and the result is stored as float32.
/// </remarks>
public static class RboxDecoder
{
    /// <summary>The rectangle of one pixel: corners p0..p3 (clockwise on screen for a positive-size box).</summary>
    public static Quad Restore(double originX, double originY, float top, float right, float bottom, float left, float angle)
    {
        double c = MathF.Cos(angle), s = MathF.Sin(angle);
        return new Quad(
            Corner(originX, originY, c, s, -left, -top, 0), Corner(originX, originY, c, s, -left, -top, 1),
            Corner(originX, originY, c, s, right, -top, 0), Corner(originX, originY, c, s, right, -top, 1),
            Corner(originX, originY, c, s, right, bottom, 0), Corner(originX, originY, c, s, right, bottom, 1),
            Corner(originX, originY, c, s, -left, bottom, 0), Corner(originX, originY, c, s, -left, bottom, 1));
    }

    // One coordinate of origin + R·(dx, dy), rounded to float32 as the reference's float32 box array does.
    private static double Corner(double ox, double oy, double c, double s, double dx, double dy, int axis) =>
        axis == 0 ? (float)(ox + c * dx + s * dy) : (float)(oy - s * dx + c * dy);

    /// <summary>
    /// Appends a candidate for every pixel whose score is above <paramref name="scoreThreshold"/>
    /// (strictly, as the reference's <c>score_map &gt; thresh</c>), in row-major order, the order
    /// locality-aware NMS relies on. Maps are dense NHWC slices of one image: score [h4·w4],
    /// geometry [h4·w4·5].
    /// </summary>
    public static void Decode(ReadOnlySpan<float> score, ReadOnlySpan<float> geometry, int h4, int w4,
        float scoreThreshold, List<ScoredQuad> output)
    {
        if (score.Length < h4 * w4 || geometry.Length < h4 * w4 * 5)
            throw new ArgumentException($"maps are smaller than {h4}×{w4} (score {score.Length}, geometry {geometry.Length})");
        for (int row = 0; row < h4; row++)
        {
            var scoreRow = score.Slice(row * w4, w4);
            for (int col = 0; col < w4; col++)
            {
                float sc = scoreRow[col];
                if (!(sc > scoreThreshold)) continue;
                var g = geometry.Slice((row * w4 + col) * 5, 5);
                output.Add(new ScoredQuad(Restore(4 * col, 4 * row, g[0], g[1], g[2], g[3], g[4]), sc));
            }
        }
    }
}
