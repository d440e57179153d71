using EastBake.Baking.Calibration;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Runtime.Engine;
using Google.Protobuf;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.Runtime.Detection;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Runtime.Plans;

namespace EastBake.Tool.Commands;

/// <summary>
/// <c>east-bake verify &lt;model|plan&gt;</c>: the ILGPU engine against ONNX Runtime CPU on the same
/// plan (a model is baked in memory with both engines), on fresh random inputs with the engine's
/// buffers poisoned before every run. Exit code 1 when a tolerance is exceeded.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>Rel L2 limit per precision, and the FP16 score map's max abs limit.</summary>
    /// INT8 is checked against ONNX Runtime on the precision-emulation graph of the same calibration:
    /// the FP16 storage of the float layers moves some values across an int8 rounding edge (one step).
    public static double RelTolerance(Precision p) => p switch { Precision.FP32 => 1e-4, Precision.FP16 => 5e-3, _ => 5e-2 };

    public const double Fp16ScoreMaxAbs = 1e-2;

    /// <summary>INT8: the engine's distance to the emulation graph over its distance to FP32 must stay below this.</summary>
    public const double Int8Nearer = 0.5;

    public static Command Create()
    {
        var path = new Argument<string>("model") { Description = "A model (.pb/.pbtxt, SavedModel, checkpoint prefix) or an .eastplan with ILGPU and ONNX segments" };
        var precision = new Option<string>("--precision") { Description = "FP32, FP16 or INT8 (models only; a plan has its own; INT8 calibrates on --calibration-images)", DefaultValueFactory = _ => "FP32" };
        var shape = new Option<string?>("--input-shape") { Description = "HxW to run (default: 704x1280 for a model, the plan's opt shape for a plan)" };
        var device = BackendChoice.DeviceOption();
        var runs = new Option<int>("--runs") { Description = "Random inputs to run", DefaultValueFactory = _ => 3 };
        var seed = new Option<int?>("--seed") { Description = "Seed of the random inputs (default: from the clock, printed)" };
        var images = new Option<string?>("--images")
        {
            Description = "Feed these images (resized to the shape, picked by the seed) instead of random noise: a trained model scores noise near 0, " +
                          "where rel L2 of the score map measures only rounding",
        };
        var calibration = new Option<string?>("--calibration-images") { Description = "Image folder INT8 calibrates on (models baked at INT8)" };
        var cmd = new Command("verify", "Check the ILGPU engine against ONNX Runtime CPU: rel L2 of score and geometry, max abs of the score")
        {
            path, precision, shape, device, runs, seed, images, calibration,
        };
        cmd.SetAction(r => CommandRunner.Run(() =>
            Run(r.GetValue(path)!, r.GetValue(precision)!, r.GetValue(shape), BackendChoice.ParseDevice(r.GetValue(device)!),
                r.GetValue(runs), r.GetValue(seed) ?? Environment.TickCount, r.GetValue(images), r.GetValue(calibration))));
        return cmd;
    }

    private static int Run(string path, string precisionText, string? shapeText, EngineDevice device, int runs, int seed, string? imageDir, string? calibration)
    {
        if (runs < 1) throw new EastBakeException(ErrorCodes.BadArgument, $"--runs must be at least 1 (got {runs})");
        var (plan, h, w) = Load(path, precisionText, shapeText, calibration);
        var program = IlgpuBackendProvider.ProgramOf(plan, out var why)
                      ?? throw new EastBakeException(ErrorCodes.NoBackend, "no ILGPU program to verify: " + why, path);
        var reference = plan.Precision == Precision.INT8 ? EmulationTwin(plan, program) : plan;
        using var ort = new OnnxRuntimeProvider(OnnxExecutionProvider.Cpu).TryCreate(reference, _ => { }, out why)
                        ?? throw new EastBakeException(ErrorCodes.NoBackend, "no ONNX twin to verify against: " + why, path);
        // INT8: the distance to the FP32 network too; the engine must be much nearer its INT8 emulation than FP32.
        using var fp32 = plan.Precision == Precision.INT8 ? new OnnxRuntimeProvider(OnnxExecutionProvider.Cpu).TryCreate(plan, _ => { }, out _) : null;
        using var engine = IlgpuExecutor.Create(program, device, new IlgpuExecutorOptions { Log = l => Console.Error.WriteLine(l) });
        int scoreIndex = program.Outputs[0].Name == plan.OutputNames[0] ? 0 : 1;
        int n4 = h / 4 * (w / 4);
        var score = new float[n4];
        var geometry = new float[n4 * 5];
        var refScore = new float[n4];
        var refGeometry = new float[n4 * 5];
        var image = new float[h * w * 3];
        var rng = new Random(seed);
        var files = imageDir is null ? [] : PlanSource.Images(imageDir).OrderBy(_ => rng.Next()).ToList();
        if (imageDir is not null && files.Count == 0) throw new EastBakeException(ErrorCodes.PathNotFound, "no images in the folder", imageDir);
        var pre = new Preprocessor(new PreprocessorOptions { FixedSize = (h, w), SubtractMeans = !plan.InGraphMeanSubtraction });
        // In-graph mean subtraction means raw 0–255 RGB; otherwise the caller's mean-subtracted range.
        float offset = plan.InGraphMeanSubtraction ? 0 : -128;
        double relScore = 0, relGeo = 0, maxScore = 0, fp32Score = 0, fp32Geo = 0;
        var f32Score = fp32 is null ? [] : new float[n4];
        var f32Geometry = fp32 is null ? [] : new float[n4 * 5];
        bool unwritten = false;
        var engineMs = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            if (files.Count > 0)
            {
                using var picture = ImageLoader.Load(files[run % files.Count]);
                pre.Run(picture, image);
            }
            else
                for (int i = 0; i < image.Length; i++) image[i] = rng.Next(256) + offset;
            ort.Run(image, 1, h, w, refScore, refGeometry);
            engine.Poison();
            Array.Fill(score, float.NaN);
            Array.Fill(geometry, float.NaN);
            var clock = Stopwatch.StartNew();
            if (scoreIndex == 0) engine.Run(image, h, w, score, geometry);
            else engine.Run(image, h, w, geometry, score);
            engineMs.Add(clock.Elapsed.TotalMilliseconds);
            unwritten |= score.Any(float.IsNaN) || geometry.Any(float.IsNaN);
            var (rs, ms) = Error(score, refScore);
            var (rg, _) = Error(geometry, refGeometry);
            relScore = Math.Max(relScore, rs);
            relGeo = Math.Max(relGeo, rg);
            maxScore = Math.Max(maxScore, ms);
            if (fp32 is not null)
            {
                fp32.Run(image, 1, h, w, f32Score, f32Geometry);
                fp32Score = Math.Max(fp32Score, Error(score, f32Score).Item1);
                fp32Geo = Math.Max(fp32Geo, Error(geometry, f32Geometry).Item1);
            }
        }
        double tol = RelTolerance(plan.Precision);
        bool pass = !unwritten && relScore <= tol && relGeo <= tol && (plan.Precision != Precision.FP16 || maxScore <= Fp16ScoreMaxAbs) &&
                    (fp32 is null || (relScore <= Int8Nearer * fp32Score && relGeo <= Int8Nearer * fp32Geo));
        engineMs.Sort();
        string F(double v) => v.ToString("E2", CultureInfo.InvariantCulture);
        // Plain aligned text, not a console table: the line must stay whole in logs and narrow terminals.
        string[] header = ["model", "precision", "shape", "device", "runs", "relL2 score", "relL2 geometry", "maxabs score", "act MiB", "engine ms", "result"];
        string[] row =
        [
            Path.GetFileName(path.TrimEnd('/', '\\')), plan.Precision.ToString(), $"{h}x{w}", engine.DeviceName, runs.ToString(CultureInfo.InvariantCulture),
            F(relScore), F(relGeo), F(maxScore), (engine.MemoryPlan.PeakBytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture),
            engineMs[engineMs.Count / 2].ToString("F1", CultureInfo.InvariantCulture), pass ? "pass" : unwritten ? "FAIL (unwritten output)" : "FAIL",
        ];
        var widths = header.Select((c, i) => Math.Max(c.Length, row[i].Length)).ToArray();
        Console.WriteLine(string.Join("  ", header.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        var int8Note = fp32 is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $"INT8 engine vs the FP32 network: relL2 score {fp32Score:E2}, geometry {fp32Geo:E2} (must be at least {1 / Int8Nearer:F0}x the distance to the emulation); ");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}; inputs: {(files.Count > 0 ? $"images from {imageDir}" : "uniform random pixels")}; tolerances: rel L2 <= {tol:E0}{(plan.Precision == Precision.FP16 ? $", score max abs <= {Fp16ScoreMaxAbs:E0}" : "")}; " +
            $"{int8Note}activations {engine.MemoryPlan.PeakBytes:N0} bytes peak (naive {engine.MemoryPlan.NaiveBytes:N0}); engine ms: median wall time of one forward"));
        return pass ? 0 : 1;
    }

    /// <summary>
    /// The plan with its ONNX segments replaced by their INT8 emulation (QuantizeLinear/DequantizeLinear
    /// on each INT8 layer's input, int8 weights) for exactly the layers the engine program runs in INT8.
    /// </summary>
    private static Plan EmulationTwin(Plan plan, EngineProgram program)
    {
        var table = plan.Calibration ?? throw new EastBakeException(ErrorCodes.PlanMalformed, "an INT8 plan without its calibration");
        var int8 = program.Layers.OfType<QuantizedConv2DLayer>().Select(q => q.Name.Split('+')[0]).ToHashSet(StringComparer.Ordinal);
        var layers = table.Layers.Select(l => l.Precision == Precision.INT8 && !int8.Contains(l.Layer) ? l with { Precision = Precision.FP16 } : l).ToList();
        var segments = plan.Segments.Select(s => s.Engine != EngineKinds.Onnx ? s : new PlanSegment
        {
            Id = s.Id, Group = s.Group, Engine = s.Engine, Inputs = s.Inputs, Outputs = s.Outputs, Properties = s.Properties, Architecture = s.Architecture,
            Payload = PrecisionEmulation.Apply(ModelProto.Parser.ParseFrom(s.Payload), layers, table).ToByteArray(),
        }).ToList();
        return new Plan
        {
            EastBakeVersion = plan.EastBakeVersion, ModelHash = plan.ModelHash, Precision = plan.Precision, Profile = plan.Profile, Target = plan.Target,
            InputName = plan.InputName, OutputNames = plan.OutputNames, Metadata = plan.Metadata, Segments = segments, Calibration = table,
        };
    }

    private static (Plan Plan, int H, int W) Load(string path, string precisionText, string? shapeText, string? calibration)
    {
        if (path.EndsWith(PlanFormat.Extension, StringComparison.OrdinalIgnoreCase))
        {
            var plan = PlanReader.Read(path);
            var (h, w) = shapeText is null ? (plan.Profile.OptHeight, plan.Profile.OptWidth) : Size(shapeText, path);
            if (!plan.Profile.Contains(1, h, w))
                throw new EastBakeException(ErrorCodes.InputShapeOutsideProfile, $"{h}x{w} is outside the plan's profile {plan.Profile}", path);
            return (plan, h, w);
        }
        if (!Enum.TryParse<Precision>(precisionText, true, out var precision) || !Enum.IsDefined(precision))
            throw new EastBakeException(ErrorCodes.BadArgument, $"unknown precision '{precisionText}' (FP32, FP16 or INT8)", path);
        var (mh, mw) = shapeText is null ? (704, 1280) : Size(shapeText, path);
        var options = new BakeOptions
        {
            ModelPath = path, OutputPath = Path.Combine(Path.GetTempPath(), "unused" + PlanFormat.Extension), Precision = precision,
            Profile = ShapeProfile.Fixed(mh, mw), Backends = ["Ilgpu", "Onnx"],
            CalibrationImages = precision == Precision.INT8 ? calibration : null,
        };
        if (!File.Exists(path) && !Directory.Exists(path)) throw new EastBakeException(ErrorCodes.ModelNotFound, "model file not found", path);
        return (new Baker().Compile(options, "verify").Plan, mh, mw);
    }

    private static (int H, int W) Size(string text, string file)
    {
        var p = ProfileText.Parse(text, file);
        if (!p.IsFixedSize) throw new EastBakeException(ErrorCodes.BadInputShape, $"--input-shape must be one HxW, not '{text}'", file);
        return (p.OptHeight, p.OptWidth);
    }

    /// <summary>Rel L2 and max abs of <paramref name="actual"/> against <paramref name="expected"/> (NaN counts as infinite error).</summary>
    private static (double Rel, double MaxAbs) Error(float[] actual, float[] expected)
    {
        double num = 0, den = 0, max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = actual[i] - (double)expected[i];
            if (double.IsNaN(d)) return (double.PositiveInfinity, double.PositiveInfinity);
            num += d * d;
            den += (double)expected[i] * expected[i];
            max = Math.Max(max, Math.Abs(d));
        }
        return (den == 0 ? Math.Sqrt(num) : Math.Sqrt(num / den), max);
    }
}
