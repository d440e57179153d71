using System.Collections.Concurrent;
using System.Diagnostics;
using EastBake.Diagnostics;
using EastBake.Runtime.Backends;
using EastBake.Runtime.Detection;
using EastBake.Runtime.Plans;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace EastBake.Runtime;

/// <summary>Boxes of one image and where the time went.</summary>
public sealed record DetectionResult(IReadOnlyList<TextBox> Boxes, int InputHeight, int InputWidth,
    double PreprocessMs, double InferenceMs, double PostprocessMs);

/// <summary>
/// Loads a baked plan and turns images into scored rotated quadrilaterals: pre-processing
/// (EAST's resize rule, or the plan's fixed shape), the network on the best available backend,
/// RBOX decoding and locality-aware NMS. <see cref="Detect(string)"/> is safe to call from many
/// threads: each call takes a pooled set of buffers, and a backend that is not thread-safe is
/// serialized behind a lock.
/// </summary>
public sealed class EastDetector : IDisposable
{
    private readonly IInferenceBackend _backend;
    private readonly Preprocessor _pre;
    private readonly DetectorOptions _options;
    private readonly ConcurrentBag<Buffers> _pool = new();
    private readonly object _runLock = new();

    private EastDetector(Plan plan, IInferenceBackend backend, DetectorOptions options)
    {
        Plan = plan;
        _backend = backend;
        _options = options;
        var p = plan.Profile;
        _pre = new Preprocessor(new PreprocessorOptions
        {
            MaxSide = options.MaxSide,
            FixedSize = p.MinHeight == p.MaxHeight && p.MinWidth == p.MaxWidth ? (p.OptHeight, p.OptWidth) : null,
            // The graph may subtract the means itself: never subtract twice.
            SubtractMeans = !plan.InGraphMeanSubtraction,
        });
    }

    public Plan Plan { get; }

    /// <summary>The backend and device in use.</summary>
    public string BackendDescription => _backend.Description;

    public static EastDetector Load(string planPath, Action<DetectorOptions>? configure = null) =>
        Create(PlanReader.Read(planPath), configure, planPath);

    public static EastDetector Create(Plan plan, Action<DetectorOptions>? configure = null, string? planPath = null)
    {
        var options = new DetectorOptions();
        configure?.Invoke(options);
        var log = options.Log ?? (_ => { });
        var reasons = new List<string>();
        foreach (var provider in options.Providers.OrderByDescending(p => p.Priority))
        {
            if (options.Backend is not null && !string.Equals(provider.Name, options.Backend, StringComparison.OrdinalIgnoreCase)) continue;
            var backend = provider.TryCreate(plan, log, out var reason);
            if (backend is not null)
            {
                log($"EastBake: using backend {backend.Description}");
                return new EastDetector(plan, backend, options);
            }
            log($"EastBake: backend {provider.Name} not used: {reason}");
            reasons.Add($"{provider.Name}: {reason}");
        }
        throw new EastBakeException(ErrorCodes.NoBackend,
            options.Providers.Count == 0
                ? "no backend is registered: add one, e.g. EastDetector.Load(plan, o => o.UseOnnxRuntime()) from EastBake.Runtime.OnnxRuntime"
                : $"no registered backend can run this plan ({string.Join("; ", reasons)})", planPath);
    }

    public IReadOnlyList<TextBox> Detect(string imagePath) => DetectWithTimings(imagePath).Boxes;

    public IReadOnlyList<TextBox> Detect(Image<Rgb24> image) => DetectWithTimings(image).Boxes;

    public DetectionResult DetectWithTimings(string imagePath)
    {
        using var image = ImageLoader.Load(imagePath);
        try
        {
            return DetectWithTimings(image);
        }
        catch (EastBakeException e) when (e.File is null)
        {
            throw new EastBakeException(e.Code, e.Message, imagePath, e.Node, e.Line, e);
        }
    }

    public DetectionResult DetectWithTimings(Image<Rgb24> image)
    {
        var job = Prepare(image);
        try
        {
            Infer(job);
            return Finish(job);
        }
        finally
        {
            _pool.Add(job.Buffers);
        }
    }

    /// <summary>
    /// Detects text in many images, overlapping the stages: decoding and pre-processing of the
    /// next images and post-processing of earlier ones run on the CPU while the backend runs the
    /// network on the current one (at most <paramref name="depth"/> images in flight; 2 is double
    /// buffering). Results come back in input order; an image that cannot be read gives a result
    /// with <see cref="PipelineResult.Error"/> set instead of stopping the run.
    /// </summary>
    public IEnumerable<PipelineResult> DetectMany(IEnumerable<string> imagePaths, int depth = 2, CancellationToken cancellation = default) =>
        new DetectionPipeline(this, depth).Run(imagePaths, cancellation);

    /// <summary>Stage 1 (CPU): decode is the caller's; resize and normalize into pooled buffers.</summary>
    internal Job Prepare(Image<Rgb24> image)
    {
        var clock = Stopwatch.StartNew();
        var (h, w) = _pre.InputSizeFor(image.Height, image.Width);
        if (!Plan.Profile.Contains(1, h, w))
            throw new EastBakeException(ErrorCodes.InputShapeOutsideProfile,
                $"input {h}x{w} (from a {image.Height}x{image.Width} image) is outside the plan's profile {Plan.Profile}");
        var buffers = Rent(h, w);
        try
        {
            var pre = _pre.Run(image, buffers.Input.AsSpan(0, h * w * 3));
            return new Job(buffers, h, w, pre.Ratios) { PreprocessMs = clock.Elapsed.TotalMilliseconds };
        }
        catch
        {
            _pool.Add(buffers);
            throw;
        }
    }

    /// <summary>Stage 2 (backend): the network, serialized when the backend is not thread-safe.</summary>
    internal void Infer(Job job)
    {
        var clock = Stopwatch.StartNew();
        int h = job.Height, w = job.Width, h4 = h / 4, w4 = w / 4;
        var input = job.Buffers.Input.AsSpan(0, h * w * 3);
        var score = job.Buffers.Score.AsSpan(0, h4 * w4);
        var geometry = job.Buffers.Geometry.AsSpan(0, h4 * w4 * 5);
        if (_backend.IsThreadSafe) _backend.Run(input, 1, h, w, score, geometry);
        else lock (_runLock) _backend.Run(input, 1, h, w, score, geometry);
        job.InferenceMs = clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>Stage 3 (CPU): RBOX decode and NMS. Does not return the buffers to the pool.</summary>
    internal DetectionResult Finish(Job job)
    {
        var clock = Stopwatch.StartNew();
        int h4 = job.Height / 4, w4 = job.Width / 4;
        var boxes = DetectionPostprocessor.Decode(job.Buffers.Score.AsSpan(0, h4 * w4),
            job.Buffers.Geometry.AsSpan(0, h4 * w4 * 5), h4, w4, job.Ratios, _options.Detection);
        return new DetectionResult(boxes, job.Height, job.Width, job.PreprocessMs, job.InferenceMs, clock.Elapsed.TotalMilliseconds);
    }

    internal void Release(Job job) => _pool.Add(job.Buffers);

    /// <summary>One image in flight: its pooled buffers, input size, ratios and stage times.</summary>
    internal sealed class Job(Buffers buffers, int height, int width, ResizeRatios ratios)
    {
        public Buffers Buffers { get; } = buffers;
        public int Height { get; } = height;
        public int Width { get; } = width;
        public ResizeRatios Ratios { get; } = ratios;
        public double PreprocessMs { get; set; }
        public double InferenceMs { get; set; }
    }

    /// <summary>Buffers sized for the largest input seen; reused across calls, never per call.</summary>
    private Buffers Rent(int h, int w)
    {
        if (!_pool.TryTake(out var b)) b = new Buffers();
        b.Ensure(h, w);
        return b;
    }

    internal sealed class Buffers
    {
        public float[] Input = [];
        public float[] Score = [];
        public float[] Geometry = [];

        public void Ensure(int h, int w)
        {
            if (Input.Length < h * w * 3) Input = new float[h * w * 3];
            if (Score.Length < h / 4 * (w / 4)) Score = new float[h / 4 * (w / 4)];
            if (Geometry.Length < h / 4 * (w / 4) * 5) Geometry = new float[h / 4 * (w / 4) * 5];
        }
    }

    public void Dispose() => _backend.Dispose();
}
