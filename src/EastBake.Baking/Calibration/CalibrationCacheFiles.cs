using System.Text;
using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Calibration;

/// <summary>
/// The two calibration caches beside a plan: <c>&lt;plan&gt;.int8.cache</c> (TensorRT's native
/// text format) and <c>&lt;plan&gt;.calibration.json</c> (readable; the one reuse is decided on,
/// as it records the model, image-set and method it was computed from). Both are written through
/// a temp file and a rename.
/// </summary>
public sealed class CalibrationCacheFiles(string planPath)
{
    public string TensorRtCachePath { get; } = Path.GetFullPath(planPath) + ".int8.cache";
    public string JsonPath { get; } = Path.GetFullPath(planPath) + ".calibration.json";

    /// <summary>The JSON cache, or null when absent; an unreadable one is warned about (EB3021) and ignored.</summary>
    public CalibrationTable? TryLoad(IBakeLog log)
    {
        if (!File.Exists(JsonPath)) return null;
        try
        {
            return CalibrationJson.Parse(File.ReadAllBytes(JsonPath), JsonPath);
        }
        catch (EastBakeException e)
        {
            log.Warning(e.Code, e.Message + "; recalibrating", JsonPath);
            return null;
        }
        catch (IOException e)
        {
            log.Warning(ErrorCodes.CalibrationCacheMalformed, $"cannot read the calibration cache ({e.Message}); recalibrating", JsonPath);
            return null;
        }
    }

    /// <summary>True when the TensorRT cache on disk is exactly what <paramref name="table"/> gives.</summary>
    public bool TensorRtCacheIsCurrent(CalibrationTable table)
    {
        try
        {
            return File.Exists(TensorRtCachePath) && File.ReadAllText(TensorRtCachePath) == TensorRtCalibrationCache.Format(table);
        }
        catch (IOException) { return false; }
    }

    public void WriteTensorRtCache(CalibrationTable table, IBakeLog log)
    {
        foreach (var name in table.Tensors.Keys.Where(n => !TensorRtCalibrationCache.IsWritableName(n)))
            log.Warning(ErrorCodes.CalibrationTensorName,
                $"tensor '{name}' is left out of the TensorRT calibration cache: its reader splits lines at ':'", TensorRtCachePath);
        WriteAtomic(TensorRtCachePath, Encoding.UTF8.GetBytes(TensorRtCalibrationCache.Format(table)));
    }

    public void Save(CalibrationTable table, IBakeLog log)
    {
        WriteTensorRtCache(table, log);
        WriteAtomic(JsonPath, CalibrationJson.Serialize(table));
    }

    /// <summary>The plan writer's temp-file-and-rename, its failures reported as EB3024.</summary>
    private static void WriteAtomic(string path, byte[] bytes)
    {
        try
        {
            PlanWriter.WriteAtomic(path, bytes);
        }
        catch (EastBakeException e) when (e.Code == ErrorCodes.PlanWriteFailed)
        {
            throw new EastBakeException(ErrorCodes.CalibrationCacheWriteFailed,
                $"cannot write the calibration cache: {e.InnerException?.Message ?? e.Message}", path, inner: e);
        }
    }
}
