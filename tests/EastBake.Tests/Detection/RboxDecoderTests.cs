using EastBake.Runtime.Detection;

namespace EastBake.Tests.Detection;

/// <summary>
/// A rotated rectangle built from its definition (centre, size, angle), and the RBOX geometry
/// any point sees for it: distances to its four sides along the box axes. With y down, the box's
/// x axis is u = (cos θ, −sin θ) (positive θ rises to the right) and its y axis v = (sin θ, cos θ).
/// </summary>
internal readonly record struct RotatedBox(double Cx, double Cy, double W, double H, double Theta)
{
    private (double ux, double uy, double vx, double vy) Axes => (Math.Cos(Theta), -Math.Sin(Theta), Math.Sin(Theta), Math.Cos(Theta));

    public PointD Corner(double lx, double ly)
    {
        var (ux, uy, vx, vy) = Axes;
        return new PointD(Cx + lx * ux + ly * vx, Cy + lx * uy + ly * vy);
    }

    /// <summary>Top-left, top-right, bottom-right, bottom-left in the box's own frame.</summary>
    public Quad Quad => new(Corner(-W / 2, -H / 2), Corner(W / 2, -H / 2), Corner(W / 2, H / 2), Corner(-W / 2, H / 2));

    public (float Top, float Right, float Bottom, float Left) Distances(double px, double py)
    {
        var (ux, uy, vx, vy) = Axes;
        double lx = (px - Cx) * ux + (py - Cy) * uy, ly = (px - Cx) * vx + (py - Cy) * vy;
        return ((float)(H / 2 + ly), (float)(W / 2 - lx), (float)(H / 2 - ly), (float)(W / 2 + lx));
    }

    public bool Contains(double px, double py, double margin = 0)
    {
        var (ux, uy, vx, vy) = Axes;
        double lx = (px - Cx) * ux + (py - Cy) * uy, ly = (px - Cx) * vx + (py - Cy) * vy;
        return Math.Abs(lx) <= W / 2 + margin && Math.Abs(ly) <= H / 2 + margin;
    }
}

public class RboxDecoderTests
{
    internal static void AssertNear(Quad expected, Quad actual, double tol)
    {
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(expected[i].X - actual[i].X) <= tol && Math.Abs(expected[i].Y - actual[i].Y) <= tol,
                $"vertex {i}: expected {expected[i]}, got {actual[i]} (all: {expected} vs {actual})");
        }
    }

    [Fact]
    public void AxisAlignedBox()
    {
        // Pixel (col 10, row 5) → origin (40, 20); top 5, right 30, bottom 7, left 10.
        var q = RboxDecoder.Restore(40, 20, 5, 30, 7, 10, 0);
        Assert.Equal(new Quad(30, 15, 70, 15, 70, 27, 30, 27), q);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-0.4)]
    [InlineData(Math.PI / 4)]
    [InlineData(-Math.PI / 4)]
    public void RotatedBoxBothAngleSigns(double theta)
    {
        var box = new RotatedBox(200, 120, 90, 30, theta);
        foreach (var (px, py) in new[] { (200.0, 120.0), (180.0, 124.0), (232.0, 116.0), (300.0, 10.0) }) // inside and far outside
        {
            var (t, r, b, l) = box.Distances(px, py);
            var q = RboxDecoder.Restore(px, py, t, r, b, l, (float)theta);
            AssertNear(box.Quad, q, 1e-3);
        }
    }

    [Fact]
    public void OnlyPixelsAboveThresholdInRowMajorOrder()
    {
        float[] score = [0.8f, 0.81f, 0.0f, 0.9f, 0.5f, 1.0f]; // 2 rows × 3 cols
        var geo = new float[6 * 5];
        for (int i = 0; i < 6; i++) { geo[i * 5] = 1; geo[i * 5 + 1] = 2; geo[i * 5 + 2] = 3; geo[i * 5 + 3] = 4; }
        var list = new List<ScoredQuad>();
        RboxDecoder.Decode(score, geo, 2, 3, 0.8f, list);
        Assert.Equal([0.81f, 0.9f, 1.0f], list.Select(c => c.Score));
        // (col 1, row 0) → origin (4, 0): x from 0 to 6, y from −1 to 3.
        Assert.Equal(new Quad(0, -1, 6, -1, 6, 3, 0, 3), list[0].Quad);
        Assert.Equal(new Quad(-4, 3, 2, 3, 2, 7, -4, 7), list[1].Quad); // (col 0, row 1) → (0, 4)
    }
}
