using System.Globalization;
using System.Text;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Optimizer;
using EastBake.Compiler.Util;
using EastBake.Diagnostics;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;

namespace EastBake.Tests.Onnx;

/// <summary>
/// Real TensorFlow graphs (shared/tf/opencv): import → optimize → export → ONNX Runtime, compared
/// with TF's own output tensor. Graphs of the ops EAST uses must pass; the rest are reported.
/// </summary>
public class OpenCvConformanceTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;
    private const double Fp16Tolerance = 2e-3;

    /// <summary>The graphs whose ops are EAST's: each must match TF within the tolerance.</summary>
    public static readonly string[] Required =
    [
        "resize_bilinear_factor", "resize_bilinear", "fused_batch_norm", "fused_batch_norm_no_gamma", "single_conv",
        "padding_same", "padding_valid", "pad_and_concat", "max_pool_even", "max_pool_odd_same", "max_pool_odd_valid",
        "eltwise_add_mul", "eltwise_sub", "split_equals", "reduce_mean", "concat_axis_1", "ave_pool_same",
        "keras_relu6", "fp16_single_conv", "fp16_padding_same", "fp16_max_pool_odd_same", "fp16_eltwise_add_mul", "fp16_max_pool_even", "fp16_pad_and_concat", "batch_norm", "spatial_padding",
    ];

    [SharedFact("tf/opencv")]
    public void ExportedGraphsMatchTensorFlow()
    {
        var dir = SharedData.Path_("tf/opencv");
        var table = new StringBuilder();
        table.AppendLine($"{"graph",-36} {"ops",4} {"rel L2",10} {"max abs",10}  note");
        var failures = new List<string>();
        foreach (var pb in Directory.GetFiles(dir, "*_net.pb").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(pb)[..^"_net.pb".Length];
            var inPath = Path.Combine(dir, name + "_in.npy");
            var outPath = Path.Combine(dir, name + "_out.npy");
            if (!File.Exists(inPath) || !File.Exists(outPath)) continue;
            string row;
            try
            {
                var (ops, rel, max) = Check(pb, inPath, outPath);
                // TF computed the fp16 graphs in half precision; we export them in float32.
                var ok = rel <= (name.StartsWith("fp16_", StringComparison.Ordinal) ? Fp16Tolerance : Tolerance);
                row = $"{name,-36} {ops,4} {rel,10:E2} {max,10:E2}  {(ok ? "ok" : "MISMATCH")}";
                if (!ok && Required.Contains(name)) failures.Add($"{name}: rel L2 {rel:E2}");
            }
            catch (Exception e) when (e is EastBakeException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                var msg = e is EastBakeException eb ? $"{eb.Code} {eb.Message}" : e.Message;
                row = $"{name,-36} {"-",4} {"-",10} {"-",10}  {Truncate(msg, 110)}";
                if (Required.Contains(name)) failures.Add($"{name}: {msg}");
            }
            table.AppendLine(row);
        }
        output.WriteLine(table.ToString());
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static (int Ops, double Rel, double Max) Check(string pb, string inPath, string outPath)
    {
        var g = ModelLoader.Load(pb);
        var ops = g.Nodes.Select(n => n.Op).Distinct().Count();
        GraphOptimizer.Run(g);
        var input = Compare.NchwToNhwc(Npy.Read(inPath));
        var expected = Compare.NchwToNhwc(Npy.Read(outPath));
        if (input.Floats is null) input = Tensor.FromFloats(input.Shape, Array.ConvertAll(input.ToDoubles(), d => (float)d));
        var model = OnnxExporter.Export(g);
        var feeds = new Dictionary<string, Tensor> { [g.Inputs[0].Name] = input };
        var actual = OrtRunner.Run(model, feeds)[g.Outputs[0].Name];
        if (actual.Length == expected.Length && !actual.Shape.SequenceEqual(expected.Shape))
            actual = OnnxTensors.Reshape(actual, expected.Shape); // e.g. TF's [N,C] vs a stored [N,C,1,1]
        return (ops, Compare.RelL2(actual, expected), Compare.MaxAbs(actual, expected));
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "…";
}
