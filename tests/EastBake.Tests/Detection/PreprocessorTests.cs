using EastBake.Compiler.Util;
using EastBake.Diagnostics;
using EastBake.Runtime.Detection;
using EastBake.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace EastBake.Tests.Detection;

public class PreprocessorTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(720, 1280, 2400, 672, 1280)]   // 720 % 32 = 16 → (22 − 1)·32
    [InlineData(704, 1280, 2400, 704, 1280)]
    [InlineData(3000, 1000, 2400, 2400, 800)]  // ratio 0.8
    [InlineData(1000, 4000, 2400, 544, 2400)]  // ratio 0.6: 600 → (600 // 32 − 1)·32 = 544
    [InlineData(100, 50, 2400, 64, 32)]
    [InlineData(20, 20, 2400, 32, 32)]
    public void ArgmanResizeRule(int h, int w, int maxSide, int eh, int ew)
    {
        Assert.Equal((eh, ew), Preprocessor.ArgmanInputSize(h, w, maxSide));
    }

    [Fact]
    public void BilinearMatchesOpenCvOnHandCases()
    {
        // cv2.resize([[0, 255]] (1×2), (4, 1)) = [0, 64, 191, 255]: half-pixel centres, clamped ends,
        // weights 1536/512 → (255·512 >> 4)·2048 >> 16 = 255, (255 + 2) >> 2 = 64.
        var got = Resize([0, 0, 0, 255, 255, 255], 1, 2, 1, 4);
        Assert.Equal(new byte[] { 0, 0, 0, 64, 64, 64, 191, 191, 191, 255, 255, 255 }, got);

        // Same size is the identity.
        byte[] src = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        Assert.Equal(src, Resize(src, 2, 2, 2, 2));

        // Halving 4 → 2 samples at 0.5 and 2.5: plain averages of pairs, no antialiasing.
        Assert.Equal(new byte[] { 5, 5, 5, 25, 25, 25 }, Resize([0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30], 1, 4, 1, 2));
    }

    private static byte[] Resize(byte[] src, int sh, int sw, int dh, int dw)
    {
        var sink = new Collect { Data = new byte[dh * dw * 3], RowLength = dw * 3 };
        BilinearResizer.Resize(src, sh, sw, sw * 3, dh, dw, ref sink);
        return sink.Data;
    }

    private struct Collect : IRowSink
    {
        public byte[] Data;
        public int RowLength;
        public void Write(int y, ReadOnlySpan<byte> row) => row.CopyTo(Data.AsSpan(y * RowLength));
    }

    [Fact]
    public void FloatOutputWithAndWithoutMeans()
    {
        using var img = new Image<Rgb24>(32, 32, new Rgb24(200, 100, 50));
        var buf = new float[32 * 32 * 3];
        var r = new Preprocessor().Run(img, buf);
        Assert.Equal((32, 32, new ResizeRatios(1, 1)), (r.Height, r.Width, r.Ratios));
        Assert.Equal([200f, 100f, 50f], buf[..3]);

        new Preprocessor(new PreprocessorOptions { SubtractMeans = true }).Run(img, buf);
        Assert.Equal([200f - 123.68f, 100f - 116.78f, 50f - 103.94f], buf[^3..]);

        Assert.Throws<ArgumentException>(() => new Preprocessor().Run(img, new float[10]));
    }

    [Fact]
    public void FixedShapeResizesWithIndependentRatios()
    {
        using var img = new Image<Rgb24>(1280, 720);
        var pre = new Preprocessor(new PreprocessorOptions { FixedSize = (704, 1280) });
        Assert.Equal(704 * 1280 * 3, pre.RequiredLength(720, 1280));
        var r = pre.Run(img, new float[704 * 1280 * 3]);
        Assert.Equal(new ResizeRatios(1.0, 704.0 / 720), r.Ratios);
        Assert.Equal((704, 1280, 720, 1280), (r.Height, r.Width, r.OriginalHeight, r.OriginalWidth));
    }

    [Fact]
    public void DecodersConvertToRgb24()
    {
        // 8-bit grayscale PNG → R = G = B.
        using (var gray = new Image<L8>(4, 2, new L8(77)))
            Assert.Equal(new Rgb24(77, 77, 77), RoundTrip(gray, new PngEncoder())[3, 1]);
        // 16-bit RGB PNG → the high byte (65535 → 255, 257·v → v).
        using (var deep = new Image<Rgb48>(3, 3, new Rgb48(257 * 10, 65535, 0)))
            Assert.Equal(new Rgb24(10, 255, 0), RoundTrip(deep, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb })[1, 1]);
        // Palette PNG and 24-bit BMP keep exact colours.
        using (var pal = new Image<Rgb24>(4, 4, new Rgb24(255, 0, 0)))
        {
            pal[0, 0] = new Rgb24(0, 0, 255);
            var p = RoundTrip(pal, new PngEncoder { ColorType = PngColorType.Palette });
            Assert.Equal((new Rgb24(0, 0, 255), new Rgb24(255, 0, 0)), (p[0, 0], p[3, 3]));
            Assert.Equal(new Rgb24(0, 0, 255), RoundTrip(pal, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 })[0, 0]);
        }
    }

    private static Image<Rgb24> RoundTrip<T>(Image<T> img, SixLabors.ImageSharp.Formats.IImageEncoder encoder) where T : unmanaged, IPixel<T>
    {
        using var ms = new MemoryStream();
        img.Save(ms, encoder);
        return ImageLoader.Load(ms.ToArray(), "test");
    }

    [Fact]
    public void UndecodableBytesReportEB5006()
    {
        var ex = Assert.Throws<EastBakeException>(() => ImageLoader.Load(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, "junk.jpg"));
        Assert.Equal(ErrorCodes.ImageDecodeFailed, ex.Code);
        Assert.Equal("junk.jpg", ex.File);
    }

    [SharedFact("icdar2015/dev/images/img_901.jpg", "models/east_r50_ic15_refs/img_901_input.npy")]
    public void InterLinearMatchesOpenCvReferenceInput()
    {
        var npy = Npy.Read(SharedData.Path_("models/east_r50_ic15_refs/img_901_input.npy")); // uint8 read as Int32
        Assert.Equal([1L, 704, 1280, 3], npy.Shape);
        var expected = npy.Ints!;

        var pre = new Preprocessor(new PreprocessorOptions { FixedSize = (704, 1280) });
        var buf = new float[704 * 1280 * 3];
        pre.Run(SharedData.Path_("icdar2015/dev/images/img_901.jpg"), buf);

        var diffs = new int[256];
        double sum = 0;
        for (int i = 0; i < buf.Length; i++)
        {
            int d = (int)Math.Abs((long)buf[i] - expected[i]);
            diffs[d]++;
            sum += d;
        }
        double mean = sum / buf.Length;
        int p99 = Percentile(diffs, buf.Length, 0.99);
        output.WriteLine($"img_901 vs cv2 INTER_LINEAR: mean abs diff {mean:0.0000}, p99 {p99}, exact {diffs[0] / (double)buf.Length:P1}, max {Array.FindLastIndex(diffs, c => c > 0)}");
        // JPEG decoders (ImageSharp vs libjpeg-turbo) differ slightly; the resize itself is exact.
        Assert.True(mean < 0.5, $"mean abs diff {mean:0.000}");
        Assert.True(p99 <= 4, $"99th percentile abs diff {p99}");
    }

    private static int Percentile(int[] hist, int n, double q)
    {
        long acc = 0;
        for (int d = 0; d < hist.Length; d++)
            if ((acc += hist[d]) >= q * n) return d;
        return hist.Length - 1;
    }
}
