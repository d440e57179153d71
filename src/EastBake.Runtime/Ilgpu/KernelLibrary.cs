using EastBake.Runtime.Engine;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace EastBake.Runtime.Ilgpu;

/// <summary>One enqueue of a layer for a concrete input size; never synchronizes.</summary>
internal delegate void Step(AcceleratorStream stream, int height, int width);

/// <summary>What steps need from the executor: device views of tensors and weights, and launch sizes.</summary>
internal sealed class StepContext(EngineProgram program, Accelerator accelerator, ArrayView<byte> arena,
    MemoryPlan plan, ArrayView<byte> weights, long[] weightOffsets, IReadOnlyList<EngineWeight> deviceWeights)
{
    public EngineProgram Program => program;

    /// <summary>The weights as uploaded (a filter may have been re-laid out for the kernel that runs here).</summary>
    public EngineWeight WeightInfo(int w) => deviceWeights[w];
    public Accelerator Accelerator => accelerator;

    public ArrayView<byte> Tensor(int t) => arena.SubView(plan.Offsets[t], plan.Sizes[t]);

    public ArrayView<byte> Weight(int w) => weights.SubView(weightOffsets[w], deviceWeights[w].Data.Length);

    /// <summary>
    /// Threads per group: the tactic's, else 256 (1 on ILGPU's CPU accelerator, which runs the threads
    /// of a group as OS threads in barrier lockstep: one thread per group is several times faster there);
    /// never above the device limit.
    /// </summary>
    public int GroupSize(Tactic t) =>
        Math.Clamp(t.GroupSize > 0 ? t.GroupSize : accelerator is CPUAccelerator ? 1 : 256, 1, accelerator.MaxNumThreadsPerGroup);

    public EngineTensor Info(TensorRef r) => program.Tensors[r.Tensor];

    public static KernelConfig Config(int total, int group) => new((total + group - 1) / group, group);
}

/// <summary>Kernel loading and step building for layers whose tensors are stored as <typeparamref name="T"/>.</summary>
internal interface IKernelLibrary
{
    Step Build(EngineLayer layer, StepContext ctx);

    Step InputStep(InputConvertLayer layer, StepContext ctx, ArrayView<float> image, ArrayView<float> mean);

    /// <summary>Copies <paramref name="channels"/> channels from a <typeparamref name="TIn"/> slice into a slice of this library's type.</summary>
    Step ConvertFrom<TIn, TInOps>(ArrayView<byte> src, int srcStride, int srcOffset, EngineTensor srcShape,
        ArrayView<byte> dst, int dstStride, int dstOffset, int channels, int group)
        where TIn : unmanaged where TInOps : struct, IElementOps<TIn>;

    /// <summary>Double dispatch: converts from this library's type into <paramref name="target"/>'s type.</summary>
    Step ConvertTo(IKernelLibrary target, ArrayView<byte> src, int srcStride, int srcOffset, EngineTensor srcShape,
        ArrayView<byte> dst, int dstStride, int dstOffset, int channels, int group);
}

internal sealed class KernelLibrary<T, TOps>(Accelerator acc) : IKernelLibrary
    where T : unmanaged where TOps : struct, IElementOps<T>
{
    private Action<AcceleratorStream, KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<float>, ArrayView<T>, ArrayView<T>, ConvArgs,
        SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>? _conv;
    private Action<AcceleratorStream, KernelConfig, ArrayView<T>, ArrayView<T>, PoolArgs,
        SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>? _pool;
    private Action<AcceleratorStream, KernelConfig, ArrayView<T>, ArrayView<T>, ResizeArgs>? _resize;
    private Action<AcceleratorStream, KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, EltArgs>? _add;
    private Action<AcceleratorStream, KernelConfig, ArrayView<T>, ArrayView<T>, EltArgs>? _sigmoid, _geometry;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<T>, EltArgs>? _input;
    private Action<AcceleratorStream, KernelConfig, ArrayView<T>, ArrayView<float>, ArrayView<float>, ArrayView<T>, EltArgs>? _scaleShift;
    private Action<AcceleratorStream, KernelConfig, ArrayView<T>, EltArgs>? _zero;
    private readonly Dictionary<Type, Delegate> _convertFrom = [];

    private ArrayView<T> V(ArrayView<byte> bytes) => bytes.Cast<T>();

    public Step Build(EngineLayer layer, StepContext ctx) => layer switch
    {
        Conv2DLayer c => Conv(c, ctx),
        MaxPoolLayer m => Pool(m, ctx),
        AddLayer a => Add(a, ctx),
        ResizeBilinearLayer r => Resize(r, ctx),
        SigmoidLayer s => Unary(ref _sigmoid, ElementwiseKernels.Sigmoid<T, TOps>, s.Input, s.Output, s.Channels, 0, 0, layer, ctx),
        GeometryHeadLayer g => Unary(ref _geometry, ElementwiseKernels.Geometry<T, TOps>, g.Input, g.Output, GeometryHeadLayer.Channels,
            g.TextScale, g.AngleScale, layer, ctx),
        ConcatLayer cc => Concat(cc, ctx),
        ScaleShiftLayer ss => ScaleShift(ss, ctx),
        QuantizeLayer q => Quantize(q, ctx),
        QuantizedConv2DLayer qc => QuantizedConv(qc, ctx),
        _ => throw new NotSupportedException($"layer kind {layer.Kind} is not built by the kernel library"),
    };

    private Action<AcceleratorStream, KernelConfig, ArrayView<T>, ArrayView<sbyte>, QuantizeArgs>? _quantize;
    private Int8Convolution<T, TOps>? _int8;

    /// <summary>This library's float tensor → an int8 slice.</summary>
    private Step Quantize(QuantizeLayer q, StepContext ctx)
    {
        _quantize ??= acc.LoadKernel<ArrayView<T>, ArrayView<sbyte>, QuantizeArgs>(Int8ConvKernels.Quantize<T, TOps>);
        var kernel = _quantize;
        var input = V(ctx.Tensor(q.Input.Tensor));
        var output = ctx.Tensor(q.Output.Tensor).Cast<sbyte>();
        EngineTensor inT = ctx.Info(q.Input), outT = ctx.Info(q.Output);
        var baseArgs = new QuantizeArgs
        {
            InStride = inT.Channels, InOffset = q.Input.ChannelOffset, OutStride = outT.Channels, OutOffset = q.Output.ChannelOffset,
            Channels = q.Channels, Scale = q.Scale,
        };
        int group = ctx.GroupSize(q.Tactic);
        return (stream, h, w) =>
        {
            var a = baseArgs;
            a.Total = inT.Height(h) * inT.Width(w) * q.Channels;
            kernel(stream, StepContext.Config(a.Total, group), input, output, a);
        };
    }

    /// <summary>An INT8 layer on the dp4a (CUDA) or scalar kernel; its residual and float output are this library's type.</summary>
    private Step QuantizedConv(QuantizedConv2DLayer q, StepContext ctx)
    {
        var c = q.Conv;
        _int8 ??= new Int8Convolution<T, TOps>(acc);
        var conv = _int8;
        var input = ctx.Tensor(c.Input.Tensor).Cast<sbyte>();
        var filter = ctx.Weight(c.Filter).Cast<sbyte>();
        var epilogue = ctx.Weight(q.Epilogue).Cast<float>();
        EngineTensor inT = ctx.Info(c.Input), outT = ctx.Info(c.Output);
        bool int8Out = outT.DataType == EngineDataType.Int8;
        var outBytes = ctx.Tensor(c.Output.Tensor);
        var outFloat = int8Out ? default : V(outBytes);
        var outInt8 = int8Out ? outBytes.Cast<sbyte>() : default;
        var residual = c.Residual is { } r ? V(ctx.Tensor(r.Tensor)) : outFloat;
        var baseArgs = new Int8ConvArgs
        {
            InStride = inT.Channels, InChannels = c.InChannels, InOffset = c.Input.ChannelOffset,
            OutStride = outT.Channels, OutChannels = c.OutChannels, OutOffset = c.Output.ChannelOffset,
            PadTop = c.PadTop, PadLeft = c.PadLeft,
            ResStride = c.Residual is { } r2 ? ctx.Info(r2).Channels : 0, ResOffset = c.Residual?.ChannelOffset ?? 0,
            HasResidual = c.Residual.HasValue ? 1 : 0, Relu = c.Activation == EngineActivation.Relu ? 1 : 0,
            Mode = (int)(int8Out ? Int8ConvOutput.Int8 : Int8ConvOutput.Float), InputScale = 1f, OutputScale = q.OutputScale,
        };
        int group = ctx.GroupSize(q.Tactic);
        var geometry = (c.KernelH, c.KernelW, c.StrideH, c.StrideW);
        return (stream, h, w) =>
        {
            var a = baseArgs;
            a.InH = inT.Height(h); a.InW = inT.Width(w);
            a.OutH = outT.Height(h); a.OutW = outT.Width(w);
            a.Total = a.OutH * a.OutW * a.OutChannels;
            conv.Launch(stream, input, filter, epilogue, residual, outFloat, outInt8, default, a, geometry, group);
        };
    }

    private Step Conv(Conv2DLayer c, StepContext ctx)
    {
        if (ctx.WeightInfo(c.Filter).Layout != WeightLayout.Hwio)
            throw new NotSupportedException($"layer '{c.Name}': the direct convolution reads HWIO filters, not {ctx.WeightInfo(c.Filter).Layout}");
        _conv ??= acc.LoadKernel<ArrayView<T>, ArrayView<T>, ArrayView<float>, ArrayView<T>, ArrayView<T>, ConvArgs,
            SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>(ConvKernels.Direct<T, TOps>);
        var kernel = _conv;
        var input = V(ctx.Tensor(c.Input.Tensor));
        var output = V(ctx.Tensor(c.Output.Tensor));
        var filter = V(ctx.Weight(c.Filter));
        var bias = c.Bias >= 0 ? ctx.Weight(c.Bias).Cast<float>() : ctx.Weight(c.Filter).Cast<float>(); // dummy when unused
        var residual = c.Residual is { } r ? V(ctx.Tensor(r.Tensor)) : output;
        EngineTensor inT = ctx.Info(c.Input), outT = ctx.Info(c.Output);
        var baseArgs = new ConvArgs
        {
            InStride = inT.Channels, InOffset = c.Input.ChannelOffset, InChannels = c.InChannels,
            OutStride = outT.Channels, OutOffset = c.Output.ChannelOffset, OutChannels = c.OutChannels,
            PadTop = c.PadTop, PadLeft = c.PadLeft,
            ResStride = c.Residual is { } r2 ? ctx.Info(r2).Channels : 0, ResOffset = c.Residual?.ChannelOffset ?? 0,
            HasResidual = c.Residual.HasValue ? 1 : 0, HasBias = c.Bias >= 0 ? 1 : 0, Activation = (int)c.Activation,
            TextScale = c.TextScale, AngleScale = c.AngleScale,
        };
        var kh = SpecializedValue.New(c.KernelH);
        var kw = SpecializedValue.New(c.KernelW);
        var sh = SpecializedValue.New(c.StrideH);
        var sw = SpecializedValue.New(c.StrideW);
        int group = ctx.GroupSize(c.Tactic);
        return (stream, h, w) =>
        {
            var a = baseArgs;
            a.InH = inT.Height(h); a.InW = inT.Width(w);
            a.OutH = outT.Height(h); a.OutW = outT.Width(w);
            a.Total = a.OutH * a.OutW * a.OutChannels;
            kernel(stream, StepContext.Config(a.Total, group), input, filter, bias, residual, output, a, kh, kw, sh, sw);
        };
    }

    private Step Pool(MaxPoolLayer m, StepContext ctx)
    {
        _pool ??= acc.LoadKernel<ArrayView<T>, ArrayView<T>, PoolArgs,
            SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>(MaxPoolKernels.MaxPool<T, TOps>);
        var kernel = _pool;
        var input = V(ctx.Tensor(m.Input.Tensor));
        var output = V(ctx.Tensor(m.Output.Tensor));
        EngineTensor inT = ctx.Info(m.Input), outT = ctx.Info(m.Output);
        var baseArgs = new PoolArgs
        {
            InStride = inT.Channels, InOffset = m.Input.ChannelOffset, OutStride = outT.Channels, OutOffset = m.Output.ChannelOffset,
            Channels = m.Channels, PadTop = m.PadTop, PadLeft = m.PadLeft,
        };
        var kh = SpecializedValue.New(m.KernelH);
        var kw = SpecializedValue.New(m.KernelW);
        var sh = SpecializedValue.New(m.StrideH);
        var sw = SpecializedValue.New(m.StrideW);
        int group = ctx.GroupSize(m.Tactic);
        return (stream, h, w) =>
        {
            var a = baseArgs;
            a.InH = inT.Height(h); a.InW = inT.Width(w);
            a.OutH = outT.Height(h); a.OutW = outT.Width(w);
            a.Total = a.OutH * a.OutW * a.Channels;
            kernel(stream, StepContext.Config(a.Total, group), input, output, a, kh, kw, sh, sw);
        };
    }

    private Step Resize(ResizeBilinearLayer r, StepContext ctx)
    {
        _resize ??= acc.LoadKernel<ArrayView<T>, ArrayView<T>, ResizeArgs>(ResizeKernels.BilinearLegacy<T, TOps>);
        var kernel = _resize;
        var input = V(ctx.Tensor(r.Input.Tensor));
        var output = V(ctx.Tensor(r.Output.Tensor));
        EngineTensor inT = ctx.Info(r.Input), outT = ctx.Info(r.Output);
        var baseArgs = new ResizeArgs
        {
            InStride = inT.Channels, InOffset = r.Input.ChannelOffset, OutStride = outT.Channels, OutOffset = r.Output.ChannelOffset,
            Channels = r.Channels,
        };
        int group = ctx.GroupSize(r.Tactic);
        return (stream, h, w) =>
        {
            var a = baseArgs;
            a.InH = inT.Height(h); a.InW = inT.Width(w);
            a.OutH = outT.Height(h); a.OutW = outT.Width(w);
            a.ScaleY = (float)a.InH / a.OutH;
            a.ScaleX = (float)a.InW / a.OutW;
            a.Total = a.OutH * a.OutW * a.Channels;
            kernel(stream, StepContext.Config(a.Total, group), input, output, a);
        };
    }

    private Step Add(AddLayer l, StepContext ctx)
    {
        _add ??= acc.LoadKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, EltArgs>(ElementwiseKernels.Add<T, TOps>);
        var kernel = _add;
        var a = V(ctx.Tensor(l.A.Tensor));
        var b = V(ctx.Tensor(l.B.Tensor));
        var o = V(ctx.Tensor(l.Output.Tensor));
        var outT = ctx.Info(l.Output);
        var baseArgs = new EltArgs
        {
            Channels = l.Channels, AStride = ctx.Info(l.A).Channels, AOffset = l.A.ChannelOffset,
            BStride = ctx.Info(l.B).Channels, BOffset = l.B.ChannelOffset, OutStride = outT.Channels, OutOffset = l.Output.ChannelOffset,
            Relu = l.Relu ? 1 : 0,
        };
        int group = ctx.GroupSize(l.Tactic);
        return (stream, h, w) =>
        {
            var e = baseArgs;
            e.Total = outT.Height(h) * outT.Width(w) * e.Channels;
            kernel(stream, StepContext.Config(e.Total, group), a, b, o, e);
        };
    }

    private Step Unary(ref Action<AcceleratorStream, KernelConfig, ArrayView<T>, ArrayView<T>, EltArgs>? slot,
        Action<ArrayView<T>, ArrayView<T>, EltArgs> method, TensorRef inRef, TensorRef outRef, int channels, float p0, float p1,
        EngineLayer layer, StepContext ctx)
    {
        slot ??= acc.LoadKernel(method);
        var kernel = slot;
        var input = V(ctx.Tensor(inRef.Tensor));
        var output = V(ctx.Tensor(outRef.Tensor));
        var outT = ctx.Info(outRef);
        var baseArgs = new EltArgs
        {
            Channels = channels, AStride = ctx.Info(inRef).Channels, AOffset = inRef.ChannelOffset,
            OutStride = outT.Channels, OutOffset = outRef.ChannelOffset, P0 = p0, P1 = p1,
        };
        int group = ctx.GroupSize(layer.Tactic);
        return (stream, h, w) =>
        {
            var e = baseArgs;
            e.Total = outT.Height(h) * outT.Width(w) * channels;
            kernel(stream, StepContext.Config(e.Total, group), input, output, e);
        };
    }

    /// <summary>InputConvert: the executor stages the host image; the mean (zeros if none) sits in the weight buffer.</summary>
    public Step InputStep(InputConvertLayer l, StepContext ctx, ArrayView<float> image, ArrayView<float> mean)
    {
        _input ??= acc.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<T>, EltArgs>(ElementwiseKernels.InputConvert<T, TOps>);
        var kernel = _input;
        var output = V(ctx.Tensor(l.Output.Tensor));
        var outT = ctx.Info(l.Output);
        var baseArgs = new EltArgs
        {
            Channels = l.OutputChannels, AStride = l.InputChannels, OutStride = outT.Channels, OutOffset = l.Output.ChannelOffset,
        };
        int group = ctx.GroupSize(l.Tactic);
        return (stream, h, w) =>
        {
            var e = baseArgs;
            e.Total = h * w * e.Channels;
            kernel(stream, StepContext.Config(e.Total, group), image, mean, output, e);
        };
    }

    private Step Concat(ConcatLayer cc, StepContext ctx)
    {
        var outT = ctx.Info(cc.Output);
        var dst = ctx.Tensor(cc.Output.Tensor);
        int offset = cc.Output.ChannelOffset;
        var steps = new List<Step>();
        foreach (var (input, channels) in cc.Inputs)
        {
            var inT = ctx.Info(input);
            steps.Add(ConvertFrom<T, TOps>(ctx.Tensor(input.Tensor), inT.Channels, input.ChannelOffset, inT,
                dst, outT.Channels, offset, channels, ctx.GroupSize(cc.Tactic)));
            offset += channels;
        }
        if (cc.ZeroChannels > 0) steps.Add(Zero(dst, outT, offset, cc.ZeroChannels, ctx.GroupSize(cc.Tactic)));
        var all = steps.ToArray();
        return (stream, h, w) =>
        {
            foreach (var s in all) s(stream, h, w);
        };
    }

    private Step Zero(ArrayView<byte> dst, EngineTensor shape, int offset, int channels, int group)
    {
        _zero ??= acc.LoadKernel<ArrayView<T>, EltArgs>(ElementwiseKernels.Zero<T, TOps>);
        var kernel = _zero;
        var output = V(dst);
        var baseArgs = new EltArgs { Channels = channels, OutStride = shape.Channels, OutOffset = offset };
        return (stream, h, w) =>
        {
            var e = baseArgs;
            e.Total = shape.Height(h) * shape.Width(w) * channels;
            kernel(stream, StepContext.Config(e.Total, group), output, e);
        };
    }

    private Step ScaleShift(ScaleShiftLayer l, StepContext ctx)
    {
        _scaleShift ??= acc.LoadKernel<ArrayView<T>, ArrayView<float>, ArrayView<float>, ArrayView<T>, EltArgs>(ElementwiseKernels.ScaleShift<T, TOps>);
        var kernel = _scaleShift;
        var input = V(ctx.Tensor(l.Input.Tensor));
        var output = V(ctx.Tensor(l.Output.Tensor));
        var scale = ctx.Weight(l.Scale).Cast<float>();
        var shift = ctx.Weight(l.Shift).Cast<float>();
        var outT = ctx.Info(l.Output);
        var baseArgs = new EltArgs
        {
            Channels = l.Channels, AStride = ctx.Info(l.Input).Channels, AOffset = l.Input.ChannelOffset,
            OutStride = outT.Channels, OutOffset = l.Output.ChannelOffset, Relu = (int)l.Activation,
        };
        int group = ctx.GroupSize(l.Tactic);
        return (stream, h, w) =>
        {
            var e = baseArgs;
            e.Total = outT.Height(h) * outT.Width(w) * e.Channels;
            kernel(stream, StepContext.Config(e.Total, group), input, scale, shift, output, e);
        };
    }

    public Step ConvertFrom<TIn, TInOps>(ArrayView<byte> src, int srcStride, int srcOffset, EngineTensor srcShape,
        ArrayView<byte> dst, int dstStride, int dstOffset, int channels, int group)
        where TIn : unmanaged where TInOps : struct, IElementOps<TIn>
    {
        if (!_convertFrom.TryGetValue(typeof(TInOps), out var d))
            _convertFrom[typeof(TInOps)] = d = acc.LoadKernel<ArrayView<TIn>, ArrayView<T>, EltArgs>(ElementwiseKernels.Convert<TIn, TInOps, T, TOps>);
        var kernel = (Action<AcceleratorStream, KernelConfig, ArrayView<TIn>, ArrayView<T>, EltArgs>)d;
        var input = src.Cast<TIn>();
        var output = V(dst);
        var baseArgs = new EltArgs { Channels = channels, AStride = srcStride, AOffset = srcOffset, OutStride = dstStride, OutOffset = dstOffset };
        return (stream, h, w) =>
        {
            var e = baseArgs;
            e.Total = srcShape.Height(h) * srcShape.Width(w) * channels;
            kernel(stream, StepContext.Config(e.Total, group), input, output, e);
        };
    }

    public Step ConvertTo(IKernelLibrary target, ArrayView<byte> src, int srcStride, int srcOffset, EngineTensor srcShape,
        ArrayView<byte> dst, int dstStride, int dstOffset, int channels, int group) =>
        target.ConvertFrom<T, TOps>(src, srcStride, srcOffset, srcShape, dst, dstStride, dstOffset, channels, group);
}
