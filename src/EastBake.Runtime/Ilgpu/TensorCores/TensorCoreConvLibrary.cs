using EastBake.Runtime.Engine;
using ILGPU;
using ILGPU.Runtime;

namespace EastBake.Runtime.Ilgpu.TensorCores;

/// <summary>
/// Loads the tensor-core convolution kernels (one per tile shape and FP16/INT8, with PTX or
/// emulated matrix operations) and builds the enqueue step of a layer whose tactic selects them.
/// </summary>
internal sealed class TensorCoreConvLibrary(Accelerator accelerator, bool emulate)
{
    private readonly Dictionary<(MmaTileShape, bool Int8), Action<AcceleratorStream, KernelConfig, ArrayView<ushort>, ArrayView<ushort>, ArrayView<float>,
        ArrayView<uint>, ArrayView<uint>, MmaConvArgs, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>> _kernels = [];

    public Step Build(Conv2DLayer c, StepContext ctx) => Build(c, c.Tactic, c.Bias, 0f, int8: false, ctx);

    /// <summary>
    /// An INT8 layer on the same kernel: int8 channel pairs are the 16-bit elements, so input
    /// channels, strides, offsets and K are halved; the epilogue vector is the "bias".
    /// </summary>
    public Step Build(QuantizedConv2DLayer q, StepContext ctx) => Build(q.Conv, q.Tactic, q.Epilogue, q.OutputScale, int8: true, ctx);

    private Step Build(Conv2DLayer c, Tactic tactic, int biasWeight, float outputScale, bool int8, StepContext ctx)
    {
        var shape = ConvTactics.Shape(tactic);
        if (!_kernels.TryGetValue((shape, int8), out var kernel)) _kernels[(shape, int8)] = kernel = Load(shape, int8);
        var (bm, bn) = ConvTactics.Size(shape);
        int threads = Threads(shape);
        int pair = int8 ? 2 : 1;

        var input = ctx.Tensor(c.Input.Tensor).Cast<ushort>();
        var filter = ctx.Weight(c.Filter).Cast<ushort>();
        var output = ctx.Tensor(c.Output.Tensor).Cast<uint>();
        var bias = biasWeight >= 0 ? ctx.Weight(biasWeight).Cast<float>() : ctx.Weight(c.Filter).Cast<float>(); // dummy when unused
        var residual = c.Residual is { } r ? ctx.Tensor(r.Tensor).Cast<uint>() : output;
        EngineTensor inT = ctx.Info(c.Input), outT = ctx.Info(c.Output);
        var baseArgs = new MmaConvArgs
        {
            InStride = inT.Channels / pair, InOffset = c.Input.ChannelOffset / pair,
            OutStride = outT.Channels, OutOffset = c.Output.ChannelOffset,
            Cout = c.OutChannels, K = c.KernelH * c.KernelW * c.InChannels / pair, OutputScale = outputScale,
            PadTop = c.PadTop, PadLeft = c.PadLeft,
            ResStride = c.Residual is { } r2 ? ctx.Info(r2).Channels : 0, ResOffset = c.Residual?.ChannelOffset ?? 0,
            HasResidual = c.Residual.HasValue ? 1 : 0, HasBias = biasWeight >= 0 ? 1 : 0, Activation = (int)c.Activation,
            TextScale = c.TextScale, AngleScale = c.AngleScale,
            InputAddress = emulate ? 0 : input.LoadEffectiveAddressAsPtr().ToInt64(),
            FilterAddress = emulate ? 0 : filter.LoadEffectiveAddressAsPtr().ToInt64(),
            BiasAddress = emulate ? 0 : bias.LoadEffectiveAddressAsPtr().ToInt64(),
            ResidualAddress = emulate ? 0 : residual.LoadEffectiveAddressAsPtr().ToInt64(),
            OutputAddress = emulate ? 0 : output.LoadEffectiveAddressAsPtr().ToInt64(),
        };
        var cin = SpecializedValue.New(c.InChannels / pair);
        var kw = SpecializedValue.New(c.KernelW);
        var stride = SpecializedValue.New(c.StrideH);
        int nTiles = (c.OutChannels + bn - 1) / bn;
        return (stream, h, w) =>
        {
            var a = baseArgs;
            a.InH = inT.Height(h); a.InW = inT.Width(w);
            a.OutH = outT.Height(h); a.OutW = outT.Width(w);
            a.M = a.OutH * a.OutW;
            var config = new KernelConfig(new Index3D((a.M + bm - 1) / bm, nTiles, 1), new Index3D(threads, 1, 1));
            kernel(stream, config, input, filter, bias, residual, output, a, cin, kw, stride);
        };
    }

    private static int Threads(MmaTileShape s) => s switch
    {
        MmaTileShape.T128x128 => Threads<Tile128x128>(),
        MmaTileShape.T128x64 => Threads<Tile128x64>(),
        MmaTileShape.T64x128 => Threads<Tile64x128>(),
        MmaTileShape.T64x64 => Threads<Tile64x64>(),
        MmaTileShape.T128x32 => Threads<Tile128x32>(),
        MmaTileShape.T64x32 => Threads<Tile64x32>(),
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    private static int Threads<TTile>() where TTile : struct, IMmaTile => 32 * default(TTile).WarpsM * default(TTile).WarpsN;

    private Action<AcceleratorStream, KernelConfig, ArrayView<ushort>, ArrayView<ushort>, ArrayView<float>, ArrayView<uint>, ArrayView<uint>,
        MmaConvArgs, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>> Load(MmaTileShape s, bool int8) => s switch
    {
        MmaTileShape.T128x128 => Load<Tile128x128>(int8),
        MmaTileShape.T128x64 => Load<Tile128x64>(int8),
        MmaTileShape.T64x128 => Load<Tile64x128>(int8),
        MmaTileShape.T64x64 => Load<Tile64x64>(int8),
        MmaTileShape.T128x32 => Load<Tile128x32>(int8),
        MmaTileShape.T64x32 => Load<Tile64x32>(int8),
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    private Action<AcceleratorStream, KernelConfig, ArrayView<ushort>, ArrayView<ushort>, ArrayView<float>, ArrayView<uint>, ArrayView<uint>,
        MmaConvArgs, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>> Load<TTile>(bool int8) where TTile : struct, IMmaTile =>
        (emulate, int8) switch
        {
            (true, false) => Load<TTile, EmulatedTensorCoreOps>(),
            (false, false) => Load<TTile, PtxTensorCoreOps>(),
            (true, true) => Load<TTile, EmulatedInt8TensorCoreOps>(),
            (false, true) => Load<TTile, PtxInt8TensorCoreOps>(),
        };

    private Action<AcceleratorStream, KernelConfig, ArrayView<ushort>, ArrayView<ushort>, ArrayView<float>, ArrayView<uint>, ArrayView<uint>,
        MmaConvArgs, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>> Load<TTile, TOps>()
        where TTile : struct, IMmaTile where TOps : struct, ITensorCoreOps =>
        accelerator.LoadKernel<ArrayView<ushort>, ArrayView<ushort>, ArrayView<float>, ArrayView<uint>, ArrayView<uint>, MmaConvArgs,
            SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>(MmaConvKernel.Conv<TTile, TOps>);
}
