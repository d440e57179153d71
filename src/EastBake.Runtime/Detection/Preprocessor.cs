using System.Buffers;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace EastBake.Runtime.Detection;

/// <summary>How images become network input.</summary>
public sealed record PreprocessorOptions
{
    /// <summary>The longer side is scaled down to this when larger (argman eval.py's max_side_len).</summary>
    public int MaxSide { get; init; } = 2400;

    /// <summary>
    /// When set, every image is resized to exactly this input size (H, W both multiples of 32),
    /// with independent x and y ratios: a resize, not a letterbox pad (as the models' dev-set
    /// figures were made: 720×1280 → 704×1280). When null, the size follows argman's rule.
    /// </summary>
    public (int Height, int Width)? FixedSize { get; init; }

    /// <summary>
    /// Subtract the ImageNet RGB means here. Set it from the plan's metadata only when the graph
    /// does not subtract them itself (a graph frozen from the EAST training code does; the original
    /// published frozen graph does not).
    /// </summary>
    public bool SubtractMeans { get; init; }

    public static readonly float[] RgbMeans = [123.68f, 116.78f, 103.94f];
}

/// <summary>Network input shape and the ratios mapping boxes back to the original image.</summary>
public readonly record struct PreprocessResult(int Height, int Width, int OriginalHeight, int OriginalWidth, ResizeRatios Ratios);

/// <summary>
/// Image → float32 NHWC RGB network input (values 0–255, or mean-subtracted when asked), written
/// into a caller-provided buffer. Resizing is OpenCV INTER_LINEAR (<see cref="BilinearResizer"/>).
/// </summary>
public sealed class Preprocessor(PreprocessorOptions? options = null)
{
    public PreprocessorOptions Options { get; } = options ?? new PreprocessorOptions();

    /// <summary>
    /// argman's resize_image: ratio = max_side / longer side when the longer side exceeds it,
    /// <c>h' = int(h·ratio)</c>, then a side that is not a multiple of 32 becomes
    /// <c>(h' // 32 − 1)·32</c> (one step below the floor, as the reference does), at least 32.
    /// </summary>
    public static (int Height, int Width) ArgmanInputSize(int height, int width, int maxSide = 2400)
    {
        double ratio = Math.Max(height, width) > maxSide
            ? (double)maxSide / (height > width ? height : width)
            : 1.0;
        return (Round32((int)(height * ratio)), Round32((int)(width * ratio)));

        static int Round32(int v) => Math.Max(32, v % 32 == 0 ? v : (v / 32 - 1) * 32);
    }

    /// <summary>Input size for an image of the given size under these options.</summary>
    public (int Height, int Width) InputSizeFor(int height, int width) =>
        Options.FixedSize ?? ArgmanInputSize(height, width, Options.MaxSide);

    /// <summary>Floats needed for one image of the given size: H·W·3.</summary>
    public int RequiredLength(int height, int width)
    {
        var (h, w) = InputSizeFor(height, width);
        return h * w * 3;
    }

    public PreprocessResult Run(string imagePath, Span<float> destination)
    {
        using var image = ImageLoader.Load(imagePath);
        return Run(image, destination);
    }

    /// <summary>Writes H·W·3 floats to <paramref name="destination"/> (at least <see cref="RequiredLength"/> long).</summary>
    public PreprocessResult Run(Image<Rgb24> image, Span<float> destination)
    {
        int srcH = image.Height, srcW = image.Width;
        var (h, w) = InputSizeFor(srcH, srcW);
        if (destination.Length < h * w * 3)
            throw new ArgumentException($"destination holds {destination.Length} floats; {h}×{w}×3 = {h * w * 3} needed", nameof(destination));

        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> pixels;
            if (image.DangerousTryGetSinglePixelMemory(out Memory<Rgb24> memory))
                pixels = MemoryMarshal.AsBytes(memory.Span);
            else
            {
                rented = ArrayPool<byte>.Shared.Rent(srcH * srcW * 3);
                image.CopyPixelDataTo(rented.AsSpan(0, srcH * srcW * 3));
                pixels = rented.AsSpan(0, srcH * srcW * 3);
            }
            Run(pixels, srcH, srcW, destination);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
        return new PreprocessResult(h, w, srcH, srcW, new ResizeRatios((double)w / srcW, (double)h / srcH));
    }

    /// <summary>Same from packed RGB bytes (srcH × srcW × 3).</summary>
    public PreprocessResult Run(ReadOnlySpan<byte> rgb, int srcH, int srcW, Span<float> destination)
    {
        var (h, w) = InputSizeFor(srcH, srcW);
        if (destination.Length < h * w * 3)
            throw new ArgumentException($"destination holds {destination.Length} floats; {h}×{w}×3 = {h * w * 3} needed", nameof(destination));
        var sink = new FloatRowWriter(destination, w * 3, Options.SubtractMeans);
        BilinearResizer.Resize(rgb, srcH, srcW, srcW * 3, h, w, ref sink);
        return new PreprocessResult(h, w, srcH, srcW, new ResizeRatios((double)w / srcW, (double)h / srcH));
    }

    private readonly ref struct FloatRowWriter(Span<float> destination, int rowLength, bool subtractMeans) : IRowSink
    {
        private readonly Span<float> _destination = destination;
        private readonly int _rowLength = rowLength;
        private readonly bool _subtractMeans = subtractMeans;

        public void Write(int y, ReadOnlySpan<byte> row)
        {
            int rowLength = _rowLength;
            var dst = _destination.Slice(y * rowLength, rowLength);
            if (!_subtractMeans)
            {
                for (int i = 0; i < rowLength; i++) dst[i] = row[i];
                return;
            }
            var m = PreprocessorOptions.RgbMeans;
            for (int i = 0; i < rowLength; i += 3)
            {
                dst[i] = row[i] - m[0];
                dst[i + 1] = row[i + 1] - m[1];
                dst[i + 2] = row[i + 2] - m[2];
            }
        }
    }
}
