using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.Ilgpu.TensorCores;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Algorithms;

namespace EastBake.Tests.Engine;

/// <summary>A CPU accelerator with 32-lane warps, as the emulated tensor-core instructions need.</summary>
public sealed class WarpCpuFixture : IDisposable
{
    public Context Context { get; } = Context.Create(b => b.CPU(new CPUDevice(32, 8, 1)).EnableAlgorithms());
    public Accelerator Accelerator { get; }

    public WarpCpuFixture() => Accelerator = Context.GetCPUDevice(0).CreateAccelerator(Context);

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}

/// <summary>
/// The tensor-core convolution (every tile shape) with its matrix instructions emulated on the CPU
/// accelerator: tiling, swizzled shared layout, fragment bookkeeping, zero-filled edges and the
/// fused epilogue, against the float64 reference, with poisoned buffers. The same kernel source
/// runs on CUDA with the PTX instructions.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class TensorCoreTests(WarpCpuFixture fx) : IClassFixture<WarpCpuFixture>
{
    public static TheoryData<MmaTileShape, int, int, int, int, int, int, bool, int, int> Cases() => new()
    {
        // tile, k, stride, padTL, padBR, cin, cout, residual, out offset, activation
        { MmaTileShape.T128x64, 3, 1, 1, 1, 32, 64, false, 0, 1 },  // several partial M tiles, K = 288 (9 k-steps)
        { MmaTileShape.T128x128, 3, 1, 1, 1, 16, 64, true, 0, 1 },  // N edge inside the tile, residual + ReLU
        { MmaTileShape.T64x128, 1, 1, 0, 0, 64, 128, false, 0, 0 },
        { MmaTileShape.T64x64, 3, 2, 0, 1, 16, 32, false, 8, 1 },   // TF SAME stride 2, writes a concat slice
        { MmaTileShape.T128x32, 7, 2, 3, 3, 8, 32, false, 0, 1 },   // conv1-like: Cin 8, K = 392 not a multiple of 32
        { MmaTileShape.T64x32, 1, 2, 0, 0, 16, 16, true, 0, 1 },    // strided 1×1 projection with a residual
        { MmaTileShape.T64x32, 1, 1, 0, 0, 32, 8, false, 0, 2 },    // sigmoid head
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(MmaTileShape shape, int k, int stride, int padTL, int padBR, int cin, int cout, bool residual, int outOffset, int activation)
    {
        var rng = new Random();
        var half = EngineDataType.Float16;
        var p = new EngineProgram { Profile = ShapeProfile.Sizes(16, 16, 48, 48, sizeMultiple: 16), InputChannels = cin };
        int x = p.AddTensor(new EngineTensor("x", cin, 1, half));
        p.Layers.Add(new InputConvertLayer { Name = "in", Output = x, InputChannels = cin, OutputChannels = cin });
        TensorRef? res = null;
        if (residual)
        {
            // The residual comes from a 1×1 conv of the input at the output's size.
            int r = p.AddTensor(new EngineTensor("res", cout, stride, half));
            var (rf, rb) = EngineTest.ConvWeights(p, rng, 1, 1, cin, cout, half);
            p.Layers.Add(new Conv2DLayer { Name = "res", Input = x, Output = r, Filter = rf, Bias = rb, InChannels = cin, OutChannels = cout,
                KernelH = 1, KernelW = 1, StrideH = stride, StrideW = stride });
            res = r;
        }
        int y = p.AddTensor(new EngineTensor("y", cout + outOffset, stride, half));
        var (f, b) = EngineTest.ConvWeights(p, rng, k, k, cin, cout, half);
        var conv = new Conv2DLayer
        {
            Name = "conv", Input = x, Output = new TensorRef(y, outOffset), Residual = res, Filter = f, Bias = b,
            InChannels = cin, OutChannels = cout, KernelH = k, KernelW = k, StrideH = stride, StrideW = stride,
            PadTop = padTL, PadLeft = padTL, PadBottom = padBR, PadRight = padBR, Activation = (EngineActivation)activation,
        };
        p.Layers.Add(conv);
        p.Outputs.Add(new EngineOutput("y", new TensorRef(y, outOffset), cout));
        ConvTactics.AssignTensorCore(p, conv, shape);

        EngineTest.RunAndCheck(fx.Accelerator, p, TestPrecision.Fp16Soft, rng.Next(), 2, TensorCoreMode.Emulated, (16, 32), (32, 48));
        // The same plan on a device without tensor cores: filter permuted back, portable kernel.
        EngineTest.RunAndCheck(fx.Accelerator, p, TestPrecision.Fp16Soft, rng.Next(), 2, TensorCoreMode.Disabled, (16, 16));
    }

    [Fact]
    public void PermuteRoundTrips()
    {
        var w = EngineWeight.FromFloats("w", Enumerable.Range(0, 3 * 3 * 8 * 16).Select(i => (float)i).ToArray(), EngineDataType.Float16, WeightLayout.Hwio);
        var ohwi = ConvTactics.Permute(w, 3, 3, 8, 16);
        // HWIO element (ky=1, kx=2, i=3, o=5) lands at OHWI (o=5, ky=1, kx=2, i=3).
        Assert.Equal(((1 * 3 + 2) * 8 + 3) * 16 + 5, ohwi.ToFloats()[((5 * 9) + 1 * 3 + 2) * 8 + 3]);
        Assert.Equal(w.Data, ConvTactics.Permute(ohwi, 3, 3, 8, 16, inverse: true).Data);
    }
}
