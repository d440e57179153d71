using EastBake.Evaluation;
using EastBake.Runtime.Detection;

namespace EastBake.Tests.Evaluation;

public class IcdarEvaluatorTests
{
    private static Quad Rect(double x0, double y0, double x1, double y1) => new(x0, y0, x1, y0, x1, y1, x0, y1);
    private static GroundTruthRegion Cared(Quad q) => new(q, "TEXT");
    private static GroundTruthRegion DontCare(Quad q) => new(q, "###");
    private static IcdarDetection Det(Quad q) => new(q);

    private static ImageEvaluation Eval(GroundTruthRegion[] gt, IcdarDetection[] dets) =>
        new IcdarEvaluator().EvaluateImage(1, gt, dets);

    [Fact]
    public void DetectionMostlyInsideDontCareIsRemoved()
    {
        var gt = new[] { Cared(Rect(0, 0, 10, 10)), DontCare(Rect(100, 0, 110, 10)) };
        var dets = new[]
        {
            Det(Rect(0, 0, 10, 10)),     // matches the cared GT
            Det(Rect(101, 0, 111, 10)),  // 90 % of its area inside the don't care → removed
            Det(Rect(105, 0, 115, 10)),  // exactly 50 % → kept (the rule is "more than 0.5"), unmatched
        };
        var r = Eval(gt, dets);
        Assert.Equal(new EvaluationCounts(1, 2, 1), r.Counts);
        Assert.Equal([1], r.DontCareDetections);
        Assert.Equal([1], r.DontCareGroundTruth);
        Assert.Equal(0.5, r.Precision);
        Assert.Equal(1.0, r.Recall);
    }

    [Fact]
    public void DontCareGroundTruthIsNeverMatched()
    {
        var r = Eval([DontCare(Rect(0, 0, 10, 10))], [Det(Rect(0, 0, 4, 10))]);
        Assert.Equal(new EvaluationCounts(0, 0, 0), r.Counts);
    }

    [Fact]
    public void MatchingIsOneToOne()
    {
        var r = Eval([Cared(Rect(0, 0, 10, 10))], [Det(Rect(0, 0, 10, 10)), Det(Rect(0, 0, 10, 10))]);
        Assert.Equal(new EvaluationCounts(1, 2, 1), r.Counts);
        Assert.Equal([(0, 0)], r.Pairs);

        // One detection over two overlapping GT: only the first GT (file order) gets it.
        var r2 = Eval([Cared(Rect(1, 0, 11, 10)), Cared(Rect(0, 0, 10, 10))], [Det(Rect(0, 0, 10, 10))]);
        Assert.Equal(new EvaluationCounts(2, 1, 1), r2.Counts);
        Assert.Equal([(0, 0)], r2.Pairs);
    }

    [Fact]
    public void FirstQualifyingDetectionWinsNotTheBest()
    {
        // GT 0 takes detection 0 (IoU 9/11) although detection 1 is exact; GT 1 then gets nothing from 1 (IoU 0).
        var r = Eval([Cared(Rect(0, 0, 10, 10)), Cared(Rect(50, 0, 60, 10))],
                     [Det(Rect(1, 0, 11, 10)), Det(Rect(0, 0, 10, 10))]);
        Assert.Equal([(0, 0)], r.Pairs);
        Assert.Equal(new EvaluationCounts(2, 2, 1), r.Counts);
    }

    [Fact]
    public void IouExactlyHalfDoesNotMatch()
    {
        // |A| = |B| = 3, A∩B = 2, union 4 → IoU = 0.5 exactly.
        var a = Rect(0, 0, 3, 1);
        var b = Rect(1, 0, 4, 1);
        Assert.Equal(0.5, QuadOverlap.IoU(a, b));
        Assert.Equal(0, Eval([Cared(a)], [Det(b)]).Counts.Matches);
        // A hair more overlap matches.
        Assert.Equal(1, Eval([Cared(a)], [Det(Rect(0.99, 0, 4, 1))]).Counts.Matches);
    }

    [Fact]
    public void EmptyImagesFollowTheOfficialPerSampleRules()
    {
        var none = Eval([], []);
        Assert.Equal(new EvaluationCounts(0, 0, 0), none.Counts);
        Assert.Equal((1.0, 1.0, 1.0), (none.Precision, none.Recall, none.Hmean));

        var onlyDets = Eval([], [Det(Rect(0, 0, 5, 5))]);
        Assert.Equal(new EvaluationCounts(0, 1, 0), onlyDets.Counts);
        Assert.Equal((0.0, 1.0, 0.0), (onlyDets.Precision, onlyDets.Recall, onlyDets.Hmean));

        var onlyGt = Eval([Cared(Rect(0, 0, 5, 5))], []);
        Assert.Equal((0.0, 0.0, 0.0), (onlyGt.Precision, onlyGt.Recall, onlyGt.Hmean));
    }

    [Fact]
    public void TotalsAreSummedCounts()
    {
        var t = new EvaluationCounts(3, 4, 2) + new EvaluationCounts(1, 0, 1);
        Assert.Equal(new EvaluationCounts(4, 4, 3), t);
        Assert.Equal(0.75, t.Recall);
        Assert.Equal(0.75, t.Precision);
        Assert.Equal(0.75, t.Hmean);
        Assert.Equal(0, default(EvaluationCounts).Hmean);
    }
}
