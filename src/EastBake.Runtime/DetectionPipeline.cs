using EastBake.Diagnostics;
using EastBake.Runtime.Detection;

namespace EastBake.Runtime;

/// <summary>One image's outcome in <see cref="EastDetector.DetectMany"/>: boxes and stage times, or the error that skipped it.</summary>
public sealed record PipelineResult(string ImagePath, DetectionResult? Result, EastBakeException? Error)
{
    public bool Succeeded => Result is not null;
}

/// <summary>
/// Overlaps the CPU and the backend across images. Each image is a chain of three tasks:
/// prepare (decode + resize, thread pool), infer (chained after the previous image's infer, so
/// the backend sees one image at a time and in order) and finish (decode + NMS, thread pool).
/// At most <c>depth</c> images are in flight, which bounds the pooled buffers to <c>depth</c> sets.
/// </summary>
internal sealed class DetectionPipeline(EastDetector detector, int depth)
{
    private readonly int _depth = depth >= 1 ? depth
        : throw new EastBakeException(ErrorCodes.BadArgument, $"pipeline depth must be at least 1 (got {depth})");

    public IEnumerable<PipelineResult> Run(IEnumerable<string> paths, CancellationToken cancellation)
    {
        var window = new Queue<Task<PipelineResult>>();
        Task lastInfer = Task.CompletedTask;
        try
        {
            foreach (var path in paths)
            {
                cancellation.ThrowIfCancellationRequested();
                if (window.Count >= _depth) yield return window.Dequeue().GetAwaiter().GetResult();

                var prepared = Task.Run(() => Prepare(path), cancellation);
                var inferred = Task.WhenAll(prepared, lastInfer).ContinueWith(_ => Infer(prepared.Result),
                    cancellation, TaskContinuationOptions.None, TaskScheduler.Default);
                lastInfer = inferred;
                window.Enqueue(inferred.ContinueWith(t => Finish(path, t.Result),
                    cancellation, TaskContinuationOptions.None, TaskScheduler.Default));
            }
            while (window.Count > 0) yield return window.Dequeue().GetAwaiter().GetResult();
        }
        finally
        {
            // An abandoned enumeration still waits for its images so that buffers return to the pool.
            foreach (var t in window) try { t.Wait(); } catch (AggregateException) { }
        }
    }

    private Stage Prepare(string path)
    {
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var image = ImageLoader.Load(path);
            double decodeMs = clock.Elapsed.TotalMilliseconds;
            var job = detector.Prepare(image);
            job.PreprocessMs += decodeMs;
            return new Stage(job, null);
        }
        catch (EastBakeException e) { return new Stage(null, e); }
    }

    private Stage Infer(Stage s)
    {
        if (s.Job is null) return s;
        try
        {
            detector.Infer(s.Job);
            return s;
        }
        catch (EastBakeException e) { detector.Release(s.Job); return new Stage(null, e); }
        catch (Exception e) { detector.Release(s.Job); return new Stage(null, new EastBakeException(ErrorCodes.BackendFailed, e.Message, inner: e)); }
    }

    private PipelineResult Finish(string path, Stage s)
    {
        if (s.Job is null) return new PipelineResult(path, null, s.Error);
        try
        {
            return new PipelineResult(path, detector.Finish(s.Job), null);
        }
        finally
        {
            detector.Release(s.Job);
        }
    }

    private sealed record Stage(EastDetector.Job? Job, EastBakeException? Error);
}
