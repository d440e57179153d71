using EastBake.Baking.Pipeline;
using EastBake.Baking.Pipeline.Lowering;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;
using EastBake.Tests.Onnx;

namespace EastBake.Tests.Lowering;

/// <summary>What the lowering makes of the generated EAST model and of small graphs (structure, weights, errors).</summary>
public sealed class LoweringTests
{
    private static readonly ShapeProfile Profile = ShapeProfile.Fixed(64, 96);

    private static EngineProgram W8(Precision precision = Precision.FP32, LoweringOptions? options = null, ShapeProfile? profile = null) =>
        IlgpuLowering.LowerProgram(EngineVsOrt.Optimized(EngineVsOrt.W8, profile ?? Profile), precision, profile ?? Profile, options);

    [Fact]
    public void W8LowersToFusedLayersWithAlignedChannels()
    {
        var p = W8();
        var input = Assert.Single(p.Layers.OfType<InputConvertLayer>());
        Assert.Equal([123.68f, 116.78f, 103.94f], input.Mean!);          // the graph's own Sub constants, folded
        Assert.Equal(8, input.OutputChannels);
        Assert.All(p.Tensors, t => Assert.Equal(0, t.Channels % 8));
        Assert.Empty(p.Layers.OfType<ScaleShiftLayer>());                  // all head arithmetic is in the epilogue
        Assert.Empty(p.Layers.OfType<ConcatLayer>());                      // every concat input wrote its own slice
        Assert.Empty(p.Layers.OfType<AddLayer>());                         // every residual join fused into its conv
        var convs = p.Layers.OfType<Conv2DLayer>().ToList();
        Assert.Equal(16, convs.Count(c => c.Residual is not null));
        Assert.Equal(61, convs.Count);                                     // 63 convs, the three heads merged
        Assert.Equal(4, p.Layers.OfType<MaxPoolLayer>().Count());
        Assert.Equal(3, p.Layers.OfType<ResizeBilinearLayer>().Count());

        var head = Assert.Single(convs, c => c.Activation == EngineActivation.EastHead);
        Assert.Equal(512f, head.TextScale);
        Assert.Equal(MathF.PI / 2, head.AngleScale);
        Assert.Equal((8, 8, 1, 1), (head.OutChannels, head.InChannels, head.KernelH, head.KernelW));
        Assert.Equal([new EngineOutput(EngineVsOrt.Score, head.Output, 1), new EngineOutput(EngineVsOrt.Geometry, head.Output with { ChannelOffset = 1 }, 5)],
            p.Outputs);
        // Padding output channels of the merged head carry zero weights and zero bias.
        var w = p.Weights[head.Filter].ToFloats();
        var b = p.Weights[head.Bias].ToFloats();
        for (int ci = 0; ci < 8; ci++)
            Assert.Equal([0f, 0f], w.Skip(ci * 8 + 6).Take(2));
        Assert.Equal([0f, 0f], b[6..]);
    }

    [Fact]
    public void Fp16WeightsAreHalvesRoundedToNearestAndBiasesStayFloat32()
    {
        var graph = EngineVsOrt.Optimized(EngineVsOrt.W8, Profile);
        var p16 = IlgpuLowering.LowerProgram(graph, Precision.FP16, Profile);
        var p32 = IlgpuLowering.LowerProgram(graph, Precision.FP32, Profile);
        Assert.All(p16.Tensors, t => Assert.Equal(EngineDataType.Float16, t.DataType));
        foreach (var (c16, c32) in p16.Layers.OfType<Conv2DLayer>().Zip(p32.Layers.OfType<Conv2DLayer>()))
        {
            var (f16, f32) = (p16.Weights[c16.Filter], p32.Weights[c32.Filter]);
            Assert.Equal((EngineDataType.Float16, WeightLayout.Hwio), (f16.DataType, f16.Layout));
            Assert.Equal(f32.ToFloats().Select(v => (float)(Half)v), f16.ToFloats()); // System.Half rounds to nearest even
            Assert.Equal(EngineDataType.Float32, p16.Weights[c16.Bias].DataType);
            Assert.Equal(p32.Weights[c32.Bias].Data, p16.Weights[c16.Bias].Data);
        }
    }

    [Fact]
    public void GenericLoweringKeepsEveryStepAsItsOwnLayer()
    {
        var p = W8(options: new LoweringOptions { FoldInputMean = false, MergeEastHead = false, FuseResidual = false, ConcatSlices = false });
        Assert.Null(Assert.Single(p.Layers.OfType<InputConvertLayer>()).Mean);
        Assert.DoesNotContain(p.Layers.OfType<Conv2DLayer>(), c => c.Activation == EngineActivation.EastHead || c.Residual is not null);
        Assert.Equal(16, p.Layers.OfType<AddLayer>().Count());
        Assert.NotEmpty(p.Layers.OfType<ConcatLayer>());
        // Mean: three Subs; heads: score sigmoid, distance sigmoid·512 and angle (sigmoid − 0.5)·π/2, each one composed layer.
        var ss = p.Layers.OfType<ScaleShiftLayer>().ToList();
        Assert.Equal(6, ss.Count);
        Assert.Equal(3, ss.Count(s => s.Activation == EngineActivation.Sigmoid));
        var angle = ss.Single(s => s.Activation == EngineActivation.Sigmoid && p.Weights[s.Shift].ToFloats()[0] != 0);
        Assert.Equal(MathF.PI / 2, p.Weights[angle.Scale].ToFloats()[0], 6);
        Assert.Equal(-MathF.PI / 4, p.Weights[angle.Shift].ToFloats()[0], 6);
    }

    [Fact]
    public void DynamicProfileTensorsAreFractionsOfTheInput()
    {
        var profile = ProfileText.Parse("min:1x64x64;opt:1x704x1280;max:1x1280x1280");
        var p = W8(profile: profile);
        Assert.Equal(profile, p.Profile);
        var head = p.Layers.OfType<Conv2DLayer>().Single(c => c.Activation == EngineActivation.EastHead);
        var t = p.Tensors[head.Output.Tensor];
        Assert.Equal((1, 4, 1, 4), (t.ScaleNum, t.ScaleDen, t.WidthScaleNum, t.WidthScaleDen));
        Assert.Contains(p.Tensors, x => x.ScaleDen == 32); // block4
    }

    [Fact]
    public void LoweredPayloadIsDeterministic()
    {
        var props = new Dictionary<string, string>();
        var a = IlgpuLowering.Lower(EngineVsOrt.Optimized(EngineVsOrt.W8, Profile), Precision.FP16, Profile, props);
        var b = IlgpuLowering.Lower(EngineVsOrt.Optimized(EngineVsOrt.W8, Profile), Precision.FP16, Profile, new Dictionary<string, string>());
        Assert.Equal(a, b);
        Assert.Equal(a, EngineProgramSerializer.Serialize(EngineProgramSerializer.Read(a)));
        Assert.True(long.Parse(props["engine.activation_bytes"]) > 0);
    }

    [Fact]
    public void Int8IsACodedError()
    {
        var e = Assert.Throws<EastBakeException>(() => W8(Precision.INT8));
        Assert.Equal(ErrorCodes.LoweringPrecisionUnsupported, e.Code);
    }

    private static Graph Small(Func<Graph, Value, Value> body, long h = 32, long w = 32, bool dynamic = false)
    {
        var g = new Graph("small.pb");
        var x = dynamic ? g.InputSym("x", [Dim.Sym("N"), Dim.Sym("H", 32), Dim.Sym("W", 32), 3]) : g.Input("x", 1, h, w, 3);
        g.Outputs.Add(body(g, x.Output));
        ShapeInference.Run(g);
        return g;
    }

    [Fact]
    public void UnsupportedNodeIsEB2101NamingNodeAndOp()
    {
        var g = Small((g, x) => g.Op("biggest", Ops.Maximum, x, g.Op("r", Ops.Relu, x).Output).Output);
        var e = Assert.Throws<EastBakeException>(() => IlgpuLowering.LowerProgram(g, Precision.FP32, ShapeProfile.Fixed(32, 32)));
        Assert.Equal(ErrorCodes.LoweringUnsupported, e.Code);
        Assert.Equal("biggest", e.Node);
        Assert.Contains("Maximum", e.Message);
    }

    [Fact]
    public void SizeThatIsNoFractionOfTheInputIsEB2103()
    {
        // A VALID 3×3 conv gives H − 2: fine for one fixed shape, not for a dynamic profile.
        Value Body(Graph g, Value x) => g.Conv("valid", x, g.Random("w", [3, 3, 3, 4], 1), "VALID").Output;
        var fixedGraph = Small(Body, 32, 64);
        var p = IlgpuLowering.LowerProgram(fixedGraph, Precision.FP32, ShapeProfile.Fixed(32, 64));
        var t = p.Tensors[p.Outputs[0].Source.Tensor];
        Assert.Equal((30, 62), (t.Height(32), t.Width(64)));
        var e = Assert.Throws<EastBakeException>(() =>
            IlgpuLowering.LowerProgram(Small(Body, dynamic: true), Precision.FP32, ProfileText.Parse("min:1x32x32;opt:1x64x64;max:1x64x64")));
        Assert.Equal(ErrorCodes.LoweringShapeUnsupported, e.Code);
        Assert.Equal("valid", e.Node);
    }

    [Fact]
    public void ChannelAlignmentIsAnOption()
    {
        var p = W8(options: new LoweringOptions { ChannelAlignment = 32 });
        Assert.All(p.Tensors, t => Assert.Equal(0, t.Channels % 32));
        var input = Assert.Single(p.Layers.OfType<InputConvertLayer>());
        Assert.Equal(32, input.OutputChannels);
    }
}
