using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace EastBake.Runtime.Detection;

/// <summary>
/// Draws quad outlines on an image for visual checks (e.g. a PNG of the detections). Lines are
/// our own Bresenham (<see cref="PixelLine"/>); ImageSharp.Drawing is not available to us.
/// </summary>
public static class QuadPainter
{
    /// <summary>Draws each quad's 4 sides, vertices rounded to the nearest pixel; <paramref name="thickness"/> widens lines by offset copies.</summary>
    public static void Draw(Image<Rgb24> image, IEnumerable<Quad> quads, Rgb24 color, int thickness = 1)
    {
        var sink = new ImageSink(image, color, Math.Max(1, thickness));
        foreach (var q in quads)
        {
            for (int i = 0; i < 4; i++)
            {
                PointD a = q[i], b = q[i + 1];
                PixelLine.Trace((int)Math.Round(a.X), (int)Math.Round(a.Y), (int)Math.Round(b.X), (int)Math.Round(b.Y), ref sink);
            }
        }
    }

    public static void Draw(Image<Rgb24> image, IEnumerable<TextBox> boxes, Rgb24 color, int thickness = 1) =>
        Draw(image, boxes.Select(b => b.Quad), color, thickness);

    private readonly struct ImageSink(Image<Rgb24> image, Rgb24 color, int thickness) : IPixelSink
    {
        public void Plot(int x, int y)
        {
            int lo = -(thickness - 1) / 2, hi = thickness / 2;
            for (int oy = lo; oy <= hi; oy++)
                for (int ox = lo; ox <= hi; ox++)
                {
                    int px = x + ox, py = y + oy;
                    if ((uint)px < (uint)image.Width && (uint)py < (uint)image.Height) image[px, py] = color;
                }
        }
    }
}
