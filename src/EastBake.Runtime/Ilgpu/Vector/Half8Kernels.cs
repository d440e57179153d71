using EastBake.Runtime.Engine;
using ILGPU;
using ILGPU.Runtime;

namespace EastBake.Runtime.Ilgpu.Vector;

/// <summary>Device addresses and sizes of one 8-channel vector launch.</summary>
public struct Half8Args
{
    public int InH, InW, InStride, InOffset;
    public int OutH, OutW, OutStride, OutOffset, Chunks;
    public int PadTop, PadLeft;
    public float ScaleY, ScaleX;
    public long InputAddress, OutputAddress;
    public int Total;
}

/// <summary>
/// CUDA kernels for the memory-bound FP16 layers, one thread per output pixel and 8 channels
/// (16-byte accesses through <see cref="PtxHalf8"/>): max pooling and TF's legacy bilinear resize,
/// with the same arithmetic as the portable kernels.
/// </summary>
public static class Half8Kernels
{
    public static void MaxPool(ArrayView<ushort> input, Half8Args a,
        SpecializedValue<int> kh, SpecializedValue<int> kw, SpecializedValue<int> sh, SpecializedValue<int> sw)
    {
        PtxHalf8.DeclareMax();
        int idx = Grid.GlobalIndex.X;
        if (idx >= a.Total) return;
        int chunk = idx % a.Chunks, pixel = idx / a.Chunks;
        int ow = pixel % a.OutW, oh = pixel / a.OutW;
        int ih0 = oh * sh.Value - a.PadTop, iw0 = ow * sw.Value - a.PadLeft;
        PtxHalf8.MaxInit();
        for (int ky = 0; ky < kh.Value; ky++)
        {
            int ih = ih0 + ky;
            if (ih < 0 || ih >= a.InH) continue;
            for (int kx = 0; kx < kw.Value; kx++)
            {
                int iw = iw0 + kx;
                if (iw < 0 || iw >= a.InW) continue;
                PtxHalf8.MaxTap(a.InputAddress + 2L * ((ih * a.InW + iw) * a.InStride + a.InOffset + 8 * chunk));
            }
        }
        PtxHalf8.MaxStore(a.OutputAddress + 2L * (pixel * a.OutStride + a.OutOffset + 8 * chunk));
        if (a.Total < 0) input[0] = 0; // never: keeps the view parameter (and its buffer) referenced
    }

    public static void Resize(ArrayView<ushort> input, Half8Args a)
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= a.Total) return;
        int chunk = idx % a.Chunks, pixel = idx / a.Chunks;
        int ox = pixel % a.OutW, oy = pixel / a.OutW;
        float fy = oy * a.ScaleY, fx = ox * a.ScaleX;
        int y0 = (int)MathF.Floor(fy), x0 = (int)MathF.Floor(fx);
        int y1 = y0 + 1 < a.InH ? y0 + 1 : a.InH - 1;
        int x1 = x0 + 1 < a.InW ? x0 + 1 : a.InW - 1;
        PtxHalf8.Blend(Tap(a, y0, x0, chunk), Tap(a, y0, x1, chunk), Tap(a, y1, x0, chunk), Tap(a, y1, x1, chunk), fx - x0, fy - y0,
            a.OutputAddress + 2L * (pixel * a.OutStride + a.OutOffset + 8 * chunk));
        if (a.Total < 0) input[0] = 0;
    }

    /// <summary>FP16 → int8 (the boundary into INT8 layers); ScaleY carries the int8 step.</summary>
    public static void Quantize(ArrayView<ushort> input, Half8Args a)
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= a.Total) return;
        int chunk = idx % a.Chunks, pixel = idx / a.Chunks;
        PtxHalf8.Quantize(a.InputAddress + 2L * (pixel * a.InStride + a.InOffset + 8 * chunk),
            a.OutputAddress + pixel * a.OutStride + a.OutOffset + 8 * chunk, a.ScaleY);
        if (a.Total < 0) input[0] = 0;
    }

    private static long Tap(in Half8Args a, int y, int x, int chunk) =>
        a.InputAddress + 2L * ((y * a.InW + x) * a.InStride + a.InOffset + 8 * chunk);

    /// <summary>Whether an FP16 → int8 quantize between these slices can take the 8-channel path.</summary>
    public static bool EligibleQuantize(EngineProgram p, QuantizeLayer q) =>
        p.Tensors[q.Input.Tensor].DataType == EngineDataType.Float16 && p.Tensors[q.Output.Tensor].DataType == EngineDataType.Int8 &&
        q.Channels % 8 == 0 && p.Tensors[q.Input.Tensor].Channels % 8 == 0 && q.Input.ChannelOffset % 8 == 0 &&
        p.Tensors[q.Output.Tensor].Channels % 8 == 0 && q.Output.ChannelOffset % 8 == 0;

    /// <summary>Whether a pool or resize between these slices can take the 8-channel path.</summary>
    public static bool Eligible(EngineProgram p, TensorRef input, TensorRef output, int channels) =>
        p.Tensors[input.Tensor].DataType == EngineDataType.Float16 && p.Tensors[output.Tensor].DataType == EngineDataType.Float16 &&
        channels % 8 == 0 && p.Tensors[input.Tensor].Channels % 8 == 0 && input.ChannelOffset % 8 == 0 &&
        p.Tensors[output.Tensor].Channels % 8 == 0 && output.ChannelOffset % 8 == 0;
}

/// <summary>Builds the steps of the 8-channel CUDA kernels.</summary>
internal sealed class Half8Library(Accelerator accelerator)
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<ushort>, Half8Args,
        SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>? _pool;
    private Action<AcceleratorStream, KernelConfig, ArrayView<ushort>, Half8Args>? _resize;

    private static Half8Args Base(StepContext ctx, TensorRef input, TensorRef output, int channels)
    {
        var i = ctx.Tensor(input.Tensor).Cast<ushort>();
        var o = ctx.Tensor(output.Tensor).Cast<ushort>();
        return new Half8Args
        {
            InStride = ctx.Info(input).Channels, InOffset = input.ChannelOffset,
            OutStride = ctx.Info(output).Channels, OutOffset = output.ChannelOffset, Chunks = channels / 8,
            InputAddress = i.LoadEffectiveAddressAsPtr().ToInt64(), OutputAddress = o.LoadEffectiveAddressAsPtr().ToInt64(),
        };
    }

    public Step Pool(MaxPoolLayer m, StepContext ctx)
    {
        _pool ??= accelerator.LoadKernel<ArrayView<ushort>, Half8Args, SpecializedValue<int>, SpecializedValue<int>,
            SpecializedValue<int>, SpecializedValue<int>>(Half8Kernels.MaxPool);
        var kernel = _pool;
        var input = ctx.Tensor(m.Input.Tensor).Cast<ushort>();
        EngineTensor inT = ctx.Info(m.Input), outT = ctx.Info(m.Output);
        var baseArgs = Base(ctx, m.Input, m.Output, m.Channels);
        baseArgs.PadTop = m.PadTop; baseArgs.PadLeft = m.PadLeft;
        var kh = SpecializedValue.New(m.KernelH);
        var kw = SpecializedValue.New(m.KernelW);
        var sh = SpecializedValue.New(m.StrideH);
        var sw = SpecializedValue.New(m.StrideW);
        return (stream, h, w) =>
        {
            var a = baseArgs;
            a.InH = inT.Height(h); a.InW = inT.Width(w);
            a.OutH = outT.Height(h); a.OutW = outT.Width(w);
            a.Total = a.OutH * a.OutW * a.Chunks;
            kernel(stream, StepContext.Config(a.Total, 256), input, a, kh, kw, sh, sw);
        };
    }

    private Action<AcceleratorStream, KernelConfig, ArrayView<ushort>, Half8Args>? _quantize;

    public Step Quantize(QuantizeLayer q, StepContext ctx)
    {
        _quantize ??= accelerator.LoadKernel<ArrayView<ushort>, Half8Args>(Half8Kernels.Quantize);
        var kernel = _quantize;
        var input = ctx.Tensor(q.Input.Tensor).Cast<ushort>();
        EngineTensor inT = ctx.Info(q.Input);
        var baseArgs = Base(ctx, q.Input, q.Output, q.Channels);
        baseArgs.ScaleY = q.Scale;
        return (stream, h, w) =>
        {
            var a = baseArgs;
            a.Total = inT.Height(h) * inT.Width(w) * a.Chunks;
            kernel(stream, StepContext.Config(a.Total, 256), input, a);
        };
    }

    public Step Resize(ResizeBilinearLayer r, StepContext ctx)
    {
        _resize ??= accelerator.LoadKernel<ArrayView<ushort>, Half8Args>(Half8Kernels.Resize);
        var kernel = _resize;
        var input = ctx.Tensor(r.Input.Tensor).Cast<ushort>();
        EngineTensor inT = ctx.Info(r.Input), outT = ctx.Info(r.Output);
        var baseArgs = Base(ctx, r.Input, r.Output, r.Channels);
        return (stream, h, w) =>
        {
            var a = baseArgs;
            a.InH = inT.Height(h); a.InW = inT.Width(w);
            a.OutH = outT.Height(h); a.OutW = outT.Width(w);
            a.ScaleY = (float)a.InH / a.OutH;
            a.ScaleX = (float)a.InW / a.OutW;
            a.Total = a.OutH * a.OutW * a.Chunks;
            kernel(stream, StepContext.Config(a.Total, 256), input, a);
        };
    }
}
