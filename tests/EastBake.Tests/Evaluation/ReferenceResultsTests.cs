using EastBake.Evaluation;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Evaluation;

/// <summary>The published counts of shared/README.md for two real submissions on the ICDAR 2015 test set.</summary>
public class ReferenceResultsTests
{
    [SharedFact("icdar2015/test_gt", "icdar2015/reference_results/giou_east")]
    public void GiouEastReproducesPublishedCounts()
    {
        var r = IcdarSetEvaluation.Evaluate(SharedData.Path_("icdar2015/test_gt"),
            SharedData.Path_("icdar2015/reference_results/giou_east"));
        Assert.Equal(500, r.Images.Count);
        Assert.Equal(new EvaluationCounts(2077, 1936, 1639), r.Totals);
        Assert.Equal(0.7891, Math.Round(r.Totals.Recall, 4));
        Assert.Equal(0.8466, Math.Round(r.Totals.Precision, 4));
        Assert.Equal(0.8168, Math.Round(r.Totals.Hmean, 4));
    }

    [SharedFact("icdar2015/test_gt", "icdar2015/reference_results/east_argman_fork")]
    public void ArgmanForkReproducesPublishedCounts()
    {
        var r = IcdarSetEvaluation.Evaluate(SharedData.Path_("icdar2015/test_gt"),
            SharedData.Path_("icdar2015/reference_results/east_argman_fork"));
        Assert.Equal(new EvaluationCounts(2077, 1898, 1603), r.Totals);
        Assert.Equal(0.7718, Math.Round(r.Totals.Recall, 4));
        Assert.Equal(0.8446, Math.Round(r.Totals.Precision, 4));
        Assert.Equal(0.8065, Math.Round(r.Totals.Hmean, 4));
    }

    [SharedFact("icdar2015/dev/gt/gt_img_901.txt")]
    public void DevGroundTruthWithBomParses()
    {
        // Every dev GT file starts with a UTF-8 BOM.
        var gt = GroundTruthParser.ParseFile(SharedData.Path_("icdar2015/dev/gt/gt_img_901.txt"));
        Assert.Equal(613, gt[0].Quad.P0.X);
        Assert.Equal("TOPMAN", gt[0].Transcription);
    }

    [SharedFact("icdar2015/test_gt/gt_img_415.txt")]
    public void TranscriptionWithCommaIsKept()
    {
        var gt = GroundTruthParser.ParseFile(SharedData.Path_("icdar2015/test_gt/gt_img_415.txt"));
        Assert.Contains(gt, g => g.Transcription == "$5,50" && g.Quad.P0.X == 226 && g.Quad.P3.Y == 439);
    }
}
