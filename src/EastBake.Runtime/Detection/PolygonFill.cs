namespace EastBake.Runtime.Detection;

/// <summary>
/// Rasterises a polygon with integer vertices the way <c>cv2.fillPoly</c> does (shift 0,
/// LINE_8): the outline is drawn with <see cref="PixelLine"/>, and every scanline y is filled
/// between pairs of edge crossings sorted by x (even-odd). Each non-horizontal edge covers
/// y0 ≤ y &lt; y1 from its upper vertex, its x kept in 16.16 fixed point and advanced by
/// <c>dx = (Δx·65536) / Δy</c> (integer division); a span covers ceil(x_left)..floor(x_right).
/// Pixels outside width × height are skipped.
/// </summary>
public static class PolygonFill
{
    private const int Shift = 16;

    /// <summary>Marks the quad's pixels in <paramref name="mask"/> (row-major, width × height) with 1.</summary>
    public static void Fill(ReadOnlySpan<int> xs, ReadOnlySpan<int> ys, Span<byte> mask, int width, int height)
    {
        var sink = new MaskSink(mask, width, height);
        int n = xs.Length;
        for (int i = 0, j = n - 1; i < n; j = i++)
            PixelLine.Trace(xs[j], ys[j], xs[i], ys[i], ref sink);

        int yMin = int.MaxValue, yMax = int.MinValue;
        for (int i = 0; i < n; i++) { yMin = Math.Min(yMin, ys[i]); yMax = Math.Max(yMax, ys[i]); }
        yMin = Math.Max(yMin, 0);
        yMax = Math.Min(yMax, height); // edges never cover their lower end row

        Span<long> crossings = stackalloc long[n];
        for (int y = yMin; y < yMax; y++)
        {
            int count = 0;
            for (int i = 0, j = n - 1; i < n; j = i++)
            {
                int ya = ys[j], yb = ys[i];
                if (ya == yb) continue;
                long xa = (long)xs[j] << Shift, xb = (long)xs[i] << Shift;
                long dx = (xb - xa) / (yb - ya); // C-style truncation, as OpenCV
                (int top, long xTop) = ya < yb ? (ya, xa) : (yb, xb);
                int bottom = Math.Max(ya, yb);
                if (y >= top && y < bottom) crossings[count++] = xTop + (y - top) * dx;
            }
            var active = crossings[..count];
            active.Sort();
            for (int k = 0; k + 1 < count; k += 2)
            {
                int x1 = (int)((active[k] + (1 << Shift) - 1) >> Shift);
                int x2 = (int)(active[k + 1] >> Shift);
                if (x1 >= width || x2 < 0) continue;
                x1 = Math.Max(x1, 0);
                x2 = Math.Min(x2, width - 1);
                if (x2 >= x1) mask.Slice(y * width + x1, x2 - x1 + 1).Fill(1);
            }
        }
    }

    private readonly ref struct MaskSink(Span<byte> mask, int width, int height) : IPixelSink
    {
        private readonly Span<byte> _mask = mask;
        private readonly int _width = width, _height = height;

        public void Plot(int x, int y)
        {
            if ((uint)x < (uint)_width && (uint)y < (uint)_height) _mask[y * _width + x] = 1;
        }
    }
}
