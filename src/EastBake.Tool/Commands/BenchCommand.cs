using EastBake.Runtime.OnnxRuntime;
using System.CommandLine;
using System.Globalization;
using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.Plans;
using EastBake.Tool.Bench;

namespace EastBake.Tool.Commands;

/// <summary>
/// <c>east-bake bench &lt;model|plan&gt;</c>: device time of the ILGPU engine's forward pass per
/// precision (median of many, device markers), optionally per layer, printed beside PyTorch's
/// rows from <c>torch_baseline.py</c> run in the same device call. <c>--conv-sweep</c> times every
/// convolution kernel on each EAST convolution shape (no model needed).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Argument<string?>("model") { Description = "A model (baked in memory) or an .eastplan with an ILGPU segment", Arity = ArgumentArity.ZeroOrOne };
        var sweep = new Option<bool>("--conv-sweep") { Description = "Time every convolution kernel on each EAST-R50 convolution shape (FP16)" };
        var precisions = new Option<string>("--precision") { Description = "Precisions to bake and time, comma-separated (models only)", DefaultValueFactory = _ => "FP32,FP16" };
        var shape = new Option<string>("--input-shape") { Description = "Network input HxW", DefaultValueFactory = _ => "704x1280" };
        var iters = new Option<int>("--iters") { Description = "Timed repetitions (median reported)", DefaultValueFactory = _ => 100 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed passes first", DefaultValueFactory = _ => 20 };
        var profile = new Option<int>("--profile") { Description = "Also list the N slowest layers (0: off)", DefaultValueFactory = _ => 0 };
        var torch = new Option<string?>("--torch") { Description = "Output of torch_baseline.py from the same call, shown as baseline rows" };
        var matrix = new Option<double?>("--matrix-tflops") { Description = "Measured matrix-unit ceiling (TFLOP/s) for the floor and % columns" };
        var bandwidth = new Option<double?>("--bandwidth") { Description = "Measured device-memory bandwidth (TB/s) for the floor" };
        var portable = new Option<bool>("--portable-too") { Description = "Also time FP16 with the tensor-core tactics disabled" };
        var device = new Option<EngineDevice>("--device") { Description = "ILGPU accelerator", DefaultValueFactory = _ => EngineDevice.Auto };
        var images = new Option<string?>("--images") { Description = "Also run end to end (decode → boxes) on these images with each plan, sequential and pipelined" };
        var imageCount = new Option<int>("--image-count") { Description = "Images for the end-to-end run (the folder is cycled)", DefaultValueFactory = _ => 100 };
        var calibration = new Option<string?>("--calibration-images") { Description = "Image folder INT8 calibrates on (models baked at INT8)" };
        var onnxCuda = new Option<bool>("--onnx-cuda") { Description = "End to end also on ONNX Runtime's CUDA execution provider (plans with ONNX segments)" };
        var noDirect = new Option<bool>("--no-direct") { Description = "Sweep: skip the direct kernel (slow; also the sweep's correctness reference)" };
        var cmd = new Command("bench", "Time the ILGPU engine on the device")
        {
            model, sweep, precisions, shape, iters, warmup, profile, torch, matrix, bandwidth, portable, device, noDirect, images, imageCount, calibration, onnxCuda,
        };
        cmd.SetAction(r => CommandRunner.Run(() =>
        {
            var (h, w) = ParseSize(r.GetValue(shape)!);
            var (context, accelerator) = IlgpuDeviceSelector.Create(r.GetValue(device), Console.WriteLine);
            using (context)
            using (accelerator)
            {
                if (r.GetValue(sweep))
                {
                    var results = ConvKernelSweep.Run(accelerator, EastConvShapes.For(h, w), Math.Min(r.GetValue(iters), 50), !r.GetValue(noDirect), Console.WriteLine).ToList();
                    Console.WriteLine(ConvKernelSweep.Summarize(results));
                }
                var path = r.GetValue(model);
                if (path is null)
                {
                    if (!r.GetValue(sweep)) throw new EastBakeException(ErrorCodes.BadArgument, "bench needs a model or plan, or --conv-sweep");
                    return 0;
                }
                var rows = new List<BenchRow>();
                NetworkCost? cost = null;
                foreach (var (plan, label) in Plans(path, r.GetValue(precisions)!, h, w, r.GetValue(calibration)))
                {
                    var program = IlgpuBackendProvider.ProgramOf(plan, out var why)
                                  ?? throw new EastBakeException(ErrorCodes.NoBackend, "no ILGPU program to time: " + why, path);
                    cost ??= NetworkCost.Of(program, h, w);
                    var modes = plan.Precision == Precision.FP16 && r.GetValue(portable)
                        ? new[] { TensorCoreMode.Auto, TensorCoreMode.Disabled } : [TensorCoreMode.Auto];
                    var endToEnd = r.GetValue(images) is { } dir ? PlanSource.Images(dir) : null;
                    foreach (var mode in modes)
                    {
                        using var exec = new IlgpuExecutor(program, accelerator, new IlgpuExecutorOptions { TensorCores = mode, Log = Console.WriteLine });
                        double ms = NetworkBench.Time(exec, program, h, w, r.GetValue(warmup), r.GetValue(iters));
                        var name = $"ilgpu {label}" + (mode == TensorCoreMode.Disabled ? " portable kernels" : "");
                        rows.Add(new BenchRow(name, ms, false));
                        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0}: {1:F3} ms", name, ms));
                        if (r.GetValue(profile) is > 0 and var top)
                        {
                            var layers = exec.ProfileLayers(h, w, Math.Min(r.GetValue(iters), 20));
                            double sum = layers.Sum(l => l.Milliseconds);
                            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  per-layer sum {0:F3} ms over {1} launches; slowest {2}:", sum, layers.Count, top));
                            foreach (var (layer, lms) in layers.OrderByDescending(l => l.Milliseconds).Take(top))
                                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  {0,-60} {1,8:F4} ms {2,5:F1}%", layer, lms, 100 * lms / sum));
                        }
                    }
                    if (endToEnd is { Count: > 0 })
                    {
                        Console.WriteLine(NetworkBench.EndToEnd(plan, o => o.UseIlgpu(r.GetValue(device)), endToEnd, r.GetValue(imageCount)));
                        // ONNX Runtime's CUDA EP on the plan's ONNX segments, beside the engine in the same process (needs the GPU natives).
                        if (r.GetValue(onnxCuda) && plan.Segments.Any(s => s.Engine == EngineKinds.Onnx))
                            Console.WriteLine(NetworkBench.EndToEnd(plan, o => o.UseOnnxRuntime(OnnxExecutionProvider.Cuda), endToEnd, r.GetValue(imageCount)));
                    }
                }
                double flops = cost!.Flops;
                if (r.GetValue(torch) is { } torchFile)
                {
                    var (torchRows, gflop) = NetworkBench.ParseTorch(File.ReadAllText(torchFile));
                    rows.AddRange(torchRows);
                    if (gflop is { } g) flops = g * 1e9; // the baseline's count (real channels), for comparable TFLOP/s
                }
                Console.WriteLine(NetworkBench.Table(rows, flops, cost, r.GetValue(matrix), r.GetValue(bandwidth), h.ToString(CultureInfo.InvariantCulture), w.ToString(CultureInfo.InvariantCulture)));
                return 0;
            }
        }));
        return cmd;
    }

    private static IEnumerable<(Plan Plan, string Label)> Plans(string path, string precisions, int h, int w, string? calibrationImages)
    {
        if (path.EndsWith(PlanFormat.Extension, StringComparison.OrdinalIgnoreCase))
        {
            var plan = PlanReader.Read(path);
            yield return (plan, plan.Precision.ToString());
            yield break;
        }
        foreach (var text in precisions.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<Precision>(text, true, out var precision))
                throw new EastBakeException(ErrorCodes.BadArgument, $"unknown precision '{text}'", path);
            var options = new BakeOptions
            {
                ModelPath = path, OutputPath = Path.Combine(Path.GetTempPath(), "unused" + PlanFormat.Extension), Precision = precision,
                Profile = ShapeProfile.Fixed(h, w), Backends = ["Ilgpu"],
                CalibrationImages = precision == Precision.INT8 ? calibrationImages : null,
            };
            yield return (new Baker(new LineBakeLog()).Compile(options, "bench").Plan, precision.ToString());
        }
    }

    private static (int H, int W) ParseSize(string text)
    {
        var p = ProfileText.Parse(text, "--input-shape");
        return (p.OptHeight, p.OptWidth);
    }
}
