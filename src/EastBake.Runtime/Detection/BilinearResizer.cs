using System.Buffers;

namespace EastBake.Runtime.Detection;

/// <summary>
/// 8-bit RGB bilinear resize with OpenCV <c>INTER_LINEAR</c> semantics: half-pixel centres
/// (<c>src = (dst + 0.5)·scale − 0.5</c>), edge clamping, no antialiasing when shrinking, and
/// OpenCV's fixed-point arithmetic (weights ×2048 rounded, a horizontal pass in int, and its
/// vectorised vertical pass <c>(((a&gt;&gt;4)·β0 &gt;&gt; 16) + ((b&gt;&gt;4)·β1 &gt;&gt; 16) + 2) &gt;&gt; 2</c>),
/// so results match cv2.resize on the same pixels bit for bit (up to ±1 where OpenCV runs its
/// scalar tail instead).
/// </summary>
public static class BilinearResizer
{
    private const int CoefScale = 2048; // INTER_RESIZE_COEF_SCALE

    /// <summary>
    /// Resizes <paramref name="src"/> (srcH × srcW × 3, row stride srcStride bytes) and hands each
    /// output row (dstW × 3 bytes) to <paramref name="rowSink"/>.
    /// </summary>
    public static void Resize<TSink>(ReadOnlySpan<byte> src, int srcH, int srcW, int srcStride, int dstH, int dstW, ref TSink rowSink)
        where TSink : IRowSink, allows ref struct
    {
        const int cn = 3;
        var xofs = ArrayPool<int>.Shared.Rent(dstW);
        var alpha = ArrayPool<short>.Shared.Rent(dstW * 2);
        var rowsA = ArrayPool<int>.Shared.Rent(dstW * cn);
        var rowsB = ArrayPool<int>.Shared.Rent(dstW * cn);
        var outRow = ArrayPool<byte>.Shared.Rent(dstW * cn);
        try
        {
            Coefficients(srcW, dstW, xofs, alpha, clampWeights: true);
            double scaleY = 1.0 / ((double)dstH / srcH);
            int haveA = -1, haveB = -1; // which source row each horizontal buffer holds
            for (int dy = 0; dy < dstH; dy++)
            {
                float fy = (float)((dy + 0.5) * scaleY - 0.5);
                int sy = (int)MathF.Floor(fy);
                fy -= sy;
                short b0 = Saturate((1f - fy) * CoefScale), b1 = Saturate(fy * CoefScale);
                int y0 = Math.Clamp(sy, 0, srcH - 1), y1 = Math.Clamp(sy + 1, 0, srcH - 1);

                // Reuse horizontally resized rows from the previous output row where possible.
                if (haveA != y0)
                {
                    if (haveB == y0) { (rowsA, rowsB) = (rowsB, rowsA); (haveA, haveB) = (haveB, haveA); }
                    else { Horizontal(src.Slice(y0 * srcStride, srcW * cn), dstW, xofs, alpha, rowsA); haveA = y0; }
                }
                if (haveB != y1) { Horizontal(src.Slice(y1 * srcStride, srcW * cn), dstW, xofs, alpha, rowsB); haveB = y1; }

                var o = outRow.AsSpan(0, dstW * cn);
                var ra = rowsA.AsSpan(0, dstW * cn);
                var rb = rowsB.AsSpan(0, dstW * cn);
                for (int i = 0; i < o.Length; i++)
                {
                    int v = ((((ra[i] >> 4) * b0) >> 16) + (((rb[i] >> 4) * b1) >> 16) + 2) >> 2;
                    o[i] = (byte)Math.Clamp(v, 0, 255);
                }
                rowSink.Write(dy, o);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(xofs);
            ArrayPool<short>.Shared.Return(alpha);
            ArrayPool<int>.Shared.Return(rowsA);
            ArrayPool<int>.Shared.Return(rowsB);
            ArrayPool<byte>.Shared.Return(outRow);
        }
    }


    /// <summary>Source index and the two fixed-point weights for each destination column.</summary>
    private static void Coefficients(int srcW, int dstW, int[] xofs, short[] alpha, bool clampWeights)
    {
        double scaleX = 1.0 / ((double)dstW / srcW);
        for (int dx = 0; dx < dstW; dx++)
        {
            float fx = (float)((dx + 0.5) * scaleX - 0.5);
            int sx = (int)MathF.Floor(fx);
            fx -= sx;
            if (clampWeights && sx < 0) { fx = 0; sx = 0; }
            if (clampWeights && sx >= srcW - 1) { fx = 0; sx = srcW - 1; }
            xofs[dx] = sx;
            alpha[2 * dx] = Saturate((1f - fx) * CoefScale);
            alpha[2 * dx + 1] = Saturate(fx * CoefScale);
        }
    }

    private static void Horizontal(ReadOnlySpan<byte> row, int dstW, int[] xofs, short[] alpha, int[] dst)
    {
        int last = row.Length / 3 - 1;
        for (int dx = 0; dx < dstW; dx++)
        {
            int sx = xofs[dx], sx1 = Math.Min(sx + 1, last);
            int a0 = alpha[2 * dx], a1 = alpha[2 * dx + 1];
            int p = sx * 3, q = sx1 * 3, d = dx * 3;
            dst[d] = row[p] * a0 + row[q] * a1;
            dst[d + 1] = row[p + 1] * a0 + row[q + 1] * a1;
            dst[d + 2] = row[p + 2] * a0 + row[q + 2] * a1;
        }
    }

    // saturate_cast<short>(float): round half to even, then clamp.
    private static short Saturate(float v) => (short)Math.Clamp((int)MathF.Round(v, MidpointRounding.ToEven), short.MinValue, short.MaxValue);
}

/// <summary>Receives resized rows in order; a (ref) struct so the call inlines.</summary>
public interface IRowSink
{
    void Write(int y, ReadOnlySpan<byte> row);
}
