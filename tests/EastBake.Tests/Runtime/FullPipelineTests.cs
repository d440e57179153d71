using System.Globalization;
using System.Text.RegularExpressions;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;
using EastBake.Runtime;
using EastBake.Runtime.Detection;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Tests.Reliability;
using EastBake.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace EastBake.Tests.Runtime;

/// <summary>
/// Issue 9: the whole runtime path, image file → EastDetector (ONNX Runtime CPU, plan baked from
/// the generated EAST model) → boxes, checked against the same pre- and post-processing applied to
/// the score and geometry maps of the independent float64 reference interpreter run on the
/// unoptimized imported graph; and `east-bake eval` over the real ICDAR dev images.
/// </summary>
public sealed class FullPipelineTests(ITestOutputHelper output) : ReliabilityTestBase
{
    private const string DevImages = "icdar2015/dev/images";
    private const string DevGt = "icdar2015/dev/gt";

    private string GeneratedJpeg(int seed, int width, int height)
    {
        var rnd = new Random(seed);
        using var img = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                img[x, y] = new Rgb24((byte)rnd.Next(256), (byte)((x * 5 + seed) & 255), (byte)((y * 3) & 255));
        var p = PathIn($"gen_{seed}.jpg");
        img.SaveAsJpeg(p, new JpegEncoder { Quality = 92 });
        return p;
    }

    /// <summary>The reference interpreter's score and geometry maps for the image, through the same pre-processing.</summary>
    private static (float[] Score, float[] Geometry, ResizeRatios Ratios) ReferenceMaps(Graph graph, string image, int height, int width, bool subtractMeans)
    {
        using var img = ImageLoader.Load(image);
        var input = new float[height * width * 3];
        var pre = new Preprocessor(new PreprocessorOptions { FixedSize = (height, width), SubtractMeans = subtractMeans }).Run(img, input);
        var maps = ReferenceInterpreter.Run(graph, new Dictionary<string, Tensor>
        {
            [graph.Inputs[0].Name] = Tensor.FromFloats([1, height, width, 3], input),
        });
        var score = maps["feature_fusion/Conv_7/Sigmoid"];
        var geometry = maps["feature_fusion/concat_3"];
        Assert.Equal([1L, height / 4, width / 4, 1], score.Shape);
        Assert.Equal([1L, height / 4, width / 4, 5], geometry.Shape);
        return (score.Floats!, geometry.Floats!, pre.Ratios);
    }

    /// <summary>
    /// The generated model (random weights) on generated images, plus real dev images when
    /// present. Random weights give near-uniform scores, so the score threshold is set per image
    /// to the reference map's 80th percentile; their geometry is large, so boxes reach far outside
    /// the image and vertices are compared relative to their magnitude.
    /// </summary>
    [Fact]
    public void Image_file_to_boxes_matches_the_reference_interpreter()
    {
        var images = new List<string> { GeneratedJpeg(1, 300, 200), GeneratedJpeg(2, 97, 131) };
        if (SharedData.Has(DevImages)) images.AddRange(ImageFolder.List(SharedData.Path_(DevImages)).Take(3));
        else output.WriteLine("../shared is absent: generated images only");
        var boxes = CompareWithReference(W8Model, BakeW8("w8.eastplan", 128, 160), images, 128, 160, percentileThreshold: true);
        Assert.True(boxes >= images.Count, $"only {boxes} boxes over {images.Count} images: the comparison would be vacuous");
    }

    /// <summary>The trained EAST ResNet-50 on real dev images at 256x448, default thresholds: real text boxes.</summary>
    [SharedFact(TrainedModel, DevImages)]
    public void Trained_model_image_file_to_boxes_matches_the_reference_interpreter()
    {
        var model = SharedData.Path_(TrainedModel);
        var plan = PathIn("trained.eastplan");
        new EastBake.Baking.Pipeline.Baker().Bake(new EastBake.Baking.Pipeline.BakeOptions
        {
            ModelPath = model, OutputPath = plan, Profile = EastBake.Runtime.Plans.ShapeProfile.Fixed(256, 448), Backends = ["Onnx"],
        });
        var images = ImageFolder.List(SharedData.Path_(DevImages)).Take(2).ToList();
        var boxes = CompareWithReference(model, plan, images, 256, 448, percentileThreshold: false);
        Assert.True(boxes >= 2, $"only {boxes} text boxes in {images.Count} real images");
    }

    private const string TrainedModel = "models/east_r50_ic15.pb";

    private int CompareWithReference(string model, string plan, IReadOnlyList<string> images, int h, int w, bool percentileThreshold)
    {
        var graph = ModelLoader.Load(model); // unoptimized, as imported
        var inGraphMeans = EastBake.Runtime.Plans.PlanReader.Read(plan).InGraphMeanSubtraction;
        var boxes = 0;
        foreach (var image in images)
        {
            var (score, geometry, ratios) = ReferenceMaps(graph, image, h, w, subtractMeans: !inGraphMeans);
            var options = percentileThreshold
                ? DetectionOptions.Default with { ScoreThreshold = score.Order().ElementAt(score.Length * 4 / 5) }
                : DetectionOptions.Default;
            var expected = DetectionPostprocessor.Decode(score, geometry, h / 4, w / 4, ratios, options);

            using var detector = EastDetector.Load(plan, o =>
            {
                o.UseOnnxRuntime();
                o.Detection = options;
            });
            Assert.Equal("onnxruntime:cpu", detector.BackendDescription);
            var r = detector.DetectWithTimings(image);
            Assert.Equal((h, w), (r.InputHeight, r.InputWidth));
            Assert.True(r.PreprocessMs > 0 && r.InferenceMs > 0 && r.PostprocessMs > 0,
                $"timings not populated: {r.PreprocessMs} / {r.InferenceMs} / {r.PostprocessMs}");
            output.WriteLine($"{Path.GetFileName(image)}: threshold {options.ScoreThreshold:F4}, {r.Boxes.Count} box(es), reference {expected.Count}; " +
                             $"{r.PreprocessMs:F1} / {r.InferenceMs:F1} / {r.PostprocessMs:F2} ms; first {(r.Boxes.Count > 0 ? r.Boxes[0] : "none")}");
            Assert.Equal(expected.Count, r.Boxes.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                var (a, b) = (r.Boxes[i], expected[i]);
                Assert.True(Math.Abs(a.Score - b.Score) < 1e-3, $"{image} box {i}: score {a.Score} vs {b.Score}");
                var pa = new[] { a.Quad.P0, a.Quad.P1, a.Quad.P2, a.Quad.P3 };
                var pb = new[] { b.Quad.P0, b.Quad.P1, b.Quad.P2, b.Quad.P3 };
                static bool Close(double x, double y) => Math.Abs(x - y) <= 0.5 + 1e-3 * Math.Abs(y);
                for (var k = 0; k < 4; k++)
                    Assert.True(Close(pa[k].X, pb[k].X) && Close(pa[k].Y, pb[k].Y), $"{image} box {i} vertex {k}: {pa[k]} vs {pb[k]}");
            }
            boxes += expected.Count;
        }
        return boxes;
    }

    /// <summary>
    /// `east-bake eval` of the bundled w8 model (random weights) over the 100 dev images: the run
    /// completes, counts every image, and its cared-GT count equals the one counted here from the
    /// GT files (lines whose transcription is not ###).
    /// </summary>
    [SharedFact(DevImages, DevGt)]
    public void Eval_over_the_real_dev_images_counts_every_image_and_ground_truth_box()
    {
        var plan = BakeW8("w8_dev.eastplan", 352, 640);
        var gt = SharedData.Path_(DevGt);
        var caredGt = Directory.GetFiles(gt, "gt_img_*.txt").Sum(f => File.ReadAllLines(f)
            .Select(l => l.TrimStart('\uFEFF').Trim()).Count(l => l.Length > 0 && !l.EndsWith(",###", StringComparison.Ordinal)));
        var r = ToolProcess.Run(["eval", plan, "--images", SharedData.Path_(DevImages), "--gt", gt, "--out", PathIn("dev_results")], 600);
        output.WriteLine(r.StdOut + r.StdErr);
        Assert.Equal(0, r.ExitCode);
        var row = EvalTable.Row(r.StdOut);
        Assert.Equal(100, row.Images);
        Assert.Equal(caredGt, row.CaredGt);
        Assert.Equal(100, Directory.GetFiles(PathIn("dev_results"), "res_img_*.txt").Length);
        Assert.InRange(row.Precision, 0, 1);
        Assert.Matches(@"\d+\.\d / \d+\.\d / \d+\.\d+ \(onnxruntime:cpu\)", r.StdOut);
    }
}

/// <summary>Reads the plain summary line `east-bake eval` prints after its table.</summary>
public static class EvalTable
{
    public sealed record Values(int Images, int CaredGt, int CaredDet, int Matches, double Precision, double Recall, double Hmean);

    public static Values Row(string stdout)
    {
        var m = Regex.Match(stdout, @"images (\d+), cared GT (\d+), cared detections (\d+), matches (\d+): precision ([\d.]+), recall ([\d.]+), Hmean ([\d.]+)");
        Assert.True(m.Success, "no summary line in: " + stdout);
        int I(int g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        double D(int g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        return new Values(I(1), I(2), I(3), I(4), D(5), D(6), D(7));
    }
}
