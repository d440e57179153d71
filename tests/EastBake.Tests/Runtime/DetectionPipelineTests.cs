using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.Runtime;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Runtime.Plans;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using EastBake.Tests.TestSupport;
using Xunit;

namespace EastBake.Tests.Runtime;

/// <summary>The overlapped multi-image path must give exactly what one-at-a-time detection gives.</summary>
public sealed class DetectionPipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eb-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string BakeW8()
    {
        var model = SharedData.Repo("testassets/models/east_r50_w8.pb");
        var plan = Path.Combine(_dir, "w8.eastplan");
        new Baker().Bake(new BakeOptions { ModelPath = model, OutputPath = plan, Profile = ShapeProfile.Fixed(64, 96), Backends = ["Onnx"] });
        return plan;
    }

    private string WriteImage(int index, int height, int width)
    {
        var rnd = new Random(index);
        using var img = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                img[x, y] = new Rgb24((byte)rnd.Next(256), (byte)((x * 7 + index) & 255), (byte)((y * 5) & 255));
        var path = Path.Combine(_dir, $"img_{index}.png");
        img.SaveAsPng(path);
        return path;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void DetectMany_matches_sequential_Detect_in_order(int depth)
    {
        var plan = BakeW8();
        // A permissive score threshold so that random weights still give boxes to compare.
        using var detector = EastDetector.Load(plan, o =>
        {
            o.UseOnnxRuntime();
            o.Detection = o.Detection with { ScoreThreshold = 0.3f };
        });
        var paths = Enumerable.Range(0, 7).Select(i => WriteImage(i, 60 + 10 * i, 90 + 5 * i)).ToList();
        paths.Insert(3, Path.Combine(_dir, "missing.png"));

        var expected = paths.Select(p => File.Exists(p) ? detector.Detect(p) : null).ToList();
        var results = detector.DetectMany(paths, depth).ToList();

        Assert.Equal(paths, results.Select(r => r.ImagePath));
        Assert.True(expected.Any(e => e is { Count: > 0 }), "no image produced boxes: the comparison would be vacuous");
        for (int i = 0; i < paths.Count; i++)
        {
            if (expected[i] is null)
            {
                Assert.False(results[i].Succeeded);
                Assert.NotNull(results[i].Error!.Code);
                continue;
            }
            Assert.True(results[i].Succeeded, results[i].Error?.Message);
            var got = results[i].Result!.Boxes;
            Assert.Equal(expected[i]!.Count, got.Count);
            for (int b = 0; b < got.Count; b++) Assert.Equal(expected[i]![b], got[b]);
        }
    }

    [Fact]
    public void Depth_below_one_is_a_coded_error()
    {
        using var detector = EastDetector.Load(BakeW8(), o => o.UseOnnxRuntime());
        var e = Assert.Throws<EastBakeException>(() => detector.DetectMany(["x.png"], depth: 0).ToList());
        Assert.Equal(ErrorCodes.BadArgument, e.Code);
    }
}
