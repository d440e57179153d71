using EastBake.Diagnostics;
using EastBake.Evaluation;
using EastBake.Runtime.Detection;

namespace EastBake.Tests.Evaluation;

public sealed class IcdarFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eb-icdar-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void GroundTruthHandlesBomCrlfCommasQuotesAndDontCare()
    {
        var text = "\uFEFF1,2,3,4,5,6,7,8,Hello\r\n\r\n10,20,30,20,30,40,10,40,$5,50\r\n -1 , 0,2,0,2,2,0,2,###\n0,0,1,0,1,1,0,1,\"say \\\"hi\\\"\"\n";
        var gt = GroundTruthParser.ParseText(text, "gt_img_7.txt");
        Assert.Equal(4, gt.Count);
        Assert.Equal(new Quad(1, 2, 3, 4, 5, 6, 7, 8), gt[0].Quad);
        Assert.Equal("Hello", gt[0].Transcription);
        Assert.Equal("$5,50", gt[1].Transcription);
        Assert.Equal(-1, gt[2].Quad.P0.X);
        Assert.True(gt[2].IsDontCare);
        Assert.False(gt[1].IsDontCare);
        Assert.Equal("say \"hi\"", gt[3].Transcription);
    }

    [Fact]
    public void MalformedGroundTruthReportsFileAndLine()
    {
        var ex = Assert.Throws<EastBakeException>(() =>
            GroundTruthParser.ParseText("\uFEFF1,2,3,4,5,6,7,8,ok\r\n\r\n1,2,3,4,5,6,7.5,8,bad\r\n", "gt_img_3.txt"));
        Assert.Equal(ErrorCodes.GroundTruthMalformed, ex.Code);
        Assert.Equal("gt_img_3.txt", ex.File);
        Assert.Equal(3, ex.Line);
        Assert.StartsWith("gt_img_3.txt(3): error EB6002", ex.Format());

        // Eight numbers but no transcription field at all.
        Assert.Equal(1, Assert.Throws<EastBakeException>(() => GroundTruthParser.ParseText("1,2,3,4,5,6,7,8", "g")).Line);
    }

    [Fact]
    public void ResultsParseWithOptionalScoreAndReportBadLines()
    {
        var dets = ResultParser.ParseText("1,2,3,4,5,6,7,8\n9,10,11,12,13,14,15,16,0.75\r\n", "res_img_1.txt");
        Assert.Equal(2, dets.Count);
        Assert.Null(dets[0].Score);
        Assert.Equal(0.75, dets[1].Score);
        Assert.Equal(16, dets[1].Quad.P3.Y);

        var ex = Assert.Throws<EastBakeException>(() => ResultParser.ParseText("1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7\n", "res_img_9.txt"));
        Assert.Equal(ErrorCodes.ResultMalformed, ex.Code);
        Assert.Equal(("res_img_9.txt", 2), (ex.File, ex.Line));
    }

    [Fact]
    public void MissingResultFileMeansNoDetections()
    {
        Assert.Empty(ResultParser.ParseFile(Path.Combine(_dir, "res_img_404.txt")));
    }

    [Fact]
    public void FolderEvaluationCountsEveryGroundTruthImage()
    {
        var gt = Directory.CreateDirectory(Path.Combine(_dir, "gt")).FullName;
        var res = Directory.CreateDirectory(Path.Combine(_dir, "res")).FullName;
        File.WriteAllText(Path.Combine(gt, "gt_img_1.txt"), "\uFEFF0,0,10,0,10,10,0,10,A\r\n20,0,30,0,30,10,20,10,###\r\n");
        File.WriteAllText(Path.Combine(gt, "gt_img_2.txt"), "0,0,10,0,10,10,0,10,B\n");
        File.WriteAllText(Path.Combine(gt, "gt_img_10.txt"), "");
        File.WriteAllText(Path.Combine(res, "res_img_1.txt"), "0,0,10,0,10,10,0,10\n21,0,31,0,31,10,21,10\n50,50,60,50,60,60,50,60\n");
        File.WriteAllText(Path.Combine(res, "res_img_10.txt"), "");
        // no res_img_2.txt: no detections

        var r = IcdarSetEvaluation.Evaluate(gt, res);
        Assert.Equal([1, 2, 10], r.Images.Select(i => i.ImageId));
        Assert.Equal(new EvaluationCounts(1, 2, 1), r.Images[0].Counts);
        Assert.Equal(new EvaluationCounts(1, 0, 0), r.Images[1].Counts);
        Assert.Equal(new EvaluationCounts(2, 2, 1), r.Totals);

        File.WriteAllText(Path.Combine(res, "res_img_3.txt"), "");
        Assert.Equal(ErrorCodes.ResultMalformed, Assert.Throws<EastBakeException>(() => IcdarSetEvaluation.Evaluate(gt, res)).Code);
    }

    [Fact]
    public void WriterTruncatesUsesCrlfAndDropsTinyBoxes()
    {
        Quad[] boxes =
        [
            new(10.9, 20.2, 50.7, 20.9, 50.1, 40.99, 10.5, 40.0),
            new(0, 0, 4.9, 0, 4.9, 30, 0, 30),   // first side 4 px after truncation → dropped
            new(0, 0, 30, 0, 30, 4, 0, 4),       // last side 4 px → dropped
        ];
        Assert.Equal("10,20,50,20,50,40,10,40\r\n", IcdarResultWriter.Format(boxes));

        var path = IcdarResultWriter.Write(_dir, 42, boxes);
        Assert.Equal("res_img_42.txt", Path.GetFileName(path));
        var back = ResultParser.ParseFile(path);
        Assert.Equal(new Quad(10, 20, 50, 20, 50, 40, 10, 40), Assert.Single(back).Quad);
    }
}
