using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace EastBake.Tests.Engine;

/// <summary>Engine tests share one CPU accelerator and run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineCollection : ICollectionFixture<CpuAcceleratorFixture>
{
    public const string Name = "ILGPU engine";
}

/// <summary>
/// The CPU accelerator by default; EASTBAKE_ENGINE_TEST_DEVICE=cuda|opencl runs the same engine
/// tests on a GPU (on machines that have one).
/// </summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    public Context Context { get; }
    public Accelerator Accelerator { get; }

    public CpuAcceleratorFixture()
    {
        var wanted = Environment.GetEnvironmentVariable("EASTBAKE_ENGINE_TEST_DEVICE")?.ToLowerInvariant();
        var type = wanted switch { "cuda" => AcceleratorType.Cuda, "opencl" => AcceleratorType.OpenCL, _ => AcceleratorType.CPU };
        Context = Context.Create(b => b.Default());
        Accelerator = Context.Devices.First(d => d.AcceleratorType == type).CreateAccelerator(Context);
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}

/// <summary>
/// Precision under test: FP32, FP16 with ILGPU Half conversions (the CUDA path; on the CPU simulator
/// they truncate, which single-layer tolerances absorb), FP16 with integer RNE conversions.
/// </summary>
public enum TestPrecision { Fp32, Fp16, Fp16Soft }

internal static class EngineTest
{
    public static EngineDataType Type(TestPrecision p) => p == TestPrecision.Fp32 ? EngineDataType.Float32 : EngineDataType.Float16;

    public static double Tolerance(TestPrecision p) => p == TestPrecision.Fp32 ? 1e-4 : 5e-3;

    public static float[] Random(Random rng, int n, double scale = 1)
    {
        var r = new float[n];
        for (int i = 0; i < n; i++) r[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return r;
    }

    /// <summary>Runs on the CPU accelerator with poisoned buffers and checks every output against the float64 reference.</summary>
    public static void RunAndCheck(CpuAcceleratorFixture fx, EngineProgram program, TestPrecision precision, int seed,
        params (int H, int W)[] shapes) => RunAndCheck(fx, program, precision, seed, 2, shapes);

    public static void RunAndCheck(CpuAcceleratorFixture fx, EngineProgram program, TestPrecision precision, int seed,
        double imageScale, params (int H, int W)[] shapes) =>
        RunAndCheck(fx.Accelerator, program, precision, seed, imageScale, TensorCoreMode.Auto, shapes);

    public static void RunAndCheck(Accelerator accelerator, EngineProgram program, TestPrecision precision, int seed,
        double imageScale, TensorCoreMode tensorCores, params (int H, int W)[] shapes)
    {
        using var exec = new IlgpuExecutor(program, accelerator, new IlgpuExecutorOptions
        {
            Fp16Conversion = precision switch { TestPrecision.Fp16 => Fp16Conversion.Native, TestPrecision.Fp16Soft => Fp16Conversion.Integer, _ => Fp16Conversion.Auto },
            TensorCores = tensorCores,
        });
        var rng = new Random(seed);
        foreach (var (h, w) in shapes)
        {
            var image = imageScale == 255
                ? Enumerable.Range(0, h * w * program.InputChannels).Select(_ => (float)rng.Next(256)).ToArray() // RGB 0–255
                : Random(rng, h * w * program.InputChannels, imageScale);
            var expected = EngineReference.Run(program, image, h, w);
            var outs = expected.Select(e => { var a = new float[e.Length]; Array.Fill(a, float.NaN); return a; }).ToArray();
            exec.Poison();
            if (outs.Length == 1) exec.Run(image, h, w, outs[0]);
            else exec.Run(image, h, w, outs[0], outs[1]);
            for (int i = 0; i < outs.Length; i++)
            {
                Assert.DoesNotContain(expected[i], double.IsNaN); // the program itself must define every output
                int bad = Array.FindIndex(outs[i], float.IsNaN);
                Assert.True(bad < 0, $"output {i} element {bad} was not written (NaN) at {h}x{w}");
                double err = RelL2(outs[i], expected[i]);
                Assert.True(err <= Tolerance(precision), $"output {i} at {h}x{w}: rel L2 {err:E2} > {Tolerance(precision):E0} ({precision})");
            }
        }
    }

    public static double RelL2(float[] actual, double[] expected)
    {
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = actual[i] - expected[i];
            num += d * d;
            den += expected[i] * expected[i];
        }
        return Math.Sqrt(num / Math.Max(den, 1e-30));
    }

    /// <summary>Conv weights (HWIO) and a Float32 bias, He-scaled so activations stay O(1).</summary>
    public static (int Filter, int Bias) ConvWeights(EngineProgram p, Random rng, int kh, int kw, int cin, int cout, EngineDataType type,
        double gain = 1)
    {
        double scale = gain * Math.Sqrt(3.0 / (kh * kw * cin));
        int f = p.AddWeight(EngineWeight.FromFloats($"w{p.Weights.Count}", Random(rng, kh * kw * cin * cout, scale), type, WeightLayout.Hwio));
        int b = p.AddWeight(EngineWeight.FromFloats($"b{p.Weights.Count}", Random(rng, cout, 0.5)));
        return (f, b);
    }
}
