using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;

namespace EastBake.Tests.Engine;

/// <summary>
/// Each kernel family alone: InputConvert → layer → output, on 8×8 and 16×8 inputs, against the
/// float64 reference, fresh random data per run, poisoned device and host buffers.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class KernelTests(CpuAcceleratorFixture fx)
{
    private static readonly (int, int)[] Shapes = [(8, 8), (16, 8)];

    /// <summary>A program whose input convert produces tensor 0 with <paramref name="channels"/> channels at full size.</summary>
    private static EngineProgram Start(int channels, TestPrecision precision, float[]? mean = null, int padChannels = 0)
    {
        var p = new EngineProgram { Profile = ShapeProfile.Sizes(8, 8, 16, 16, sizeMultiple: 8), InputChannels = channels };
        int t0 = p.AddTensor(new EngineTensor("x", channels + padChannels, 1, EngineTest.Type(precision)));
        p.Layers.Add(new InputConvertLayer { Name = "in", Output = t0, InputChannels = channels, OutputChannels = channels + padChannels, Mean = mean });
        return p;
    }

    private int Tensor(EngineProgram p, int channels, TestPrecision precision, int den = 1, int num = 1) =>
        p.AddTensor(new EngineTensor($"t{p.Tensors.Count}", channels, den, EngineTest.Type(precision), num));

    private void Check(EngineProgram p, TestPrecision precision) =>
        EngineTest.RunAndCheck(fx, p, precision, Environment.TickCount ^ p.Layers.Count, Shapes);

    public static TheoryData<TestPrecision, int, int, int, int, int, int, bool, int> ConvCases()
    {
        var d = new TheoryData<TestPrecision, int, int, int, int, int, int, bool, int>();
        foreach (var pr in Enum.GetValues<TestPrecision>())
        {
            // precision, k, stride, padTL, padBR, cin, cout, residual, out channel offset
            d.Add(pr, 1, 1, 0, 0, 5, 7, false, 0);
            d.Add(pr, 3, 1, 1, 1, 4, 6, true, 0);
            d.Add(pr, 3, 2, 0, 1, 3, 4, false, 0);   // TF SAME at stride 2 (asymmetric)
            d.Add(pr, 7, 2, 3, 3, 3, 8, false, 0);   // conv2d_same 7×7/2
            d.Add(pr, 1, 2, 0, 0, 4, 4, true, 0);    // strided projection shortcut
            d.Add(pr, 3, 1, 1, 1, 3, 5, false, 2);   // writes a concat slice
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2D(TestPrecision pr, int k, int stride, int padTL, int padBR, int cin, int cout, bool residual, int outOffset)
    {
        var rng = new Random();
        var p = Start(cin + (residual ? cout : 0), pr);
        var (f, b) = EngineTest.ConvWeights(p, rng, k, k, cin, cout, EngineTest.Type(pr));
        // A residual must match the output size: for stride 2 take it from a strided 1×1 max pool of the input.
        TensorRef? res = null;
        if (residual)
        {
            res = new TensorRef(0, cin);
            if (stride == 2)
            {
                int pooled = Tensor(p, cout, pr, den: 2);
                p.Layers.Add(new MaxPoolLayer { Name = "sub", Input = new TensorRef(0, cin), Output = pooled, Channels = cout, KernelH = 1, KernelW = 1, StrideH = 2, StrideW = 2 });
                res = pooled;
            }
        }
        int o = Tensor(p, cout + outOffset + 1, pr, den: stride);
        p.Layers.Add(new Conv2DLayer
        {
            Name = "conv", Input = new TensorRef(0, 0), Output = new TensorRef(o, outOffset), Residual = res, Filter = f, Bias = b,
            InChannels = cin, OutChannels = cout, KernelH = k, KernelW = k, StrideH = stride, StrideW = stride,
            PadTop = padTL, PadLeft = padTL, PadBottom = padBR, PadRight = padBR, Activation = EngineActivation.Relu,
        });
        p.Outputs.Add(new EngineOutput("y", new TensorRef(o, outOffset), cout));
        Check(p, pr);
    }

    [Theory]
    [InlineData(TestPrecision.Fp32, 3, 2, 0, 1)]
    [InlineData(TestPrecision.Fp16, 3, 2, 0, 1)]
    [InlineData(TestPrecision.Fp16Soft, 3, 2, 0, 1)]
    [InlineData(TestPrecision.Fp32, 1, 2, 0, 0)]
    [InlineData(TestPrecision.Fp16, 3, 1, 1, 1)]
    public void MaxPool(TestPrecision pr, int k, int stride, int padTL, int padBR)
    {
        var p = Start(5, pr);
        int o = Tensor(p, 5, pr, den: stride);
        p.Layers.Add(new MaxPoolLayer
        {
            Name = "pool", Input = 0, Output = o, Channels = 5, KernelH = k, KernelW = k, StrideH = stride, StrideW = stride,
            PadTop = padTL, PadLeft = padTL, PadBottom = padBR, PadRight = padBR,
        });
        p.Outputs.Add(new EngineOutput("y", o, 5));
        Check(p, pr);
    }

    [Theory]
    [InlineData(TestPrecision.Fp32, true)]
    [InlineData(TestPrecision.Fp32, false)]
    [InlineData(TestPrecision.Fp16, true)]
    [InlineData(TestPrecision.Fp16Soft, true)]
    public void AddRelu(TestPrecision pr, bool relu)
    {
        var p = Start(6, pr);
        int o = Tensor(p, 3, pr);
        p.Layers.Add(new AddLayer { Name = "add", A = new TensorRef(0, 0), B = new TensorRef(0, 3), Output = o, Channels = 3, Relu = relu });
        p.Outputs.Add(new EngineOutput("y", o, 3));
        Check(p, pr);
    }

    [Theory]
    [InlineData(TestPrecision.Fp32, 2, 1)]
    [InlineData(TestPrecision.Fp16, 2, 1)]
    [InlineData(TestPrecision.Fp16Soft, 2, 1)]
    [InlineData(TestPrecision.Fp32, 3, 2)]   // non-integer ratio 8 → 12: exercises the legacy floor/clamp
    [InlineData(TestPrecision.Fp16, 3, 2)]
    public void ResizeBilinearIntoConcatSlice(TestPrecision pr, int num, int den)
    {
        var p = Start(4, pr);
        int o = Tensor(p, 7, pr, den: den, num: num);
        p.Layers.Add(new ResizeBilinearLayer { Name = "up", Input = 0, Output = new TensorRef(o, 2), Channels = 4 });
        p.Outputs.Add(new EngineOutput("y", new TensorRef(o, 2), 4));
        Check(p, pr);
    }

    [Theory]
    [InlineData(TestPrecision.Fp32)]
    [InlineData(TestPrecision.Fp16)]
    [InlineData(TestPrecision.Fp16Soft)]
    public void SigmoidAndGeometryHeads(TestPrecision pr)
    {
        var p = Start(6, pr);
        int score = Tensor(p, 1, pr), geo = Tensor(p, 5, pr);
        p.Layers.Add(new SigmoidLayer { Name = "score", Input = new TensorRef(0, 5), Output = score, Channels = 1 });
        p.Layers.Add(new GeometryHeadLayer { Name = "geo", Input = new TensorRef(0, 0), Output = geo });
        p.Outputs.Add(new EngineOutput("score", score, 1));
        p.Outputs.Add(new EngineOutput("geometry", geo, 5));
        Check(p, pr);
    }

    [Theory]
    [InlineData(TestPrecision.Fp32)]
    [InlineData(TestPrecision.Fp16)]
    [InlineData(TestPrecision.Fp16Soft)]
    public void InputConvertWithMeanAndPaddingChannel(TestPrecision pr)
    {
        var p = Start(3, pr, mean: [123.68f / 100, 116.78f / 100, 103.94f / 100], padChannels: 1);
        p.Outputs.Add(new EngineOutput("x", 0, 4)); // the padding channel must read back exactly 0
        Check(p, pr);
    }

    [Theory]
    [InlineData(TestPrecision.Fp32)]
    [InlineData(TestPrecision.Fp16)]
    [InlineData(TestPrecision.Fp16Soft)]
    public void ConcatCopyAndConvert(TestPrecision pr)
    {
        var p = Start(5, pr);
        int cat = Tensor(p, 5, pr);
        p.Layers.Add(new ConcatLayer { Name = "cat", Inputs = [(new TensorRef(0, 3), 2), (new TensorRef(0, 0), 3)], Output = cat });
        // Round trip through the other precision.
        var other = pr == TestPrecision.Fp32 ? EngineDataType.Float16 : EngineDataType.Float32;
        int mid = p.AddTensor(new EngineTensor("mid", 5, 1, other));
        int back = Tensor(p, 5, pr);
        p.Layers.Add(new ConvertLayer { Name = "to", Input = cat, Output = mid, Channels = 5 });
        p.Layers.Add(new ConvertLayer { Name = "back", Input = mid, Output = back, Channels = 5 });
        p.Outputs.Add(new EngineOutput("y", back, 5));
        // FP32 → FP16 → FP32 loses precision: judge that path with the FP16 tolerance.
        EngineTest.RunAndCheck(fx, p, pr == TestPrecision.Fp32 ? TestPrecision.Fp16 : pr, Environment.TickCount, Shapes);
    }

    [Theory]
    [InlineData(TestPrecision.Fp32, EngineActivation.None)]
    [InlineData(TestPrecision.Fp32, EngineActivation.Sigmoid)]
    [InlineData(TestPrecision.Fp16, EngineActivation.Relu)]
    [InlineData(TestPrecision.Fp16Soft, EngineActivation.Sigmoid)]
    public void ScaleShiftIntoSlice(TestPrecision pr, EngineActivation act)
    {
        var rng = new Random();
        var p = Start(6, pr);
        int o = Tensor(p, 8, pr);
        int scale = p.AddWeight(EngineWeight.FromFloats("scale", EngineTest.Random(rng, 5, 3)));
        int shift = p.AddWeight(EngineWeight.FromFloats("shift", EngineTest.Random(rng, 5, 1)));
        p.Layers.Add(new ScaleShiftLayer { Name = "ss", Input = new TensorRef(0, 1), Output = new TensorRef(o, 2), Channels = 5, Activation = act, Scale = scale, Shift = shift });
        p.Outputs.Add(new EngineOutput("y", new TensorRef(o, 2), 5));
        Check(p, pr);
    }

    [Theory]
    [InlineData(TestPrecision.Fp32)]
    [InlineData(TestPrecision.Fp16)]
    [InlineData(TestPrecision.Fp16Soft)]
    public void ConcatZeroTailReadsBackExactZeros(TestPrecision pr)
    {
        var p = Start(3, pr);
        int cat = Tensor(p, 8, pr);
        p.Layers.Add(new ConcatLayer { Name = "cat", Inputs = [(new TensorRef(0, 1), 2), (new TensorRef(0, 0), 1)], Output = cat, ZeroChannels = 5 });
        p.Outputs.Add(new EngineOutput("y", cat, 8));
        Check(p, pr);
    }

    [Theory]
    [InlineData(TestPrecision.Fp32)]
    [InlineData(TestPrecision.Fp16)]
    [InlineData(TestPrecision.Fp16Soft)]
    public void EastHeadEpilogue(TestPrecision pr)
    {
        // 1×1 conv 5 → 8 with the merged-head epilogue; channels 6, 7 must come out as exact zeros.
        var rng = new Random();
        var p = Start(5, pr);
        var (f, b) = EngineTest.ConvWeights(p, rng, 1, 1, 5, 8, EngineTest.Type(pr), gain: 3);
        int o = Tensor(p, 8, pr);
        p.Layers.Add(new Conv2DLayer
        {
            Name = "heads", Input = 0, Output = o, Filter = f, Bias = b, InChannels = 5, OutChannels = 8, KernelH = 1, KernelW = 1,
            Activation = EngineActivation.EastHead, TextScale = 512, AngleScale = MathF.PI / 2,
        });
        p.Outputs.Add(new EngineOutput("score and geometry", o, 6));
        p.Outputs.Add(new EngineOutput("padding", new TensorRef(o, 6), 2)); // reference all 0: any other value fails
        Check(p, pr);
    }
}
