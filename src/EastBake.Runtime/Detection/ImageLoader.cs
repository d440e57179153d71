using EastBake.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace EastBake.Runtime.Detection;

/// <summary>
/// Decodes JPEG, PNG, BMP (and anything else ImageSharp reads) to 8-bit RGB.
/// </summary>
/// <remarks>
/// Why ImageSharp 2.1.13: it is Apache-2.0 and fully managed (no native codecs to ship). The 4.x
/// line needs a paid license key at build time, and 3.x is not on our package feed. Loading as
/// <see cref="Rgb24"/> makes its decoders convert grayscale, CMYK/YCCK JPEG, 16-bit and
/// palette PNG and BMP to 8-bit RGB. The EXIF orientation is applied, as <c>cv2.imread</c> does.
/// </remarks>
public static class ImageLoader
{
    public static Image<Rgb24> Load(string path)
    {
        if (!File.Exists(path)) throw new EastBakeException(ErrorCodes.ImageDecodeFailed, "image file not found", path);
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    public static Image<Rgb24> Load(Stream stream, string? name = null)
    {
        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(stream);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException)
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
