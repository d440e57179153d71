using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EastBake.Baking.Pipeline;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Detection;
using EastBake.Runtime.Plans;
using Google.Protobuf;

namespace EastBake.Baking.Calibration;

/// <summary>
/// INT8 calibration of an optimized graph for a bake: choose the per-layer precisions, find the
/// tensors INT8 layers read and write, then reuse the cache beside the plan when it was computed
/// from the same FP32 network, image set and method, or else collect histograms on the images
/// (ONNX Runtime CPU), apply the calibrator and write both caches.
/// </summary>
public static class Int8Calibration
{
    /// <summary>Checks the calibration options before any work (EB3001, EB3002, EB3005, EB3025).</summary>
    public static void Validate(BakeOptions o)
    {
        var modelFile = o.Checkpoint ?? o.ModelPath;
        CalibrationMethod.Parse(o.CalibrationMethod, modelFile);
        CalibrationImageSet.Open(o.CalibrationImages, o.CalibrationLimit, modelFile);
    }

    /// <summary>For an up-to-date plan: rewrites missing or outdated cache files from the plan's own table.</summary>
    public static void RestoreCaches(CalibrationTable table, BakeOptions o, IBakeLog log)
    {
        var files = new CalibrationCacheFiles(o.OutputPath);
        var json = files.TryLoad(NullBakeLog.Instance);
        if (json is not null && CalibrationJson.ToText(json) == CalibrationJson.ToText(table) && files.TensorRtCacheIsCurrent(table)) return;
        files.Save(table, log);
        log.Info($"restored {Path.GetFileName(files.TensorRtCachePath)} and {Path.GetFileName(files.JsonPath)} from the plan's calibration table");
    }

    public static CalibrationTable Run(Graph graph, BakeOptions o, IBakeLog log)
    {
        var modelFile = o.Checkpoint ?? o.ModelPath;
        var method = CalibrationMethod.Parse(o.CalibrationMethod, modelFile);
        var images = CalibrationImageSet.Open(o.CalibrationImages, o.CalibrationLimit, modelFile);
        var layers = LayerPrecisionPolicy.Choose(graph);
        var model = OnnxExporter.Export(graph);
        var tensors = CalibrationTargets.Find(graph, model, layers);
        var (height, width) = (o.Profile.OptHeight, o.Profile.OptWidth);
        var subtractMeans = !(graph.Metadata.TryGetValue(MetadataKeys.InGraphMeanSubtraction, out var m) && m == "true");
        var modelHash = ModelHash(model, height, width, subtractMeans);
        var imageSetHash = images.ComputeHash();
        var int8Layers = layers.Count(l => l.Precision == Precision.INT8);

        var files = new CalibrationCacheFiles(o.OutputPath);
        var cached = files.TryLoad(log);
        var why = cached is null ? "no calibration cache"
            : cached.ModelHash != modelHash ? "the network changed"
            : cached.ImageSetHash != imageSetHash ? "the calibration images changed"
            : cached.Method != method.Canonical ? $"the method changed ({cached.Method} → {method.Canonical})"
            : !cached.Tensors.Keys.Order(StringComparer.Ordinal).SequenceEqual(tensors.Order(StringComparer.Ordinal)) || !cached.Layers.SequenceEqual(layers)
                ? "the INT8 layer choice changed"
            : null;
        if (why is null)
        {
            log.Info($"reusing calibration cache {files.JsonPath} ({cached!.ImageCount} images, {cached.Method}, {cached.Tensors.Count} tensors); not recalibrating");
            if (!files.TensorRtCacheIsCurrent(cached))
            {
                files.WriteTensorRtCache(cached, log);
                log.Info($"rewrote {files.TensorRtCachePath} from the calibration cache");
            }
            return cached;
        }

        var clock = Stopwatch.StartNew();
        log.Info(string.Create(CultureInfo.InvariantCulture,
            $"calibrating on {images.Count} images ({why}; {method.Canonical}, {tensors.Count} tensors of {int8Layers} INT8 layers, input {height}x{width}) …"));
        if (images.Available > images.Count)
            log.Info($"  {images.Available} images in {images.Folder}; the first {images.Count} by name are used (CalibrationLimit)");
        var preprocessor = new Preprocessor(new PreprocessorOptions { FixedSize = (height, width), SubtractMeans = subtractMeans });
        CollectedStatistics stats;
        using (var source = new OnnxActivationSource(model, tensors))
            stats = ActivationStatistics.Collect(source, images, preprocessor, height, width, log);

        var table = Build(stats, method, modelHash, imageSetHash, layers);
        files.Save(table, log);
        log.Info(string.Create(CultureInfo.InvariantCulture,
            $"calibrated {stats.Images} images ({stats.Skipped} skipped) in {clock.Elapsed.TotalSeconds:F1} s ({stats.Elapsed.TotalSeconds / Math.Max(stats.Images, 1):F2} s per image); wrote {files.TensorRtCachePath} and {Path.GetFileName(files.JsonPath)}"));
        return table;
    }

    /// <summary>Applies the calibrator to each histogram. A tensor that was zero on every image gets amax 1.</summary>
    public static CalibrationTable Build(CollectedStatistics stats, CalibrationMethod method, string modelHash, string imageSetHash,
        IReadOnlyList<LayerPrecision> layers)
    {
        var calibrator = method.CreateCalibrator();
        var amax = new double[stats.Tensors.Count];
        Parallel.For(0, amax.Length, i => amax[i] = calibrator.Amax(stats.Histograms[i]));
        var ranges = new SortedDictionary<string, TensorRange>(StringComparer.Ordinal);
        for (var i = 0; i < amax.Length; i++)
        {
            var observed = stats.Histograms[i].ObservedMax;
            ranges[stats.Tensors[i]] = new TensorRange(observed == 0 || amax[i] <= 0 ? 1f : (float)amax[i], observed);
        }
        return new CalibrationTable
        {
            Method = method.Canonical,
            ModelHash = modelHash,
            ImageSetHash = imageSetHash,
            ImageCount = stats.Images,
            SkippedImages = stats.Skipped,
            Tensors = ranges,
            Layers = layers,
        };
    }

    /// <summary>SHA-256 of the exported FP32 network and the pre-processing it is calibrated with.</summary>
    public static string ModelHash(ModelProto model, int height, int width, bool subtractMeans)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"eastbake-calibration\n{Baker.Version}\ninput {height}x{width}\nsubtract_means={subtractMeans}\n")));
        sha.AppendData(model.ToByteArray());
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
