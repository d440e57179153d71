using EastBake.Diagnostics;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EastBake.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class ProgramTests(CpuAcceleratorFixture fx)
{
    [Theory]
    [InlineData(TestPrecision.Fp32)]
    [InlineData(TestPrecision.Fp16)]
    [InlineData(TestPrecision.Fp16Soft)]
    public void MiniEastEndToEndMatchesReference(TestPrecision pr)
    {
        var program = MiniEastProgram.Build(pr, Environment.TickCount);
        EngineTest.RunAndCheck(fx, program, pr, Environment.TickCount, imageScale: 255, (32, 32), (64, 32), (32, 64));
    }

    [Fact]
    public void ShapesOutsideProfileAreEB5001()
    {
        using var exec = new IlgpuExecutor(MiniEastProgram.Build(TestPrecision.Fp32, 1), fx.Accelerator);
        foreach (var (h, w) in new[] { (48, 32), (96, 32), (32, 0), (0, 0), (32, 128) })
        {
            var e = Assert.Throws<EastBakeException>(() =>
                exec.Run(new float[Math.Max(1, h * w * 3)], h, w, new float[4096], new float[4096 * 5]));
            Assert.Equal(ErrorCodes.InputShapeOutsideProfile, e.Code);
        }
    }

    [Fact]
    public void ExplicitCpuDeviceIsLoggedAndMissingCudaIsEB5005()
    {
        var program = MiniEastProgram.Build(TestPrecision.Fp32, 2);
        var log = new List<string>();
        using (var exec = IlgpuExecutor.Create(program, EngineDevice.Cpu, new IlgpuExecutorOptions { Log = log.Add }))
            Assert.Contains("CPU", exec.DeviceName);
        Assert.Contains(log, l => l.Contains("using CPU"));

        using var ctx = Context.Create(b => b.Default());
        if (ctx.Devices.Any(d => d.AcceleratorType == AcceleratorType.Cuda)) return; // only checkable without CUDA
        var e = Assert.Throws<EastBakeException>(() => IlgpuExecutor.Create(program, EngineDevice.Cuda));
        Assert.Equal(ErrorCodes.AcceleratorUnavailable, e.Code);
    }

    [Fact]
    public void MemoryPlannerReusesDeadBuffers()
    {
        // A chain: each buffer dies right after its consumer, so two slots suffice.
        var plan = MemoryPlanner.Plan([256, 256, 256, 256], [(0, 1), (1, 2), (2, 3), (3, 4)], 256);
        Assert.Equal(512, plan.PeakBytes);
        Assert.Equal(1024, plan.NaiveBytes);
        Assert.NotEqual(plan.Offsets[0], plan.Offsets[1]);
        Assert.Equal(plan.Offsets[0], plan.Offsets[2]);

        var program = MiniEastProgram.Build(TestPrecision.Fp32, 3);
        var p = MemoryPlanner.Plan(program);
        var (first, last) = MemoryPlanner.Lifetimes(program);
        Assert.True(p.PeakBytes < p.NaiveBytes, p.ToString());
        for (int i = 0; i < first.Length; i++)
        for (int j = i + 1; j < first.Length; j++)
        {
            bool liveTogether = first[i] <= last[j] && first[j] <= last[i];
            bool overlap = p.Offsets[i] < p.Offsets[j] + p.Sizes[j] && p.Offsets[j] < p.Offsets[i] + p.Sizes[i];
            Assert.False(liveTogether && overlap && p.Sizes[i] > 0 && p.Sizes[j] > 0,
                $"tensors {program.Tensors[i].Name} and {program.Tensors[j].Name} are live together but share memory");
        }
    }
}
