using EastBake.Compiler.Util;
using System.Diagnostics;
using EastBake.Evaluation;
using EastBake.Runtime.Detection;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;

namespace EastBake.Tests.Detection;

/// <summary>Runs only when EASTBAKE_BENCH=1 (it prints timings; it asserts nothing about speed).</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("EASTBAKE_BENCH") != "1") Skip = "benchmark: set EASTBAKE_BENCH=1 and run in Release";
    }
}

/// <summary>
/// Post-processing speed on one core, for a 1280×720 image fed at 704×1280 (maps 176×320):
/// <c>EASTBAKE_BENCH=1 dotnet test tests/EastBake.Tests -c Release --filter FullyQualifiedName~PostprocessBenchmark --logger "console;verbosity=detailed"</c>
/// </summary>
public class PostprocessBenchmark(ITestOutputHelper output)
{
    private const int H4 = 176, W4 = 320;

    [BenchmarkFact]
    public void SyntheticTwoThousandPixels()
    {
        // 24 text lines of ~84 above-threshold pixels each (≈2,000), with jittered geometry so merges do real work.
        var rng = new Random(1);
        var score = new float[H4 * W4];
        var geo = new float[H4 * W4 * 5];
        for (int n = 0; n < 24; n++)
        {
            var box = new RotatedBox(80 + 150 * (n % 8), 90 + 220 * (n / 8), 110, 22, rng.NextDouble() * 0.6 - 0.3);
            for (int r = 0; r < H4; r++)
                for (int c = 0; c < W4; c++)
                {
                    if (!box.Contains(4 * c, 4 * r, margin: -3)) continue;
                    var (t, ri, b, l) = box.Distances(4 * c + rng.NextDouble(), 4 * r + rng.NextDouble());
                    int i = r * W4 + c;
                    score[i] = 0.85f + 0.1f * (float)rng.NextDouble();
                    geo[i * 5] = t; geo[i * 5 + 1] = ri; geo[i * 5 + 2] = b; geo[i * 5 + 3] = l; geo[i * 5 + 4] = (float)box.Theta;
                }
        }
        Measure("synthetic", score, geo);
    }

    [BenchmarkFact]
    public void ReferenceOutputsOfTheDevImages()
    {
        if (!SharedData.Has("models/east_r50_ic15_refs/img_901_score.npy")) { output.WriteLine("no shared refs"); return; }
        var total = default(EvaluationCounts);
        foreach (var id in new[] { 901, 950, 1000 })
        {
            var score = Npy.Read(SharedData.Path_($"models/east_r50_ic15_refs/img_{id}_score.npy")).Floats!;
            var geo = Npy.Read(SharedData.Path_($"models/east_r50_ic15_refs/img_{id}_geometry.npy")).Floats!;
            var boxes = Measure($"img_{id}", score, geo);

            // Sanity only (no known per-image answer): score these boxes as eval.py would write them.
            var text = IcdarResultWriter.Format(boxes.Select(b => b.Quad));
            var dets = ResultParser.ParseText(text, $"res_img_{id}.txt");
            var gt = GroundTruthParser.ParseFile(SharedData.Path_($"icdar2015/dev/gt/gt_img_{id}.txt"));
            var r = new IcdarEvaluator().EvaluateImage(id, gt, dets);
            total += r.Counts;
            output.WriteLine($"  img_{id}: {boxes.Count} boxes, {r.Counts}");
        }
        output.WriteLine($"  3 images: {total}");
    }

    private IReadOnlyList<TextBox> Measure(string name, float[] score, float[] geo)
    {
        int above = score.Count(s => s > 0.8f);
        var ratios = new ResizeRatios(1.0, 704.0 / 720);
        IReadOnlyList<TextBox> boxes = [];
        for (int i = 0; i < 50; i++) boxes = DetectionPostprocessor.Decode(score, geo, H4, W4, ratios); // warm-up

        const int runs = 300;
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            boxes = DetectionPostprocessor.Decode(score, geo, H4, W4, ratios);
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Array.Sort(times);
        output.WriteLine($"{name}: {above} pixels > 0.8 → {boxes.Count} boxes; median {times[runs / 2]:0.000} ms, p90 {times[runs * 9 / 10]:0.000} ms, min {times[0]:0.000} ms");
        return boxes;
    }
}
