using System.CommandLine;
using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;
using Spectre.Console;

namespace EastBake.Tool.Commands;

/// <summary><c>east-bake bake &lt;model&gt;</c>: the same pipeline and options as the <c>&lt;EastModel&gt;</c> item.</summary>
internal static class BakeCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "Frozen graph (.pb/.pbtxt), SavedModel directory or checkpoint prefix" };
        var output = new Option<string?>("--out", "-o") { Description = "Plan path (default: <model name>.eastplan beside the model)" };
        var precision = new Option<string>("--precision") { Description = "FP32, FP16 or INT8", DefaultValueFactory = _ => "FP32" };
        var shape = new Option<string>("--input-shape") { Description = "704x1280, NxHxW, or min:…;opt:…;max:…", DefaultValueFactory = _ => "704x1280" };
        var minSeg = new Option<int>("--minimum-segment-size") { DefaultValueFactory = _ => 3, Description = "Smallest engine segment (Identity/Const not counted)" };
        var backends = new Option<string>("--backends") { DefaultValueFactory = _ => "Ilgpu;Onnx", Description = "Engine backends: Ilgpu;Onnx;TensorRT" };
        var calib = new Option<string?>("--calibration-images") { Description = "Image folder for INT8 calibration" };
        var method = new Option<string>("--calibration-method") { DefaultValueFactory = _ => "Entropy", Description = "Entropy, Percentile or MinMax" };
        var limit = new Option<int>("--calibration-limit") { DefaultValueFactory = _ => 500 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint prefix (model.ckpt) to freeze" };
        var requireTrt = new Option<bool>("--require-tensorrt") { Description = "Fail when TensorRT is missing instead of warning" };
        var inputs = new Option<string?>("--inputs") { Description = "Input node names (;-separated)" };
        var outputs = new Option<string?>("--outputs") { Description = "Output tensor names (;-separated); default: EAST's score and geometry" };
        var force = new Option<bool>("--force") { Description = "Rebake even if the plan is up to date" };
        var msbuild = new Option<bool>("--msbuild") { Description = "Plain line output for the MSBuild task", Hidden = true };
        var cmd = new Command("bake", "Import, optimize, partition and bake a model into an .eastplan")
        {
            model, output, precision, shape, minSeg, backends, calib, method, limit, checkpoint, requireTrt, inputs, outputs, force, msbuild,
        };
        cmd.SetAction(r => CommandRunner.Run(() =>
        {
            var m = r.GetValue(model)!;
            var file = r.GetValue(checkpoint) ?? m;
            if (!Enum.TryParse<Precision>(r.GetValue(precision), true, out var prec))
                throw new EastBakeException(ErrorCodes.BadArgument, $"unknown precision '{r.GetValue(precision)}' (FP32, FP16 or INT8)", file);
            static IReadOnlyList<string>? List(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var options = new BakeOptions
            {
                ModelPath = m,
                Checkpoint = r.GetValue(checkpoint),
                OutputPath = Path.GetFullPath(r.GetValue(output) ?? Path.ChangeExtension(m.TrimEnd('/', '\\'), PlanFormat.Extension)),
                Precision = prec,
                Profile = ProfileText.Parse(r.GetValue(shape)!, file),
                MinimumSegmentSize = r.GetValue(minSeg),
                Backends = List(r.GetValue(backends)) ?? ["Ilgpu", "Onnx"],
                CalibrationImages = r.GetValue(calib),
                CalibrationMethod = r.GetValue(method)!,
                CalibrationLimit = r.GetValue(limit),
                RequireTensorRt = r.GetValue(requireTrt),
                Inputs = List(r.GetValue(inputs)),
                Outputs = List(r.GetValue(outputs)),
                Force = r.GetValue(force),
            };
            if (r.GetValue(msbuild) || Console.IsOutputRedirected)
            {
                new Baker(new LineBakeLog(), new OnnxRuntimeTensorRtBuilder()).Bake(options);
                return 0;
            }
            BakeResult? result = null;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx => result = new Baker(new ProgressBakeLog(ctx), new OnnxRuntimeTensorRtBuilder()).Bake(options));
            AnsiConsole.WriteLine(result!.UpToDate ? $"up to date: {result.PlanPath}" : $"baked {result.PlanPath} in {result.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return cmd;
    }

    /// <summary>Spectre.Console progress bars, one per stage; messages are kept for the end.</summary>
    private sealed class ProgressBakeLog(ProgressContext ctx) : IBakeLog
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new();

        public void Info(string message) => AnsiConsole.WriteLine(message);

        public void Warning(string code, string message, string? file = null) =>
            AnsiConsole.MarkupLineInterpolated($"[yellow]warning {code}[/]: {message}");

        public void Progress(string stage, double fraction)
        {
            if (!_tasks.TryGetValue(stage, out var t)) _tasks[stage] = t = ctx.AddTask(stage, maxValue: 1.0);
            t.Value = fraction;
        }
    }
}
