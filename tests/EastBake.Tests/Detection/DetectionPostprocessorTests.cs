using EastBake.Runtime.Detection;

namespace EastBake.Tests.Detection;

/// <summary>
/// End-to-end decoding of hand-built maps: each box paints a uniform score over its area plus a
/// 10-px halo, and every painted pixel carries the RBOX geometry of that box (distances may be
/// negative in the halo; they still describe the same rectangle). The decoded box must be the
/// painted rectangle within 1 px, and its score (the mean over its footprint) the painted score.
/// </summary>
public class DetectionPostprocessorTests
{
    private const int H4 = 48, W4 = 96; // network input 192 × 384

    private static void Paint(float[] score, float[] geo, RotatedBox box, float s)
    {
        for (int r = 0; r < H4; r++)
            for (int c = 0; c < W4; c++)
            {
                if (!box.Contains(4 * c, 4 * r, margin: 10)) continue;
                var (t, ri, b, l) = box.Distances(4 * c, 4 * r);
                int i = r * W4 + c;
                score[i] = s;
                geo[i * 5] = t; geo[i * 5 + 1] = ri; geo[i * 5 + 2] = b; geo[i * 5 + 3] = l; geo[i * 5 + 4] = (float)box.Theta;
            }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(-0.35)]
    [InlineData(0.7)]
    public void SingleBoxIsRecovered(double theta)
    {
        var box = new RotatedBox(190, 95, 140, 36, theta);
        var score = new float[H4 * W4];
        var geo = new float[H4 * W4 * 5];
        Paint(score, geo, box, 0.93f);

        var boxes = DetectionPostprocessor.Decode(score, geo, H4, W4, ResizeRatios.Identity);
        var found = Assert.Single(boxes);
        RboxDecoderTests.AssertNear(QuadOrder.ClockwiseFromTopLeft(box.Quad), found.Quad, 1.0);
        Assert.Equal(0.93f, found.Score);
    }

    [Fact]
    public void TwoBoxesOnTheSameRowsAndRatiosMapBack()
    {
        var left = new RotatedBox(90, 90, 110, 30, 0.25);
        var right = new RotatedBox(290, 100, 120, 40, -0.2);
        var score = new float[H4 * W4];
        var geo = new float[H4 * W4 * 5];
        Paint(score, geo, left, 0.9f);
        Paint(score, geo, right, 0.85f);

        // Network input was the original resized by 0.5 in x and 0.8 in y.
        var boxes = DetectionPostprocessor.Decode(score, geo, H4, W4, new ResizeRatios(0.5, 0.8));
        Assert.Equal(2, boxes.Count);
        var l = boxes.Single(b => b.Quad.P0.X < 400);
        var r = boxes.Single(b => b.Quad.P0.X >= 400);
        RboxDecoderTests.AssertNear(QuadOrder.ClockwiseFromTopLeft(left.Quad.Scale(2, 1.25)), l.Quad, 2.0);
        RboxDecoderTests.AssertNear(QuadOrder.ClockwiseFromTopLeft(right.Quad.Scale(2, 1.25)), r.Quad, 2.0);
        Assert.Equal(0.9f, l.Score);
        Assert.Equal(0.85f, r.Score);
    }

    [Fact]
    public void ThresholdsApply()
    {
        var score = new float[H4 * W4];
        var geo = new float[H4 * W4 * 5];
        Paint(score, geo, new RotatedBox(190, 95, 140, 36, 0), 0.8f); // not above 0.8
        Assert.Empty(DetectionPostprocessor.Decode(score, geo, H4, W4, ResizeRatios.Identity));
        Assert.Single(DetectionPostprocessor.Decode(score, geo, H4, W4, ResizeRatios.Identity, new DetectionOptions { ScoreThreshold = 0.7f }));

        // One confident pixel claiming a big box: the mean over the box is far below 0.1 → dropped.
        var s2 = new float[H4 * W4];
        var g2 = new float[H4 * W4 * 5];
        s2[10 * W4 + 20] = 0.95f;
        g2[(10 * W4 + 20) * 5 + 0] = 20; g2[(10 * W4 + 20) * 5 + 1] = 60; g2[(10 * W4 + 20) * 5 + 2] = 20; g2[(10 * W4 + 20) * 5 + 3] = 40;
        Assert.Empty(DetectionPostprocessor.Decode(s2, g2, H4, W4, ResizeRatios.Identity));
        // Box (40,20)-(140,60) → footprint (10,5)-(35,15): 26 × 11 = 286 pixels.
        var kept = Assert.Single(DetectionPostprocessor.Decode(s2, g2, H4, W4, ResizeRatios.Identity, new DetectionOptions { BoxThreshold = 0.001f }));
        Assert.Equal(new Quad(40, 20, 140, 20, 140, 60, 40, 60), kept.Quad);
        Assert.Equal((float)(0.95f / 286.0), kept.Score);
    }
}
