using EastBake.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace EastBake.Runtime.Detection;

/// <summary>
/// Decodes JPEG, PNG, BMP (and anything else ImageSharp reads) to 8-bit RGB. A file that cannot
/// be read (permissions, I/O error) is EB3004; one that is not a decodable image (zero bytes,
/// not an image, corrupt, or larger than <see cref="MaxPixels"/>) is EB5006. Folder runs
/// (calibration, detect, eval) warn, skip and count both (<see cref="IsSkippable"/>).
/// </summary>
/// <remarks>
/// Why ImageSharp 2.1.13: it is Apache-2.0 and fully managed (no native codecs to ship). The 4.x
/// line needs a paid license key at build time, and 3.x is not on our package feed. Loading as
/// <see cref="Rgb24"/> makes its decoders convert grayscale, CMYK/YCCK JPEG, 16-bit and
/// palette PNG and BMP to 8-bit RGB. The EXIF orientation is applied, as <c>cv2.imread</c> does.
/// </remarks>
public static class ImageLoader
{
    /// <summary>
    /// Largest image decoded (width × height): 2^28 pixels, 768 MiB as RGB. Bigger images are
    /// refused from their header before any pixel memory is allocated (decompression bombs);
    /// anything smaller that exceeds the detector's max side is decoded and resized.
    /// </summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>True for the per-image failures a folder run warns about and skips.</summary>
    public static bool IsSkippable(EastBakeException e) => e.Code is ErrorCodes.ImageDecodeFailed or ErrorCodes.ImageUnreadable;

    public static Image<Rgb24> Load(string path)
    {
        if (!File.Exists(path)) throw new EastBakeException(ErrorCodes.ImageDecodeFailed, "image file not found", path);
        try
        {
            using var stream = File.OpenRead(path);
            return Load(stream, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EastBakeException(ErrorCodes.ImageUnreadable, $"cannot read image file: {e.Message}", path, inner: e);
        }
    }

    public static Image<Rgb24> Load(Stream stream, string? name = null)
    {
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        Image<Rgb24> image;
        try
        {
            var start = stream.Position;
            // Read, not Length: special files report length 0, and a read error must surface here as EB3004.
            if (stream.ReadByte() < 0)
                throw new EastBakeException(ErrorCodes.ImageDecodeFailed, "cannot decode image: the file is empty (0 bytes)", name);
            stream.Position = start;
            var info = Image.Identify(stream)
                ?? throw new EastBakeException(ErrorCodes.ImageDecodeFailed, "cannot decode image: not a known image format", name);
            if ((long)info.Width * info.Height > MaxPixels || info.Width <= 0 || info.Height <= 0)
                throw new EastBakeException(ErrorCodes.ImageDecodeFailed,
                    $"image is {info.Width}x{info.Height} pixels, more than the 268,435,456 (2^28) this loader decodes", name);
            stream.Position = start;
            image = Image.Load<Rgb24>(stream);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException
                                      or ImageFormatException or InvalidMemoryOperationException)
        {
            throw new EastBakeException(ErrorCodes.ImageDecodeFailed, $"cannot decode image: {e.Message}", name, inner: e);
        }
        image.Mutate(x => x.AutoOrient());
        return image;
    }

    public static Image<Rgb24> Load(ReadOnlySpan<byte> encoded, string? name = null)
    {
        using var stream = new MemoryStream(encoded.ToArray(), writable: false);
        return Load(stream, name);
    }
}
