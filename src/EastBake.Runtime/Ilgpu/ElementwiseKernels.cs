using ILGPU;

namespace EastBake.Runtime.Ilgpu;

/// <summary>Strides of up to three channel slices over the same pixels.</summary>
public struct EltArgs
{
    public int Channels;
    public int AStride, AOffset, BStride, BOffset, OutStride, OutOffset;
    public int Relu;       // Add: 1 for ReLU; ScaleShift: the EngineActivation applied first
    public float P0, P1; // GeometryHead: text scale, angle scale
    public int Total;    // pixels · Channels
}

/// <summary>Per-element layers: add(+ReLU), sigmoid, scale-shift, the EAST geometry head, slice copy, zero fill.</summary>
public static class ElementwiseKernels
{
    public static void Add<T, TOps>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> output, EltArgs e)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= e.Total) return;
        var ops = default(TOps);
        int c = idx % e.Channels, p = idx / e.Channels;
        float v = ops.ToFloat(a[p * e.AStride + e.AOffset + c]) + ops.ToFloat(b[p * e.BStride + e.BOffset + c]);
        if (e.Relu != 0) v = v > 0f ? v : 0f;
        output[p * e.OutStride + e.OutOffset + c] = ops.FromFloat(v);
    }

    public static void Sigmoid<T, TOps>(ArrayView<T> input, ArrayView<T> output, EltArgs e)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= e.Total) return;
        var ops = default(TOps);
        int c = idx % e.Channels, p = idx / e.Channels;
        float v = ops.ToFloat(input[p * e.AStride + e.AOffset + c]);
        output[p * e.OutStride + e.OutOffset + c] = ops.FromFloat(1f / (1f + MathF.Exp(-v)));
    }

    /// <summary>y = act(x) · scale[c] + shift[c]; act is none (0), ReLU (1) or sigmoid (2).</summary>
    public static void ScaleShift<T, TOps>(ArrayView<T> input, ArrayView<float> scale, ArrayView<float> shift, ArrayView<T> output, EltArgs e)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= e.Total) return;
        var ops = default(TOps);
        int c = idx % e.Channels, p = idx / e.Channels;
        float v = ops.ToFloat(input[p * e.AStride + e.AOffset + c]);
        if (e.Relu == 1) v = v > 0f ? v : 0f;
        else if (e.Relu == 2) v = 1f / (1f + MathF.Exp(-v));
        output[p * e.OutStride + e.OutOffset + c] = ops.FromFloat(v * scale[c] + shift[c]);
    }

    /// <summary>Writes exact zeros into a channel slice (alignment padding behind a concat copy).</summary>
    public static void Zero<T, TOps>(ArrayView<T> output, EltArgs e)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= e.Total) return;
        int c = idx % e.Channels, p = idx / e.Channels;
        output[p * e.OutStride + e.OutOffset + c] = default(TOps).FromFloat(0f);
    }

    /// <summary>Channels 0..3: sigmoid · P0; channel 4: (sigmoid − 0.5) · P1. Channels is 5.</summary>
    public static void Geometry<T, TOps>(ArrayView<T> input, ArrayView<T> output, EltArgs e)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= e.Total) return;
        var ops = default(TOps);
        int c = idx % 5, p = idx / 5;
        float s = 1f / (1f + MathF.Exp(-ops.ToFloat(input[p * e.AStride + e.AOffset + c])));
        float v = c < 4 ? s * e.P0 : (s - 0.5f) * e.P1;
        output[p * e.OutStride + e.OutOffset + c] = ops.FromFloat(v);
    }

    /// <summary>Slice copy with a precision change (TIn → TOut); also used for concat and outputs.</summary>
    public static void Convert<TIn, TInOps, TOut, TOutOps>(ArrayView<TIn> input, ArrayView<TOut> output, EltArgs e)
        where TIn : unmanaged where TInOps : struct, IElementOps<TIn>
        where TOut : unmanaged where TOutOps : struct, IElementOps<TOut>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= e.Total) return;
        int c = idx % e.Channels, p = idx / e.Channels;
        float v = default(TInOps).ToFloat(input[p * e.AStride + e.AOffset + c]);
        output[p * e.OutStride + e.OutOffset + c] = default(TOutOps).FromFloat(v);
    }

    /// <summary>
    /// Host image (float, AStride channels per pixel) → activation with Channels channels: real
    /// channels get x − mean[c] (means in P-args are too few, so they come as a small view),
    /// padding channels get 0.
    /// </summary>
    public static void InputConvert<T, TOps>(ArrayView<float> image, ArrayView<float> mean, ArrayView<T> output, EltArgs e)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= e.Total) return;
        int c = idx % e.Channels, p = idx / e.Channels;
        float v = c < e.AStride ? image[p * e.AStride + c] - mean[c] : 0f;
        output[p * e.OutStride + e.OutOffset + c] = default(TOps).FromFloat(v);
    }
}
