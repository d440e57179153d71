using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.Ilgpu.TensorCores;
using EastBake.Runtime.Plans;

namespace EastBake.Tests.Engine;

/// <summary>
/// The INT8 tensor-core convolution (mma.m16n8k32 emulated on the CPU accelerator) against the
/// scalar INT8 kernel, whose accumulators are checked against 64-bit host sums in
/// <see cref="Int8ConvKernelTests"/>: a quantize layer, an INT8 conv handing int8 to the next, and an
/// INT8 conv with an FP16 residual and output. Integer sums are exact and the epilogue's float
/// steps are the same, so the outputs must be bit-identical.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class Int8TensorCoreTests(WarpCpuFixture fx) : IClassFixture<WarpCpuFixture>
{
    [Theory]
    [InlineData(MmaTileShape.T64x64, 3, 1, 32, 64)]
    [InlineData(MmaTileShape.T128x32, 3, 2, 16, 32)]
    [InlineData(MmaTileShape.T64x32, 1, 1, 48, 16)]
    public void TensorCorePathEqualsTheScalarPath(MmaTileShape shape, int k, int stride, int cin, int cout)
    {
        var rng = new Random();
        var p = new EngineProgram { Profile = ShapeProfile.Sizes(16, 16, 32, 32, sizeMultiple: 16), InputChannels = cin };
        int x = p.AddTensor(new EngineTensor("x", cin, 1, EngineDataType.Float16));
        int xq = p.AddTensor(new EngineTensor("xq", cin, 1, EngineDataType.Int8));
        int yq = p.AddTensor(new EngineTensor("yq", cout, stride, EngineDataType.Int8));
        int r = p.AddTensor(new EngineTensor("r", cout, stride, EngineDataType.Float16));
        int z = p.AddTensor(new EngineTensor("z", cout + 8, stride, EngineDataType.Float16));
        p.Layers.Add(new InputConvertLayer { Name = "in", Output = x, InputChannels = cin, OutputChannels = cin });
        p.Layers.Add(new QuantizeLayer { Name = "q", Input = x, Output = xq, Channels = cin, Scale = 0.03f });
        int pad = (k - 1) / 2;
        p.Layers.Add(Layer(p, rng, "a", xq, yq, null, k, stride, pad, cin, cout, EngineActivation.Relu, 0.05f, shape));
        p.Layers.Add(Layer(p, rng, "r", xq, r, null, 1, stride, 0, cin, cout, EngineActivation.None, 0f, shape));
        p.Layers.Add(Layer(p, rng, "b", yq, new TensorRef(z, 8), r, 1, 1, 0, cout, cout, EngineActivation.Relu, 0f, shape));
        p.Outputs.Add(new EngineOutput("z", new TensorRef(z, 8), cout));
        p.Validate();

        foreach (var (h, w) in new[] { (16, 16), (32, 32) })
        {
            var image = Enumerable.Range(0, h * w * cin).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray();
            var emulated = Run(p, image, h, w, TensorCoreMode.Emulated);
            var scalar = Run(p, image, h, w, TensorCoreMode.Disabled);
            Assert.Equal(scalar, emulated);
            Assert.Contains(scalar, v => v > 0f); // not all clamped away
        }
    }

    private float[] Run(EngineProgram p, float[] image, int h, int w, TensorCoreMode mode)
    {
        var log = new List<string>();
        using var exec = new IlgpuExecutor(p, fx.Accelerator,
            new IlgpuExecutorOptions { TensorCores = mode, Fp16Conversion = Fp16Conversion.Integer, Log = log.Add });
        Assert.DoesNotContain(log, m => m.Contains("cannot use")); // every INT8 layer took the path under test
        var output = new float[exec.OutputLength(0, h, w)];
        exec.Poison();
        exec.Run(image, h, w, output);
        Assert.DoesNotContain(output, float.IsNaN);
        return output;
    }

    private static QuantizedConv2DLayer Layer(EngineProgram p, Random rng, string name, TensorRef input, TensorRef output, TensorRef? residual,
        int k, int stride, int pad, int cin, int cout, EngineActivation act, float outputScale, MmaTileShape shape)
    {
        var filter = new byte[k * k * cin * cout];
        for (int i = 0; i < filter.Length; i++) filter[i] = (byte)(sbyte)rng.Next(-127, 128);
        int f = p.AddWeight(new EngineWeight(name + "/filter", EngineDataType.Int8, filter, WeightLayout.Ohwi));
        var epilogue = new float[2 * cout];
        for (int o = 0; o < cout; o++)
        {
            epilogue[o] = 0.03f * (0.5f + (float)rng.NextDouble()) / 127f / MathF.Sqrt(k * k * cin) * 4;
            epilogue[cout + o] = (float)(rng.NextDouble() - 0.4);
        }
        int e = p.AddWeight(EngineWeight.FromFloats(name + "/epilogue", epilogue));
        return new QuantizedConv2DLayer
        {
            Name = name, Epilogue = e, OutputScale = outputScale, Tactic = ConvTactics.For(shape),
            Conv = new Conv2DLayer
            {
                Name = name, Input = input, Output = output, Residual = residual, Filter = f, InChannels = cin, OutChannels = cout,
                KernelH = k, KernelW = k, StrideH = stride, StrideW = stride, PadTop = pad, PadLeft = pad,
                PadBottom = stride == 2 && k == 3 ? 1 : pad, PadRight = stride == 2 && k == 3 ? 1 : pad, Activation = act,
            },
        };
    }
}
