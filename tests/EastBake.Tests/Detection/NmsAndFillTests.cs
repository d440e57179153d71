using EastBake.Runtime.Detection;

namespace EastBake.Tests.Detection;

public class NmsAndFillTests
{
    private static ScoredQuad Rect(double x0, double y0, double x1, double y1, float s) => new(new Quad(x0, y0, x1, y0, x1, y1, x0, y1), s);

    [Fact]
    public void NeighboursMergeByScoreWeightedAverage()
    {
        // IoU 80/120 > 0.2: x0 = (0·1 + 2·3) / 4 = 1.5, score 1 + 3; a third (score 4) at x0 = 4.5 → (1.5·4 + 4.5·4) / 8 = 3.
        var m = Assert.Single(LocalityAwareNms.Run([Rect(0, 0, 10, 10, 1), Rect(2, 0, 12, 10, 3)], 0.2f));
        Assert.Equal(new Quad(1.5, 0, 11.5, 0, 11.5, 10, 1.5, 10), m.Quad);
        Assert.Equal(4f, m.Score);
        var m3 = Assert.Single(LocalityAwareNms.Run([Rect(0, 0, 10, 10, 1), Rect(2, 0, 12, 10, 3), Rect(4.5, 0, 14.5, 10, 4)], 0.2f));
        Assert.Equal(new Quad(3, 0, 13, 0, 13, 10, 3, 10), m3.Quad);
        Assert.Equal(8f, m3.Score);
    }

    [Fact]
    public void LanmsIntegerArithmeticTruncates()
    {
        // Candidates are read as integers; the merged 1.5 becomes 1.
        var m = Assert.Single(LocalityAwareNms.Run([Rect(0.9, 0, 10.5, 10, 1), Rect(2, 0, 12, 10, 3)], 0.2f, lanmsIntegerArithmetic: true));
        Assert.Equal(new Quad(1, 0, 11, 0, 11, 10, 1, 10), m.Quad);
        var single = Assert.Single(LocalityAwareNms.Run([Rect(0.9, 1.99, 10.5, 20.7, 0.9f)], 0.2f, lanmsIntegerArithmetic: true));
        Assert.Equal(new Quad(0, 1, 10, 1, 10, 20, 0, 20), single.Quad);
        // lanms's float32 products truncate: 120·0.93 ≈ 111.6 → 111, 111 / 0.93 = 119.35… → 119.
        var drift = Assert.Single(LocalityAwareNms.Run([Rect(120, 0, 200, 20, 0.93f), Rect(120, 0, 200, 20, 0.93f)], 0.2f, lanmsIntegerArithmetic: true));
        Assert.Equal(119, drift.Quad.P0.X);
    }

    [Fact]
    public void NonAdjacentOverlapsAreResolvedByStandardNms()
    {
        // A and C overlap (IoU 0.6) but B sits between them in scan order, so they are not merged
        // locally; standard NMS then keeps C (higher score) and drops A. B stays (IoU 0 with both).
        var a = Rect(0, 0, 10, 10, 0.9f);
        var b = Rect(100, 0, 110, 10, 0.95f);
        var c = Rect(0, 2.5, 10, 12.5, 0.99f); // IoU(a, c) = 75 / 125
        var kept = LocalityAwareNms.Run([a, b, c], 0.2f);
        Assert.Equal([0.99f, 0.95f], kept.Select(k => k.Score));
        Assert.Equal(c.Quad, kept[0].Quad);
    }

    [Fact]
    public void IouAtThresholdDoesNotMerge()
    {
        // [0,3]×[0,1] and [1,4]×[0,1]: IoU exactly 0.5; merging needs more than the threshold.
        Assert.Equal(2, LocalityAwareNms.Run([Rect(0, 0, 3, 1, 1), Rect(1, 0, 4, 1, 1)], 0.5f).Count);
        Assert.Single(LocalityAwareNms.Run([Rect(0, 0, 3, 1, 1), Rect(1, 0, 4, 1, 1)], 0.49f));
    }

    [Fact]
    public void BresenhamFollowsOpenCvLine8()
    {
        var got = Trace(0, 0, 4, 1);
        // OpenCV's LINE_8 error term: err = 4 − 2 = 2 → straight, 0 → straight, −2 → diagonal, 4 → straight.
        Assert.Equal([(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)], got);
        Assert.Equal(got, Trace(4, 1, 0, 0)); // always traced left to right
        Assert.Equal([(0, 0), (0, 1), (1, 2), (1, 3)], Trace(0, 0, 1, 3));
        Assert.Equal([(0, 3), (1, 2), (2, 1), (3, 0)], Trace(3, 0, 0, 3));
    }

    private static List<(int, int)> Trace(int x0, int y0, int x1, int y1)
    {
        var sink = new ListSink { Points = [] };
        PixelLine.Trace(x0, y0, x1, y1, ref sink);
        return sink.Points;
    }

    private struct ListSink : IPixelSink
    {
        public List<(int, int)> Points;
        public void Plot(int x, int y) => Points.Add((x, y));
    }

    [Fact]
    public void FillPolyCoversBoundaryAndInterior()
    {
        var mask = new byte[5 * 5];
        PolygonFill.Fill([2, 4, 2, 0], [0, 2, 4, 2], mask, 5, 5);
        string[] expected = ["..#..", ".###.", "#####", ".###.", "..#.."];
        Assert.Equal(expected, Rows(mask, 5, 5));

        // An axis-aligned rectangle includes both borders; clipping at the map edge.
        var m2 = new byte[4 * 6];
        PolygonFill.Fill([1, 7, 7, 1], [-1, -1, 2, 2], m2, 6, 4);
        Assert.Equal([".#####", ".#####", ".#####", "......"], Rows(m2, 6, 4));
    }

    private static string[] Rows(byte[] mask, int w, int h) =>
        Enumerable.Range(0, h).Select(y => new string(mask.Skip(y * w).Take(w).Select(b => b != 0 ? '#' : '.').ToArray())).ToArray();

    [Fact]
    public void BoxScoreIsMeanOverFootprint()
    {
        // Quad (40,20)-(140,80) → footprint (10,5)-(35,20) on the map, borders included: 26 × 16 = 416 pixels.
        int h4 = 30, w4 = 50;
        var score = new float[h4 * w4];
        score[7 * w4 + 12] = 0.9f;
        score[0] = 1f; // outside
        var quad = new Quad(40, 20, 140, 20, 140, 80, 40, 80);
        Assert.Equal(0.9f / 416.0, BoxScoreFilter.MeanScore(quad, score, h4, w4), 12);
        // Vertices floor-divide: 43 // 4 = 10 still, −1 // 4 = −1 (clipped).
        Assert.Equal(0.9f / 416.0, BoxScoreFilter.MeanScore(new Quad(43, 23, 143, 23, 143, 83, 43, 83), score, h4, w4), 12);
        Assert.Equal(0, BoxScoreFilter.MeanScore(new Quad(-40, -40, -10, -40, -10, -10, -40, -10), score, h4, w4));
    }

    [Fact]
    public void VertexOrderStartsTopLeftClockwise()
    {
        var cw = new Quad(10, 0, 20, 10, 10, 20, 0, 10); // diamond; min x+y is (10,0) and (0,10): first wins
        Assert.Equal(new Quad(10, 0, 20, 10, 10, 20, 0, 10), QuadOrder.ClockwiseFromTopLeft(cw));
        var ccwRotated = new Quad(50, 40, 50, 10, 0, 10, 0, 40); // counter-clockwise, starting bottom-right
        Assert.Equal(new Quad(0, 10, 50, 10, 50, 40, 0, 40), QuadOrder.ClockwiseFromTopLeft(ccwRotated));
    }
}
