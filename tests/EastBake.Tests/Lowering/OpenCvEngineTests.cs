using System.Text;
using EastBake.Baking.Pipeline;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Optimizer;
using EastBake.Compiler.Shapes;
using EastBake.Compiler.Util;
using EastBake.Diagnostics;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.Plans;
using EastBake.Tests.Engine;
using EastBake.Tests.Onnx;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;
using Tensor = EastBake.Compiler.Ir.Tensor;

namespace EastBake.Tests.Lowering;

/// <summary>
/// Real TensorFlow graphs (shared/tf/opencv) whose ops the ILGPU engine covers: optimized,
/// lowered for their own input shape, run on the engine, and compared with ONNX Runtime CPU on
/// the same graph and input (and with TF's own output). Graphs the lowering refuses are listed with
/// the coded reason; the ones of EAST's ops must lower and match.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class OpenCvEngineTests(CpuAcceleratorFixture fx, ITestOutputHelper output)
{
    /// <summary>Graphs made of EAST's ops that the engine must run.</summary>
    public static readonly string[] Required =
    [
        "batch_norm", "fused_batch_norm", "fused_batch_norm_no_gamma", "single_conv", "spatial_padding", "max_pool_even",
        "max_pool_odd_valid", "resize_bilinear", "resize_bilinear_factor", "fp16_single_conv", "fp16_max_pool_even", "fp16_max_pool_odd_valid",
    ];

    [SharedFact("tf/opencv")]
    public void CoveredGraphsMatchOnnxRuntime()
    {
        var dir = SharedData.Path_("tf/opencv");
        var table = new StringBuilder();
        table.AppendLine($"{"graph",-32} {"FP32 vs ORT",12} {"FP16 vs ORT",12} {"FP32 vs TF",12}  note");
        var failures = new List<string>();
        foreach (var pb in Directory.GetFiles(dir, "*_net.pb").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(pb)[..^"_net.pb".Length];
            var inPath = Path.Combine(dir, name + "_in.npy");
            var outPath = Path.Combine(dir, name + "_out.npy");
            if (!File.Exists(inPath) || !File.Exists(outPath)) continue;
            try
            {
                var input = Compare.NchwToNhwc(Npy.Read(inPath));
                var tf = Compare.NchwToNhwc(Npy.Read(outPath));
                var fp32 = Run(pb, input, Precision.FP32);
                var fp16 = Run(pb, input, Precision.FP16);
                double vsTf = fp32.Engine.Length == tf.Length ? EngineVsOrt.Error("", fp32.Engine, Floats(tf)).RelL2 : double.NaN;
                // TF computed the fp16_* graphs in half precision (as the ONNX conformance test allows, 2e-3).
                double tfTol = name.StartsWith("fp16_", StringComparison.Ordinal) ? 2e-3 : 1e-4;
                bool ok = fp32.RelL2 <= 1e-4 && fp16.RelL2 <= 5e-3 && vsTf <= tfTol;
                table.AppendLine($"{name,-32} {fp32.RelL2,12:E2} {fp16.RelL2,12:E2} {vsTf,12:E2}  {(ok ? "ok" : "MISMATCH")}");
                if (!ok) failures.Add($"{name}: FP32 rel L2 {fp32.RelL2:E2}, FP16 {fp16.RelL2:E2}, FP32 vs TF {vsTf:E2}");
            }
            catch (EastBakeException e)
            {
                table.AppendLine($"{name,-32} {"-",12} {"-",12} {"-",12}  not covered: {e.Code} {Truncate(e.Message, 150)}");
                if (Required.Contains(name)) failures.Add($"{name}: {e.Code} {e.Message}");
            }
        }
        output.WriteLine(table.ToString());
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static float[] Floats(Tensor t) => t.Floats ?? Array.ConvertAll(t.ToDoubles(), d => (float)d);

    /// <summary>Engine output (all batch images, NHWC) and its rel L2 against ONNX Runtime.</summary>
    private (float[] Engine, double RelL2) Run(string pb, Tensor input, Precision precision)
    {
        var g = ModelLoader.Load(pb);
        if (g.Inputs.Count != 1 || g.Outputs.Count != 1 || input.Rank != 4)
            throw new EastBakeException(ErrorCodes.LoweringUnsupported, $"{g.Inputs.Count} inputs, {g.Outputs.Count} outputs, input rank {input.Rank}");
        var shape = input.Shape;
        var shapes = new Dictionary<string, long[]> { [g.Inputs[0].Name] = shape };
        ShapeInference.Run(g, shapes);
        GraphOptimizer.Run(g);
        ShapeInference.Run(g, shapes);
        int n = (int)shape[0], h = (int)shape[1], w = (int)shape[2], c = (int)shape[3];
        var profile = new ShapeProfile(n, n, n, h, h, h, w, w, w) { SizeMultiple = 1 };
        var program = IlgpuLowering.LowerProgram(g, precision, profile);
        var data = Floats(input);
        var ort = OrtRunner.Run(OnnxExporter.ExportBytes(g), new Dictionary<string, Tensor> { [g.Inputs[0].Name] = Tensor.FromFloats(shape, data) },
            [g.Outputs[0].Name])[g.Outputs[0].Name];
        using var exec = new IlgpuExecutor(program, fx.Accelerator, new IlgpuExecutorOptions { Fp16Conversion = Fp16Conversion.Integer });
        int per = exec.OutputLength(0, h, w);
        var result = new float[per * n];
        for (int b = 0; b < n; b++)
        {
            var o = new float[per];
            exec.Poison();
            exec.Run(data.AsSpan(b * h * w * c, h * w * c), h, w, o);
            o.CopyTo(result, b * per);
        }
        Assert.Equal(ort.Length, result.Length);
        Assert.DoesNotContain(result, float.IsNaN);
        return (result, EngineVsOrt.Error("", result, ort.Floats!).RelL2);
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "…";
}
