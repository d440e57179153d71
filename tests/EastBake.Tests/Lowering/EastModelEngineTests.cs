using EastBake.Baking.Pipeline;
using EastBake.Baking.Pipeline.Lowering;
using EastBake.Runtime.Plans;
using EastBake.Tests.Engine;
using Xunit.Abstractions;

namespace EastBake.Tests.Lowering;

/// <summary>
/// The generated EAST model (w8), lowered and run on the engine (CPU accelerator by default),
/// against ONNX Runtime CPU on the same optimized graph: rel L2 ≤ 1e-4 in FP32, ≤ 5e-3 in FP16,
/// score max abs ≤ 1e-2 in FP16. Fresh random 0–255 images every run.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class EastModelEngineTests(CpuAcceleratorFixture fx, ITestOutputHelper output)
{
    public static TheoryData<Precision, string> Cases() => new()
    {
        { Precision.FP32, "64x64" },
        { Precision.FP32, "min:1x64x96;opt:1x96x128;max:1x96x128" },
        { Precision.FP16, "64x64" },
        { Precision.FP16, "min:1x64x96;opt:1x96x128;max:1x96x128" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void W8EngineMatchesOnnxRuntime(Precision precision, string shape)
    {
        var profile = ProfileText.Parse(shape);
        var graph = EngineVsOrt.Optimized(EngineVsOrt.W8, profile);
        var program = IlgpuLowering.LowerProgram(graph, precision, profile);
        (int, int)[] shapes = profile.IsFixed ? [(profile.MinHeight, profile.MinWidth)] : [(64, 96), (96, 128)];
        int seed = Environment.TickCount;
        var errors = EngineVsOrt.Compare(fx.Accelerator, program, graph, shapes, new Random(seed));
        Check(errors, precision, $"seed {seed}, {shape}");
    }

    [Fact]
    public void W8GenericLoweringMatchesOnnxRuntime()
    {
        // No mean fold, no merged heads, no residual fusion, no concat slices: every layer kind's plain form.
        var profile = ShapeProfile.Fixed(64, 96);
        var graph = EngineVsOrt.Optimized(EngineVsOrt.W8, profile);
        var options = new LoweringOptions { FoldInputMean = false, MergeEastHead = false, FuseResidual = false, ConcatSlices = false };
        var program = IlgpuLowering.LowerProgram(graph, Precision.FP32, profile, options);
        int seed = Environment.TickCount;
        Check(EngineVsOrt.Compare(fx.Accelerator, program, graph, [(64, 96)], new Random(seed)), Precision.FP32, $"seed {seed}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    public void W8EngineMatchesOnnxRuntimeAtOtherChannelAlignments(int alignment)
    {
        // 1: unpadded, odd channel counts and offsets; 32: wide zero padding and concat tails written as zeros.
        var profile = ShapeProfile.Fixed(64, 64);
        var graph = EngineVsOrt.Optimized(EngineVsOrt.W8, profile);
        var program = IlgpuLowering.LowerProgram(graph, Precision.FP32, profile, new LoweringOptions { ChannelAlignment = alignment });
        int seed = Environment.TickCount;
        Check(EngineVsOrt.Compare(fx.Accelerator, program, graph, [(64, 64)], new Random(seed)), Precision.FP32, $"seed {seed}, alignment {alignment}");
    }

    private void Check(List<OutputError> errors, Precision precision, string what)
    {
        double tol = precision == Precision.FP32 ? 1e-4 : 5e-3;
        foreach (var e in errors)
        {
            output.WriteLine($"{precision} {what}: {e.Name}: rel L2 {e.RelL2:E2}, max abs {e.MaxAbs:E2}");
            Assert.True(e.RelL2 <= tol, $"{e.Name}: rel L2 {e.RelL2:E2} > {tol:E0} ({precision}, {what})");
        }
        if (precision == Precision.FP16)
        {
            var score = errors.Single(e => e.Name == EngineVsOrt.Score);
            Assert.True(score.MaxAbs <= 1e-2, $"score max abs {score.MaxAbs:E2} > 1e-2 ({what})");
        }
    }
}
