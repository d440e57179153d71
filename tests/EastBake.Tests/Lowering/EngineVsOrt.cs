using EastBake.Baking.Pipeline;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.Plans;
using EastBake.Tests.Engine;
using EastBake.Tests.Onnx;
using ILGPU.Runtime;
using Tensor = EastBake.Compiler.Ir.Tensor;

namespace EastBake.Tests.Lowering;

/// <summary>One output's error of the engine against ONNX Runtime CPU.</summary>
internal sealed record OutputError(string Name, double RelL2, double MaxAbs);

/// <summary>
/// Runs a lowered program on the test accelerator (poisoned buffers) and the same optimized graph
/// exported to ONNX on ONNX Runtime CPU, on fresh random images, and measures the difference.
/// </summary>
internal static class EngineVsOrt
{
    public const string Score = "feature_fusion/Conv_7/Sigmoid";
    public const string Geometry = "feature_fusion/concat_3";

    public static string W8 => TestSupport.SharedData.Repo("testassets/models/east_r50_w8.pb");

    /// <summary>Imports and optimizes a model exactly as the baker does for <paramref name="profile"/>.</summary>
    public static Graph Optimized(string model, ShapeProfile profile)
    {
        var g = ModelLoader.Load(model);
        Baker.Optimize(g, profile);
        return g;
    }

    /// <summary>
    /// Per output, the worst error over <paramref name="runs"/> images of each shape; the reference is
    /// <paramref name="graph"/> exported to ONNX unless <paramref name="onnx"/> gives another model.
    /// </summary>
    public static List<OutputError> Compare(Accelerator accelerator, EngineProgram program, Graph graph, (int H, int W)[] shapes,
        Random rng, int runs = 1, Func<Random, int, float> pixel = null!, Fp16Conversion fp16 = Fp16Conversion.Integer, byte[]? onnx = null)
    {
        pixel ??= (r, _) => r.Next(256);
        onnx ??= OnnxExporter.ExportBytes(graph);
        var names = graph.Outputs.Select(v => v.Name).ToArray();
        Assert.Equal(names, program.Outputs.Select(o => o.Name));
        var worst = names.Select(n => new OutputError(n, 0, 0)).ToList();
        using var exec = new IlgpuExecutor(program, accelerator, new IlgpuExecutorOptions { Fp16Conversion = fp16 });
        foreach (var (h, w) in shapes)
        {
            for (int run = 0; run < runs; run++)
            {
                int c = program.InputChannels;
                var image = new float[h * w * c];
                for (int i = 0; i < image.Length; i++) image[i] = pixel(rng, i);
                var ort = OrtRunner.Run(onnx, new Dictionary<string, Tensor> { [graph.Inputs[0].Name] = Tensor.FromFloats([1, h, w, c], image) }, names);
                var outs = names.Select((_, i) => new float[exec.OutputLength(i, h, w)]).ToArray();
                foreach (var o in outs) Array.Fill(o, float.NaN);
                exec.Poison();
                if (outs.Length == 1) exec.Run(image, h, w, outs[0]);
                else exec.Run(image, h, w, outs[0], outs[1]);
                for (int i = 0; i < names.Length; i++)
                {
                    var expected = ort[names[i]];
                    Assert.Equal(expected.Length, outs[i].Length);
                    int nan = Array.FindIndex(outs[i], float.IsNaN);
                    Assert.True(nan < 0, $"{names[i]} element {nan} was not written at {h}x{w}");
                    var e = Error(names[i], outs[i], expected.Floats!);
                    worst[i] = worst[i] with { RelL2 = Math.Max(worst[i].RelL2, e.RelL2), MaxAbs = Math.Max(worst[i].MaxAbs, e.MaxAbs) };
                }
            }
        }
        return worst;
    }

    public static OutputError Error(string name, float[] actual, float[] expected)
    {
        double num = 0, den = 0, max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = actual[i] - (double)expected[i];
            num += d * d;
            den += (double)expected[i] * expected[i];
            max = Math.Max(max, Math.Abs(d));
        }
        return new OutputError(name, den == 0 ? Math.Sqrt(num) : Math.Sqrt(num / den), max);
    }
}
