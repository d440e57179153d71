using EastBake.Runtime.Detection;

namespace EastBake.Evaluation;

/// <summary>
/// ICDAR 2015 Task 4.1 (incidental scene text localisation) scoring of one image, in the order
/// and with the comparisons of the official RRC script:
/// 1. a detection whose intersection with any don't-care GT exceeds 0.5 of its own area is
///    set aside (checked only when the image has don't-care GT; zero-area detections never are);
/// 2. for each GT in file order, for each detection in file order, when both are unmatched and
///    cared and IoU &gt; 0.5 (strictly), they match.
/// </summary>
public sealed class IcdarEvaluator
{
    public double IouThreshold { get; init; } = 0.5;
    public double DontCareAreaThreshold { get; init; } = 0.5;

    public ImageEvaluation EvaluateImage(int imageId, IReadOnlyList<GroundTruthRegion> gt, IReadOnlyList<IcdarDetection> dets)
    {
        var gtDontCare = new List<int>();
        for (int i = 0; i < gt.Count; i++)
            if (gt[i].IsDontCare) gtDontCare.Add(i);

        var detDontCare = new List<int>();
        if (gtDontCare.Count > 0)
        {
            for (int j = 0; j < dets.Count; j++)
            {
                double area = dets[j].Quad.Area;
                if (area == 0) continue;
                foreach (int i in gtDontCare)
                {
                    if (QuadOverlap.IntersectionArea(gt[i].Quad, dets[j].Quad) / area > DontCareAreaThreshold)
                    {
                        detDontCare.Add(j);
                        break;
                    }
                }
            }
        }

        var pairs = Match(gt, dets, gtDontCare, detDontCare);
        var counts = new EvaluationCounts(gt.Count - gtDontCare.Count, dets.Count - detDontCare.Count, pairs.Count);
        return new ImageEvaluation(imageId, counts, pairs, gtDontCare, detDontCare);
    }

    private List<(int Gt, int Det)> Match(IReadOnlyList<GroundTruthRegion> gt, IReadOnlyList<IcdarDetection> dets,
        List<int> gtDontCare, List<int> detDontCare)
    {
        var pairs = new List<(int, int)>();
        var gtSkip = new bool[gt.Count];
        var detSkip = new bool[dets.Count];
        foreach (int i in gtDontCare) gtSkip[i] = true;
        foreach (int j in detDontCare) detSkip[j] = true;

        for (int i = 0; i < gt.Count; i++)
        {
            if (gtSkip[i]) continue;
            for (int j = 0; j < dets.Count; j++)
            {
                if (detSkip[j]) continue;
                if (QuadOverlap.IoU(gt[i].Quad, dets[j].Quad) > IouThreshold)
                {
                    pairs.Add((i, j));
                    gtSkip[i] = detSkip[j] = true; // each side matches at most once
                    break;
                }
            }
        }
        return pairs;
    }
}
