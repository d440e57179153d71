using System.Globalization;
using System.Text.RegularExpressions;
using EastBake.Diagnostics;

namespace EastBake.Evaluation;

/// <summary>
/// Evaluates a folder of submission files (<c>res_img_N.txt</c>) against a folder of ground truth
/// (<c>gt_img_N.txt</c>). Every GT image counts; a missing result file means no detections; a
/// result file for an image without GT is an error (the official script rejects such submissions).
/// </summary>
public static partial class IcdarSetEvaluation
{
    [GeneratedRegex(@"^gt_img_(\d+)\.txt$", RegexOptions.CultureInvariant)]
    private static partial Regex GtName();

    [GeneratedRegex(@"^res_img_(\d+)\.txt$", RegexOptions.CultureInvariant)]
    private static partial Regex ResName();

    public static EvaluationReport Evaluate(string groundTruthDir, string resultsDir, IcdarEvaluator? evaluator = null)
    {
        evaluator ??= new IcdarEvaluator();
        if (!Directory.Exists(groundTruthDir))
            throw new EastBakeException(ErrorCodes.PathNotFound, "ground-truth folder not found", groundTruthDir);
        if (!Directory.Exists(resultsDir))
            throw new EastBakeException(ErrorCodes.PathNotFound, "results folder not found", resultsDir);

        var gtFiles = IdsOf(groundTruthDir, GtName());
        foreach (var (id, path) in IdsOf(resultsDir, ResName()))
            if (!gtFiles.ContainsKey(id))
                throw new EastBakeException(ErrorCodes.ResultMalformed, $"no ground truth for image {id} (gt_img_{id}.txt)", path);

        var images = new List<ImageEvaluation>(gtFiles.Count);
        var totals = default(EvaluationCounts);
        foreach (var (id, gtPath) in gtFiles)
        {
            var gt = GroundTruthParser.ParseFile(gtPath);
            var dets = ResultParser.ParseFile(Path.Combine(resultsDir, $"res_img_{id}.txt"));
            var r = evaluator.EvaluateImage(id, gt, dets);
            images.Add(r);
            totals += r.Counts;
        }
        return new EvaluationReport(images, totals);
    }

    private static SortedDictionary<int, string> IdsOf(string dir, Regex pattern)
    {
        var ids = new SortedDictionary<int, string>();
        foreach (var path in Directory.EnumerateFiles(dir))
        {
            var m = pattern.Match(Path.GetFileName(path));
            if (m.Success) ids[int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture)] = path;
        }
        return ids;
    }
}
