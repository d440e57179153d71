using ILGPU;

namespace EastBake.Runtime.Ilgpu;

public struct ResizeArgs
{
    public int InH, InW, InStride, InOffset;
    public int OutH, OutW, OutStride, OutOffset, Channels;
    public float ScaleY, ScaleX; // in / out, as TF computes it (float)
    public int Total;
}

/// <summary>TF legacy bilinear resize (align_corners = false, half_pixel_centers = false).</summary>
public static class ResizeKernels
{
    public static void BilinearLegacy<T, TOps>(ArrayView<T> input, ArrayView<T> output, ResizeArgs a)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= a.Total) return;
        var ops = default(TOps);
        int c = idx % a.Channels;
        int pixel = idx / a.Channels;
        int ox = pixel % a.OutW;
        int oy = pixel / a.OutW;

        float fy = oy * a.ScaleY, fx = ox * a.ScaleX;
        int y0 = (int)MathF.Floor(fy), x0 = (int)MathF.Floor(fx);
        int y1 = y0 + 1 < a.InH ? y0 + 1 : a.InH - 1;
        int x1 = x0 + 1 < a.InW ? x0 + 1 : a.InW - 1;
        float dy = fy - y0, dx = fx - x0;

        int row0 = y0 * a.InW, row1 = y1 * a.InW, off = a.InOffset + c;
        float tl = ops.ToFloat(input[(row0 + x0) * a.InStride + off]);
        float tr = ops.ToFloat(input[(row0 + x1) * a.InStride + off]);
        float bl = ops.ToFloat(input[(row1 + x0) * a.InStride + off]);
        float br = ops.ToFloat(input[(row1 + x1) * a.InStride + off]);
        float top = tl + (tr - tl) * dx;
        float bottom = bl + (br - bl) * dx;
        output[pixel * a.OutStride + a.OutOffset + c] = ops.FromFloat(top + (bottom - top) * dy);
    }
}
