namespace EastBake.Runtime.Detection;

/// <summary>
/// 8-connected Bresenham lines with OpenCV's <c>LINE_8</c> pixel choice (always traced left to
/// right; error term starts at major − 2·minor and steps diagonally while it is negative), so
/// polygon outlines land on the same pixels as <c>cv2.fillPoly</c>/<c>cv2.polylines</c>.
/// </summary>
public static class PixelLine
{
    /// <summary>Calls <paramref name="plot"/>(x, y) for every pixel of the line, endpoints included.</summary>
    public static void Trace<TPlot>(int x0, int y0, int x1, int y1, ref TPlot plot) where TPlot : IPixelSink, allows ref struct
    {
        if (x1 < x0) { (x0, x1) = (x1, x0); (y0, y1) = (y1, y0); }
        int dx = x1 - x0, dy = Math.Abs(y1 - y0), sy = y1 < y0 ? -1 : 1;
        bool yMajor = dy > dx;
        int major = yMajor ? dy : dx, minor = yMajor ? dx : dy;
        int err = major - 2 * minor;
        int x = x0, y = y0;
        for (int n = 0; n <= major; n++)
        {
            plot.Plot(x, y);
            bool diagonal = err < 0;
            err += -2 * minor + (diagonal ? 2 * major : 0);
            if (yMajor) { y += sy; if (diagonal) x++; }
            else { x++; if (diagonal) y += sy; }
        }
    }
}

/// <summary>Receives the pixels of a line; implemented by (ref) structs so the calls inline.</summary>
public interface IPixelSink
{
    void Plot(int x, int y);
}
