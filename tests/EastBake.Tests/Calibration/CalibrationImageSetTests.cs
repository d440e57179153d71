using EastBake.Baking.Calibration;
using EastBake.Diagnostics;
using EastBake.Runtime.Detection;

namespace EastBake.Tests.Calibration;

public class CalibrationImageSetTests
{
    [Fact]
    public void MissingOrUnsetFolderIsEB3001()
    {
        var e = Assert.Throws<EastBakeException>(() => CalibrationImageSet.Open("/no/such/folder", 500, "m.pb"));
        Assert.Equal(ErrorCodes.CalibrationFolderMissing, e.Code);
        Assert.Equal("/no/such/folder", e.File);
        e = Assert.Throws<EastBakeException>(() => CalibrationImageSet.Open(null, 500, "m.pb"));
        Assert.Equal(ErrorCodes.CalibrationFolderMissing, e.Code);
        Assert.Equal("m.pb", e.File);
    }

    [Fact]
    public void FolderWithoutImagesIsEB3002AndBadLimitEB3025()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp["readme.txt"], "not an image");
        Directory.CreateDirectory(tmp["empty"]);
        var e = Assert.Throws<EastBakeException>(() => CalibrationImageSet.Open(tmp.Path, 500));
        Assert.Equal(ErrorCodes.CalibrationFolderEmpty, e.Code);
        Assert.Equal(tmp.Path, e.File);
        Assert.Equal(ErrorCodes.CalibrationBadLimit, Assert.Throws<EastBakeException>(() => CalibrationImageSet.Open(tmp.Path, 0)).Code);
    }

    [Fact]
    public void OrderIsOrdinalByRelativePathRecursiveAndLimited()
    {
        using var tmp = new TempFolder();
        foreach (var f in new[] { "b.jpg", "a/z.PNG", "A.bmp", "a.jpeg", "c.gif", "sub/deeper/x.jpg", "notes.txt" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(tmp[f])!);
            File.WriteAllBytes(tmp[f], [1, 2, 3]);
        }
        var set = CalibrationImageSet.Open(tmp.Path, 500);
        Assert.Equal(["A.bmp", "a.jpeg", "a/z.PNG", "b.jpg", "sub/deeper/x.jpg"], set.RelativePaths);
        var limited = CalibrationImageSet.Open(tmp.Path, 2);
        Assert.Equal(["A.bmp", "a.jpeg"], limited.RelativePaths);
        Assert.Equal(5, limited.Available);
    }

    [Fact]
    public void HashFollowsTheSelectedImagesBytes()
    {
        using var tmp = new TempFolder();
        CalibrationImages.Folder(tmp.Path, 4, 1);
        var h1 = CalibrationImageSet.Open(tmp.Path, 500).ComputeHash();
        Assert.Equal(h1, CalibrationImageSet.Open(tmp.Path, 500).ComputeHash());
        Assert.NotEqual(h1, CalibrationImageSet.Open(tmp.Path, 3).ComputeHash());
        var set = CalibrationImageSet.Open(tmp.Path, 500);
        var bytes = File.ReadAllBytes(set.FullPath(2));
        bytes[^3] ^= 0x55;
        File.WriteAllBytes(set.FullPath(2), bytes);
        Assert.NotEqual(h1, CalibrationImageSet.Open(tmp.Path, 500).ComputeHash());
    }

    /// <summary>Stands in for the network: hands over the input itself as the one tensor.</summary>
    private sealed class InputEcho : IActivationSource
    {
        public IReadOnlyList<string> Tensors { get; } = ["input"];
        public string Description => "echo";
        public int Runs { get; private set; }
        public void Run(float[] nhwc, int height, int width, TensorSink sink)
        {
            Runs++;
            sink(0, nhwc);
        }
        public void Dispose() { }
    }

    [Fact]
    public void UnreadableImagesAreWarnedSkippedAndCountedFewImagesWarn()
    {
        using var tmp = new TempFolder();
        CalibrationImages.Folder(tmp.Path, 5, 2);
        File.WriteAllBytes(tmp["broken.jpg"], [0xff, 0xd8, 0xff, 0x00, 0x12]);
        File.WriteAllText(tmp["text.png"], "not a png");
        var set = CalibrationImageSet.Open(tmp.Path, 500);
        var log = new RecordingLog();
        var source = new InputEcho();
        var stats = ActivationStatistics.Collect(source, set, new Preprocessor(new PreprocessorOptions { FixedSize = (32, 64) }), 32, 64, log);
        Assert.Equal(5, stats.Images);
        Assert.Equal(2, stats.Skipped);
        Assert.Equal(5, source.Runs);
        var unreadable = log.Warnings.Where(w => w.Code == ErrorCodes.ImageUnreadable).ToList();
        Assert.Equal(2, unreadable.Count);
        Assert.Contains(unreadable, w => w.File!.EndsWith("broken.jpg", StringComparison.Ordinal));
        Assert.Contains(log.Warnings, w => w.Code == ErrorCodes.CalibrationFewImages && w.Message.Contains("only 5 "));
        // The echo's histogram is the pre-processed pixels: 0–255 RGB, never beyond.
        Assert.InRange(stats.Histograms[0].ObservedMax, 200, 255);
        Assert.Equal(5L * 32 * 64 * 3, stats.Histograms[0].Count);
    }

    [Fact]
    public void NoReadableImageIsEB3002()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp["a.jpg"], "x");
        File.WriteAllText(tmp["b.bmp"], "y");
        var e = Assert.Throws<EastBakeException>(() => ActivationStatistics.Collect(new InputEcho(), CalibrationImageSet.Open(tmp.Path, 10),
            new Preprocessor(new PreprocessorOptions { FixedSize = (32, 32) }), 32, 32, new RecordingLog()));
        Assert.Equal(ErrorCodes.CalibrationFolderEmpty, e.Code);
        Assert.Contains("none of the 2", e.Message);
    }
}
