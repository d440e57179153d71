using System.Globalization;
using System.Text.RegularExpressions;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu;
using ILGPU.Runtime;
using EastBake.Runtime.Ilgpu;

namespace EastBake.Tool.Bench;

/// <summary>One timed configuration: ours or a baseline row read from torch_baseline.py's output.</summary>
internal sealed record BenchRow(string Name, double Milliseconds, bool Baseline);

/// <summary>The network's arithmetic and memory traffic at one input size, from the engine program.</summary>
internal sealed record NetworkCost(double Flops, long WeightBytes, long ActivationBytes, long IoBytes)
{
    /// <summary>Convolution FLOPs (2·MACs, padding channels included), weight bytes, and each activation written once and read once.</summary>
    public static NetworkCost Of(EngineProgram p, int h, int w)
    {
        double flops = 0;
        foreach (var c in p.Layers.OfType<Conv2DLayer>().Concat(p.Layers.OfType<QuantizedConv2DLayer>().Select(q => q.Conv)))
        {
            var o = p.Tensors[c.Output.Tensor];
            flops += 2.0 * o.Height(h) * o.Width(w) * c.OutChannels * c.InChannels * c.KernelH * c.KernelW;
        }
        long acts = p.Tensors.Sum(t => 2 * t.ByteCount(h, w));
        long io = (long)h * w * p.InputChannels * 4 + p.Outputs.Sum(o => (long)p.Tensors[o.Source.Tensor].Height(h) * p.Tensors[o.Source.Tensor].Width(w) * o.Channels * 4);
        return new NetworkCost(flops, p.Weights.Sum(x => (long)x.Data.Length), acts, io);
    }
}

/// <summary>Times whole forward passes of engine programs and prints them beside the PyTorch baseline.</summary>
internal static class NetworkBench
{
    /// <summary>Median device time of a forward pass (input already on the device), after a first host run that uploads a random image.</summary>
    public static double Time(IlgpuExecutor exec, EngineProgram p, int h, int w, int warmup, int iterations)
    {
        var rng = new Random(5);
        var image = new float[h * w * p.InputChannels];
        for (int i = 0; i < image.Length; i++) image[i] = rng.Next(256);
        var outs = Enumerable.Range(0, p.Outputs.Count).Select(i => new float[exec.OutputLength(i, h, w)]).ToArray();
        if (outs.Length == 2) exec.Run(image, h, w, outs[0], outs[1]);
        else exec.Run(image, h, w, outs[0]);
        return exec.TimeForward(h, w, warmup, iterations);
    }

    /// <summary>
    /// End to end on real images (decode, pre-processing, network, decode + NMS): images one at a
    /// time, then through <see cref="Runtime.EastDetector.DetectMany"/>, which overlaps the CPU stages
    /// with the GPU. Returns both rates (images/s) and the mean stage times of the pipelined run.
    /// </summary>
    public static string EndToEnd(Runtime.Plans.Plan plan, Action<Runtime.DetectorOptions> backend, IReadOnlyList<string> images, int count)
    {
        using var detector = Runtime.EastDetector.Create(plan, backend);
        var list = Enumerable.Range(0, count).Select(i => images[i % images.Count]).ToList();
        foreach (var f in list.Take(3)) detector.DetectWithTimings(f); // warm-up: kernels, buffers
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var f in list) detector.DetectWithTimings(f);
        double sequential = list.Count / clock.Elapsed.TotalSeconds;
        clock.Restart();
        var results = detector.DetectMany(list, depth: 3).ToList();
        double pipelined = list.Count / clock.Elapsed.TotalSeconds;
        var ok = results.Where(r => r.Result is not null).Select(r => r.Result!).ToList();
        return string.Format(CultureInfo.InvariantCulture,
            "end to end ({0}, {1} images of {2} files, {3}): sequential {4:F1} img/s; pipelined (DetectMany, depth 3) {5:F1} img/s; " +
            "mean pre {6:F2} ms, network incl. copies {7:F2} ms, post {8:F2} ms; {9} boxes",
            detector.BackendDescription, list.Count, images.Count, plan.Precision, sequential, pipelined,
            ok.Average(r => r.PreprocessMs), ok.Average(r => r.InferenceMs), ok.Average(r => r.PostprocessMs), ok.Sum(r => r.Boxes.Count));
    }

    /// <summary>Rows of torch_baseline.py's table ("mode  ms  FPS  TFLOP/s") and its GFLOP count.</summary>
    public static (List<BenchRow> Rows, double? Gflop) ParseTorch(string text)
    {
        var rows = new List<BenchRow>();
        double? gflop = null;
        foreach (var line in text.Split('\n'))
        {
            var g = Regex.Match(line, @"([\d.]+) GFLOP per forward");
            if (g.Success) gflop = double.Parse(g.Groups[1].Value, CultureInfo.InvariantCulture);
            var m = Regex.Match(line, @"^(?<name>\S.*?)\s+(?<ms>\d+\.\d+)\s+(?<fps>\d+\.\d+)\s+(?<tf>\d+\.\d+)\s*$");
            if (m.Success) rows.Add(new BenchRow("torch " + m.Groups["name"].Value.Trim(), double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture), true));
        }
        return (rows, gflop);
    }

    public static string Table(IReadOnlyList<BenchRow> rows, double flops, NetworkCost cost, double? matrixTflops, double? bandwidthTbs, string h, string w)
    {
        var inv = CultureInfo.InvariantCulture;
        var reference = rows.FirstOrDefault(r => r.Baseline && r.Name.Contains("fp16") && r.Name.Contains("graph"));
        var lines = new List<string>
        {
            string.Format(inv, "EAST-R50 at {0}x{1}, batch 1: {2:F1} GFLOP a forward; weights {3:F1} MB (engine precision), activations written+read once {4:F0} MB",
                h, w, flops / 1e9, cost.WeightBytes / 1e6, cost.ActivationBytes / 1e6),
        };
        if (matrixTflops is { } mt && bandwidthTbs is { } bw)
        {
            double compute = flops / (mt * 1e12) * 1e3, memory = (cost.ActivationBytes + cost.WeightBytes) / (bw * 1e12) * 1e3;
            lines.Add(string.Format(inv, "floor: {0:F3} ms matrix units ({1:F0} TFLOP/s measured), {2:F3} ms memory ({3:F2} TB/s measured, activations+weights): {4:F3} ms",
                compute, mt, memory, bw, Math.Max(compute, memory)));
        }
        lines.Add($"{"configuration",-40} {"ms",8} {"FPS",8} {"vs torch fp16 graph",20} {"TFLOP/s",8} {"% matrix",9}");
        foreach (var r in rows)
        {
            double tf = flops / r.Milliseconds / 1e9;
            lines.Add(string.Format(inv, "{0,-40} {1,8:F3} {2,8:F1} {3,20} {4,8:F1} {5,9}", r.Name, r.Milliseconds, 1000 / r.Milliseconds,
                reference is null ? "-" : string.Format(inv, "{0:F2}x", r.Milliseconds / reference.Milliseconds), tf,
                matrixTflops is { } m ? string.Format(inv, "{0:F1}%", 100 * tf / m) : "-"));
        }
        if (reference is not null)
            lines.Add("ratio = our ms / torch fp16 channels-last CUDA-graph ms in the same call (< 1 is faster)");
        return string.Join(Environment.NewLine, lines);
    }
}
