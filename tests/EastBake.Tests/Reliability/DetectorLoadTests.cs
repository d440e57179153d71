using System.Diagnostics;
using EastBake.Runtime;
using EastBake.Runtime.Detection;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace EastBake.Tests.Reliability;

/// <summary>
/// Issue 8, item 5: one <see cref="EastDetector"/> shared by many threads (its threading model:
/// internal pooling; each call rents a buffer set, ONNX Runtime's session runs concurrent calls,
/// a backend that cannot is serialized by the detector). Every concurrent result equals the
/// single-threaded one, and 10,000 calls do not grow managed or native memory.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class DetectorLoadTests(ITestOutputHelper output) : ReliabilityTestBase
{
    private const string DevImages = "icdar2015/dev/images";

    /// <summary>200 images: the 100 ICDAR dev images (shrunk to 320 px wide) twice when ../shared has them, else generated ones.</summary>
    private List<Image<Rgb24>> Images200(out string source)
    {
        var list = new List<Image<Rgb24>>();
        if (SharedData.Has(DevImages))
        {
            source = "ICDAR 2015 dev images";
            foreach (var f in ImageFolder.List(SharedData.Path_(DevImages)))
            {
                var img = ImageLoader.Load(f);
                img.Mutate(x => x.Resize(320, 0));
                list.Add(img);
            }
            while (list.Count < 200) list.Add(list[list.Count % 100].Clone());
        }
        else
        {
            source = "generated images (../shared is absent)";
            var seed = Random.Shared.Next();
            output.WriteLine($"image seed {seed}");
            var rnd = new Random(seed);
            for (var i = 0; i < 200; i++)
            {
                var (w, h) = (rnd.Next(80, 400), rnd.Next(60, 300));
                var img = new Image<Rgb24>(w, h);
                for (var y = 0; y < h; y++)
                    for (var x = 0; x < w; x++)
                        img[x, y] = new Rgb24((byte)rnd.Next(256), (byte)((x * 3 + i) & 255), (byte)((y * 7) & 255));
                list.Add(img);
            }
        }
        return list;
    }

    private EastDetector OpenW8(int size, int intraOpThreads = 0) => EastDetector.Load(BakeW8($"w8_{size}.eastplan", size, size), o =>
    {
        o.UseOnnxRuntime(intraOpThreads: intraOpThreads);
        // Permissive, so that random weights still give boxes to compare.
        o.Detection = o.Detection with { ScoreThreshold = 0.3f };
    });

    [Fact]
    public void Eight_threads_times_200_images_equal_the_single_threaded_results()
    {
        var images = Images200(out var source);
        try
        {
            using var detector = OpenW8(128);
            var expected = images.Select(i => detector.Detect(i)).ToList();
            Assert.True(expected.Count(e => e.Count > 0) >= 20, "too few images with boxes: the comparison would be weak");

            var clock = Stopwatch.StartNew();
            var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
            var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
            {
                // Each thread visits the 200 images in its own order.
                var order = Enumerable.Range(0, images.Count).OrderBy(i => (i * 7919 + t * 104729) % 200).ToList();
                foreach (var i in order)
                {
                    var got = detector.Detect(images[i]);
                    if (!got.SequenceEqual(expected[i])) mismatches.Add($"thread {t} image {i}: {got.Count} vs {expected[i].Count} boxes");
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            output.WriteLine($"{source}: 8 x 200 concurrent detections in {clock.Elapsed.TotalSeconds:F1} s " +
                             $"on {Environment.ProcessorCount} cores; {expected.Sum(e => e.Count)} boxes per pass; backend {detector.BackendDescription}");
            Assert.True(mismatches.IsEmpty, string.Join("\n", mismatches.Take(10)));
        }
        finally { images.ForEach(i => i.Dispose()); }
    }

    /// <summary>
    /// 10,000 calls from 4 threads at 64x64. After 1,000 warm-up calls, managed memory (after a
    /// full collection) may grow by at most 4 MiB and the process's resident set by at most 48 MiB
    /// (native allocator noise; a leak of one 64x64 input per call would be 490 MiB). Private
    /// bytes are printed, not bounded: glibc reserves a malloc arena per new thread.
    /// </summary>
    [Fact]
    public void Ten_thousand_calls_do_not_grow_memory()
    {
        const int total = 10_000, warmUp = 1_000, threadCount = 4;
        using var detector = OpenW8(64, intraOpThreads: 1); // the callers are the parallelism here
        using var img = new Image<Rgb24>(64, 64);
        var rnd = new Random(7);
        for (var y = 0; y < 64; y++)
            for (var x = 0; x < 64; x++)
                img[x, y] = new Rgb24((byte)rnd.Next(256), (byte)rnd.Next(256), (byte)rnd.Next(256));

        var samples = new List<(int Calls, long Managed, long Rss, long Private)>();
        (long, long, long) Measure()
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            using var p = Process.GetCurrentProcess();
            return (GC.GetTotalMemory(false), p.WorkingSet64, p.PrivateMemorySize64);
        }
        void Calls(int n) => Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = threadCount }, _ => detector.Detect(img));

        Calls(warmUp);
        var (m0, r0, p0) = Measure();
        samples.Add((warmUp, m0, r0, p0));
        var step = (total - warmUp) / 9;
        for (var done = warmUp; done < total; done += step)
        {
            Calls(Math.Min(step, total - done));
            var (m, r, p) = Measure();
            samples.Add((Math.Min(done + step, total), m, r, p));
        }
        foreach (var s in samples)
            output.WriteLine($"{s.Calls,6} calls: managed {s.Managed / 1024.0 / 1024:F1} MiB, RSS {s.Rss / 1024.0 / 1024:F1} MiB, private {s.Private / 1024.0 / 1024:F1} MiB");
        var last = samples[^1];
        Assert.True(last.Managed - m0 < 4L << 20, $"managed memory grew {(last.Managed - m0) / 1024} KiB");
        Assert.True(last.Rss - r0 < 48L << 20, $"resident memory grew {(last.Rss - r0) / 1024 / 1024} MiB");
    }
}

/// <summary>Runs after every parallel test, alone: process-wide memory figures then measure only this test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "Alone (process-wide measurements)";
}
