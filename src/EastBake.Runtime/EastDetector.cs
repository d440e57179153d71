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
        return DetectWithTimings(image);
    }

    public DetectionResult DetectWithTimings(Image<Rgb24> image)
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
            var t1 = clock.Elapsed.TotalMilliseconds;
            int h4 = h / 4, w4 = w / 4;
            var score = buffers.Score.AsSpan(0, h4 * w4);
            var geometry = buffers.Geometry.AsSpan(0, h4 * w4 * 5);
            if (_backend.IsThreadSafe) _backend.Run(buffers.Input.AsSpan(0, h * w * 3), 1, h, w, score, geometry);
            else lock (_runLock) _backend.Run(buffers.Input.AsSpan(0, h * w * 3), 1, h, w, score, geometry);
            var t2 = clock.Elapsed.TotalMilliseconds;
            var boxes = DetectionPostprocessor.Decode(score, geometry, h4, w4, pre.Ratios, _options.Detection);
            var t3 = clock.Elapsed.TotalMilliseconds;
            return new DetectionResult(boxes, h, w, t1, t2 - t1, t3 - t2);
        }
        finally
        {
            _pool.Add(buffers);
        }
    }

    /// <summary>Buffers sized for the largest input seen; reused across calls, never per call.</summary>
    private Buffers Rent(int h, int w)
    {
        if (!_pool.TryTake(out var b)) b = new Buffers();
        b.Ensure(h, w);
        return b;
    }

    private sealed class Buffers
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
