using EastBake.Diagnostics;
using EastBake.Runtime;
using EastBake.Runtime.Detection;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Runtime.Plans;
using EastBake.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace EastBake.Tests.Reliability;

/// <summary>
/// Issue 8, item 2: images that are not images, cut short, huge, in other pixel formats, or
/// unreadable. Formats convert to the right 8-bit RGB; bad files are one coded warning each, and
/// folder runs skip and count them and carry on.
/// </summary>
public sealed class BadImageTests(ITestOutputHelper output) : ReliabilityTestBase
{
    private static string Asset(string name) => SharedData.Repo("testassets/images/" + name);

    /// <summary>The colours make_images.py paints, one 16x16 block each, 4 per row.</summary>
    private static readonly Rgb24[] Blocks =
    [
        new(255, 0, 0), new(0, 255, 0), new(0, 0, 255), new(255, 255, 255),
        new(0, 0, 0), new(128, 128, 128), new(255, 255, 0), new(40, 90, 200),
    ];

    private static Rgb24 BlockCentre(Image<Rgb24> img, int i) => img[(i % 4) * 16 + 8, (i / 4) * 16 + 8];

    [Fact]
    public void Cmyk_jpeg_converts_to_the_rgb_it_was_made_from()
    {
        using var img = ImageLoader.Load(Asset("cmyk.jpg"));
        for (var i = 0; i < Blocks.Length; i++)
        {
            var (got, want) = (BlockCentre(img, i), Blocks[i]);
            Assert.True(Math.Abs(got.R - want.R) <= 6 && Math.Abs(got.G - want.G) <= 6 && Math.Abs(got.B - want.B) <= 6,
                $"block {i}: {got} vs {want}");
        }
    }

    [Fact]
    public void Grayscale_and_palette_pngs_convert_exactly()
    {
        byte[] grays = [0, 17, 64, 100, 128, 200, 254, 255];
        using (var img = ImageLoader.Load(Asset("gray8.png")))
            for (var i = 0; i < grays.Length; i++)
                Assert.Equal(new Rgb24(grays[i], grays[i], grays[i]), BlockCentre(img, i));
        using (var img = ImageLoader.Load(Asset("palette.png")))
            for (var i = 0; i < Blocks.Length; i++)
                Assert.Equal(Blocks[i], BlockCentre(img, i));
    }

    /// <summary>16-bit samples map to the nearest 8-bit value: round(v · 255 / 65535), within one step.</summary>
    [Fact]
    public void Sixteen_bit_pngs_convert_to_the_nearest_8_bit_value()
    {
        ushort[] gray16 = [0, 1000, 64 * 257, 40000, 128 * 257, 200 * 257, 65000, 65535];
        using (var img = ImageLoader.Load(Asset("gray16.png")))
            for (var i = 0; i < gray16.Length; i++)
            {
                var want = (int)Math.Round(gray16[i] * 255.0 / 65535);
                var got = BlockCentre(img, i);
                Assert.True(Math.Abs(got.R - want) <= 1 && got.R == got.G && got.G == got.B, $"block {i}: {got}, want {want}");
            }

        // 48-bit RGB with fresh random samples.
        var seed = Random.Shared.Next();
        var rnd = new Random(seed);
        using var src = new Image<Rgb48>(7, 5);
        var samples = new ushort[7 * 5 * 3];
        for (var i = 0; i < samples.Length; i++) samples[i] = (ushort)rnd.Next(65536);
        for (var y = 0; y < 5; y++)
            for (var x = 0; x < 7; x++)
            {
                var k = (y * 7 + x) * 3;
                src[x, y] = new Rgb48(samples[k], samples[k + 1], samples[k + 2]);
            }
        var path = PathIn("rgb48.png");
        src.SaveAsPng(path, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb });
        using var loaded = ImageLoader.Load(path);
        for (var y = 0; y < 5; y++)
            for (var x = 0; x < 7; x++)
            {
                var k = (y * 7 + x) * 3;
                var px = loaded[x, y];
                int[] got = [px.R, px.G, px.B];
                for (var c = 0; c < 3; c++)
                    Assert.True(Math.Abs(got[c] - Math.Round(samples[k + c] * 255.0 / 65535)) <= 1, $"seed {seed} ({x},{y}) channel {c}");
            }
    }

    private string NoisyJpeg(string name, int width, int height)
    {
        var rnd = new Random(width * 31 + height);
        using var img = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                img[x, y] = new Rgb24((byte)rnd.Next(256), (byte)(x * 3), (byte)(y * 5));
        var p = PathIn(name);
        img.SaveAsJpeg(p, new JpegEncoder { Quality = 90 });
        return p;
    }

    private EastBakeException LoadFails(string path)
    {
        var e = Assert.Throws<EastBakeException>(() => ImageLoader.Load(path).Dispose());
        output.WriteLine(e.Format("warning"));
        Assert.Equal(path, e.File);
        return e;
    }

    [Fact]
    public void Non_image_and_zero_byte_files_are_EB5006()
    {
        Assert.Equal(ErrorCodes.ImageDecodeFailed, LoadFails(Write("notes.jpg", "not an image\n"u8.ToArray())).Code);
        var empty = LoadFails(Write("empty.png", []));
        Assert.Equal(ErrorCodes.ImageDecodeFailed, empty.Code);
        Assert.Contains("empty", empty.Message);
    }

    /// <summary>
    /// A JPEG cut after its header decodes (the missing scan data is filled in, as libjpeg does)
    /// or fails as EB5006; a cut inside the header is EB5006. Never another exception.
    /// </summary>
    [Fact]
    public void Truncated_jpegs_decode_partially_or_are_EB5006()
    {
        var full = File.ReadAllBytes(NoisyJpeg("full.jpg", 96, 64));
        var outcomes = new List<string>();
        foreach (var keep in new[] { 2, 20, 200, full.Length / 3, full.Length / 2, full.Length - 10 })
        {
            var p = Write($"cut_{keep}.jpg", full[..keep]);
            try
            {
                using var img = ImageLoader.Load(p);
                Assert.Equal((96, 64), (img.Width, img.Height));
                outcomes.Add($"{keep}: decoded");
            }
            catch (EastBakeException e)
            {
                Assert.Equal(ErrorCodes.ImageDecodeFailed, e.Code);
                outcomes.Add($"{keep}: {e.Code}");
            }
        }
        output.WriteLine(string.Join("; ", outcomes));
        Assert.StartsWith("2: EB5006", outcomes[0]);
    }

    /// <summary>A PNG whose header claims 100000x100000 pixels is refused from the header, without allocating them.</summary>
    [Fact]
    public void Decompression_bomb_header_is_EB5006_without_allocating()
    {
        using var small = new Image<Rgb24>(1, 1);
        using var ms = new MemoryStream();
        small.SaveAsPng(ms);
        var png = ms.ToArray();
        // IHDR data starts at byte 16: width and height (big-endian), then its CRC over type + data.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);
        var crc = PngCrc(png.AsSpan(12, 17));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), crc);
        var p = Write("bomb.png", png);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = LoadFails(p);
        Assert.Equal(ErrorCodes.ImageDecodeFailed, e.Code);
        Assert.Contains("100000x100000", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "the loader allocated the bomb's pixels");
    }

    /// <summary>PNG's CRC-32 (ISO 3309, reflected 0xEDB88320), bit by bit.</summary>
    private static uint PngCrc(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            c ^= b;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFFu;
    }

    /// <summary>
    /// An image the process cannot read is EB3004. Not root: a chmod 000 file. Root ignores
    /// permission bits, so there the file is a symlink to /proc/self/mem, whose first page is
    /// unmapped: opening works and the first read fails with EIO, the same I/O failure path.
    /// </summary>
    [Fact]
    public void Unreadable_file_is_EB3004()
    {
        var p = MakeUnreadable("locked.jpg", out var how);
        output.WriteLine(how);
        Assert.Equal(ErrorCodes.ImageUnreadable, LoadFails(p).Code);
    }

    internal string MakeUnreadable(string name, out string how)
    {
        var p = PathIn(name);
        if (!OperatingSystem.IsWindows() && Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root")
        {
            File.WriteAllBytes(p, File.ReadAllBytes(Asset("gray8.png")));
            File.SetUnixFileMode(p, UnixFileMode.None);
            try { File.OpenRead(p).Dispose(); } catch (UnauthorizedAccessException) { how = "chmod 000"; return p; }
            File.Delete(p);
        }
        File.CreateSymbolicLink(p, "/proc/self/mem");
        how = "running as root: symlink to /proc/self/mem (read fails with EIO)";
        return p;
    }

    /// <summary>An image over the max side is resized by the reference rule, not rejected.</summary>
    [Fact]
    public void Image_over_the_max_side_is_resized_not_rejected()
    {
        var plan = PathIn("dyn.eastplan");
        new EastBake.Baking.Pipeline.Baker().Bake(new EastBake.Baking.Pipeline.BakeOptions
        {
            ModelPath = W8Model, OutputPath = plan, Backends = ["Onnx"],
            Profile = ProfileText.Parse("min:1x32x32;opt:1x128x128;max:1x256x256"),
        });
        using var detector = EastDetector.Load(plan, o => { o.UseOnnxRuntime(); o.MaxSide = 256; });
        foreach (var (w, h) in new[] { (1500, 700), (3000, 2900), (9000, 150) })
        {
            using var img = new Image<Rgb24>(w, h, new Rgb24(90, 120, 200));
            var r = detector.DetectWithTimings(img);
            // argman's rule, computed here: scale the longer side to 256, then each side to the
            // multiple of 32 one below its floor (at least 32).
            var ratio = 256.0 / Math.Max(w, h);
            static int Side(int v) => Math.Max(32, v % 32 == 0 ? v : (v / 32 - 1) * 32);
            Assert.Equal((Side((int)(h * ratio)), Side((int)(w * ratio))), (r.InputHeight, r.InputWidth));
        }
    }

    /// <summary>Folder runs through the tool: warn, skip, count, carry on, exit 0.</summary>
    [Fact]
    public void Detect_and_eval_over_a_folder_warn_skip_count_and_continue()
    {
        var plan = BakeW8();
        var images = Directory.CreateDirectory(PathIn("images")).FullName;
        var good = new[] { 1, 2 }.Select(i =>
        {
            var p = Path.Combine(images, $"img_{i}.png");
            File.Copy(Asset(i == 1 ? "palette.png" : "gray16.png"), p);
            return p;
        }).ToList();
        var notImage = Path.Combine(images, "img_3.jpg");
        File.WriteAllText(notImage, "hello");
        var empty = Path.Combine(images, "img_4.png");
        File.WriteAllBytes(empty, []);
        File.Move(MakeUnreadable("img_5.jpg", out _), Path.Combine(images, "img_5.jpg"));
        var unreadable = Path.Combine(images, "img_5.jpg");
        var gt = Directory.CreateDirectory(PathIn("gt")).FullName;
        for (var i = 1; i <= 5; i++) File.WriteAllText(Path.Combine(gt, $"gt_img_{i}.txt"), "1,1,20,1,20,10,1,10,word\n");

        var detect = ToolProcess.Run(["detect", plan, images, "--out", PathIn("det")]);
        output.WriteLine(detect.StdErr + detect.StdOut);
        Assert.Equal(0, detect.ExitCode);
        AssertWarned(detect.StdErr, notImage, ErrorCodes.ImageDecodeFailed);
        AssertWarned(detect.StdErr, empty, ErrorCodes.ImageDecodeFailed);
        AssertWarned(detect.StdErr, unreadable, ErrorCodes.ImageUnreadable);
        Assert.Contains("2 image(s)", detect.StdOut);
        Assert.Contains("3 skipped", detect.StdOut);
        Assert.True(File.Exists(PathIn("det", "res_img_1.txt")) && File.Exists(PathIn("det", "img_2.png")));

        var eval = ToolProcess.Run(["eval", plan, "--images", images, "--gt", gt, "--out", PathIn("ev")]);
        output.WriteLine(eval.StdErr + eval.StdOut);
        Assert.Equal(0, eval.ExitCode);
        AssertWarned(eval.StdErr, unreadable, ErrorCodes.ImageUnreadable);
        Assert.Contains("3 unreadable image(s) skipped", eval.StdErr);
        Assert.Contains("Hmean", eval.StdOut);
    }

    private static void AssertWarned(string stderr, string file, string code) =>
        Assert.Contains(stderr.Split('\n'), l => l.StartsWith(file + ":", StringComparison.Ordinal) && l.Contains($"warning {code}:"));
}
