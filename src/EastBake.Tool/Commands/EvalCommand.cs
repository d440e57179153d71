using System.CommandLine;
using System.Globalization;
using EastBake.Diagnostics;
using EastBake.Evaluation;
using EastBake.Runtime.Detection;
using Spectre.Console;

namespace EastBake.Tool.Commands;

/// <summary>
/// <c>east-bake eval &lt;model|plan&gt; --images dir --gt dir</c> (detect, then score) or
/// <c>east-bake eval --results dir --gt dir</c> (score any detector's res_img_N.txt files).
/// ICDAR 2015 Task 4.1 protocol.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Argument<string?>("model") { Description = "An .eastplan or a model (omit with --results)", Arity = ArgumentArity.ZeroOrOne };
        var images = new Option<string?>("--images") { Description = "Image folder" };
        var gt = new Option<string>("--gt") { Description = "Ground-truth folder (gt_img_N.txt)", Required = true };
        var results = new Option<string?>("--results") { Description = "Score an existing folder of res_img_N.txt instead of detecting" };
        var output = new Option<string?>("--out") { Description = "Where detection results go (default: a temp folder)" };
        var backend = BackendChoice.BackendOption();
        var device = BackendChoice.DeviceOption();
        var shape = new Option<string>("--input-shape") { DefaultValueFactory = _ => "min:1x32x32;opt:1x704x1280;max:1x2400x2400" };
        var cmd = new Command("eval", "Evaluate detections against ICDAR 2015 ground truth (Task 4.1 protocol)") { model, images, gt, results, output, backend, device, shape };
        cmd.SetAction(r => CommandRunner.Run(() =>
        {
            var gtDir = r.GetValue(gt)!;
            if (!Directory.Exists(gtDir)) throw new EastBakeException(ErrorCodes.PathNotFound, "ground-truth folder not found", gtDir);
            var resultsDir = r.GetValue(results);
            var timing = "";
            var imageCount = 0;
            if (resultsDir is null)
            {
                var m = r.GetValue(model) ?? throw new EastBakeException(ErrorCodes.BadArgument, "give a model or plan, or --results");
                var imgDir = r.GetValue(images) ?? throw new EastBakeException(ErrorCodes.BadArgument, "--images is required with a model");
                resultsDir = Directory.CreateDirectory(r.GetValue(output) ?? Path.Combine(Path.GetTempPath(), $"east-eval-{Guid.NewGuid():N}")).FullName;
                (imageCount, timing) = Detect(m, imgDir, resultsDir, BackendChoice.Parse(r.GetValue(backend)!, r.GetValue(device)!), r.GetValue(shape)!);
            }
            else if (!Directory.Exists(resultsDir)) throw new EastBakeException(ErrorCodes.PathNotFound, "results folder not found", resultsDir);
            var report = IcdarSetEvaluation.Evaluate(gtDir, resultsDir);
            var t = report.Totals;
            var table = new Table().AddColumns("images", "cared GT", "cared det", "matches", "precision", "recall", "Hmean");
            if (timing.Length > 0) table.AddColumn("mean ms (pre / infer / post)");
            var row = new List<string>
            {
                (imageCount > 0 ? imageCount : report.Images.Count).ToString(CultureInfo.InvariantCulture),
                t.CaredGroundTruth.ToString(CultureInfo.InvariantCulture), t.CaredDetections.ToString(CultureInfo.InvariantCulture),
                t.Matches.ToString(CultureInfo.InvariantCulture), F(t.Precision), F(t.Recall), F(t.Hmean),
            };
            if (timing.Length > 0) row.Add(timing);
            table.AddRow(row.ToArray());
            AnsiConsole.Write(table);
            // The same numbers on one plain line, for logs and scripts (the table wraps in narrow consoles).
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"images {row[0]}, cared GT {t.CaredGroundTruth}, cared detections {t.CaredDetections}, matches {t.Matches}: " +
                $"precision {F(t.Precision)}, recall {F(t.Recall)}, Hmean {F(t.Hmean)}") +
                (timing.Length > 0 ? $"; mean ms pre / infer / post {timing}" : ""));
            return 0;
        }));
        return cmd;
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    private static (int Count, string Timing) Detect(string model, string imageDir, string outDir, BackendChoice backend, string shape)
    {
        using var detector = PlanSource.OpenDetector(model, backend, shape);
        var files = PlanSource.Images(imageDir);
        double pre = 0, infer = 0, post = 0;
        int n = 0, skipped = 0;
        AnsiConsole.Progress().AutoClear(true).Start(ctx =>
        {
            var task = ctx.AddTask("detect", maxValue: files.Count);
            foreach (var file in files)
            {
                try
                {
                    var res = detector.DetectWithTimings(file);
                    var id = PlanSource.ImageId(file)
                             ?? throw new EastBakeException(ErrorCodes.BadArgument, "image names must end in a number (img_N) to match gt_img_N.txt", file);
                    IcdarResultWriter.Write(outDir, id, res.Boxes.Select(b => b.Quad));
                    pre += res.PreprocessMs; infer += res.InferenceMs; post += res.PostprocessMs;
                    n++;
                }
                catch (EastBakeException e) when (ImageLoader.IsSkippable(e))
                {
                    Console.Error.WriteLine(e.Format("warning"));
                    skipped++;
                }
                task.Increment(1);
            }
        });
        if (skipped > 0) Console.Error.WriteLine($"{skipped} unreadable image(s) skipped");
        var d = Math.Max(n, 1);
        return (n, string.Create(CultureInfo.InvariantCulture, $"{pre / d:F1} / {infer / d:F1} / {post / d:F2} ({detector.BackendDescription})"));
    }
}
