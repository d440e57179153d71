namespace EastBake.Runtime.Detection;

/// <summary>
/// EAST output → text boxes, as argman/EAST's <c>detect</c>: RBOX decode of pixels above the
/// score threshold → locality-aware NMS → box filter on the mean score inside each box → map
/// back to original pixels by the resize ratios → vertices clockwise from top-left. Boxes come in
/// descending NMS score order; a box's <see cref="TextBox.Score"/> is its mean map score.
/// </summary>
public static class DetectionPostprocessor
{
    [ThreadStatic] private static List<ScoredQuad>? t_candidates;

    /// <param name="scoreMap">[h4·w4] score of one image (NHWC with C = 1).</param>
    /// <param name="geometryMap">[h4·w4·5] (top, right, bottom, left, angle) of one image.</param>
    public static IReadOnlyList<TextBox> Decode(ReadOnlySpan<float> scoreMap, ReadOnlySpan<float> geometryMap,
        int h4, int w4, ResizeRatios ratios, DetectionOptions? options = null)
    {
        options ??= DetectionOptions.Default;
        var candidates = t_candidates ??= new List<ScoredQuad>(4096);
        candidates.Clear();
        RboxDecoder.Decode(scoreMap, geometryMap, h4, w4, options.ScoreThreshold, candidates);
        if (candidates.Count == 0) return [];

        var merged = LocalityAwareNms.Run(candidates, options.NmsThreshold, options.LanmsIntegerArithmetic);
        var kept = BoxScoreFilter.Apply(merged, scoreMap, h4, w4, options.BoxThreshold);

        var boxes = new TextBox[kept.Count];
        for (int i = 0; i < boxes.Length; i++)
        {
            // The reference scales its float32 box array in place: keep float32 rounding.
            var q = kept[i].Quad;
            var back = new Quad(
                (float)(q.P0.X / ratios.X), (float)(q.P0.Y / ratios.Y), (float)(q.P1.X / ratios.X), (float)(q.P1.Y / ratios.Y),
                (float)(q.P2.X / ratios.X), (float)(q.P2.Y / ratios.Y), (float)(q.P3.X / ratios.X), (float)(q.P3.Y / ratios.Y));
            boxes[i] = new TextBox(QuadOrder.ClockwiseFromTopLeft(back), kept[i].Score);
        }
        return boxes;
    }
}
