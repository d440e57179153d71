using System.Text;
using System.Text.Json;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Runtime.Calibration;

/// <summary>
/// The readable calibration file (<c>&lt;plan&gt;.calibration.json</c>): what was calibrated, on
/// which images, with which method, then each tensor's amax, scale and observed max, and each
/// convolution's precision. It is also the cache an incremental build reuses. Floats are written
/// in their shortest round-trip form, so a reread table is bit-identical.
/// </summary>
public static class CalibrationJson
{
    public const string FormatName = "eastbake-calibration";
    public const int FormatVersion = 1;

    public static byte[] Serialize(CalibrationTable t)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", FormatVersion);
            w.WriteString("method", t.Method);
            w.WriteString("tensorrt_algorithm", TensorRtCalibrationCache.AlgorithmName(t.Method));
            w.WriteString("model_hash", t.ModelHash);
            w.WriteString("image_set_hash", t.ImageSetHash);
            w.WriteNumber("images", t.ImageCount);
            w.WriteNumber("skipped_images", t.SkippedImages);
            w.WriteStartObject("tensors");
            foreach (var (name, r) in t.Tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject(name);
                w.WriteNumber("amax", r.Amax);
                w.WriteNumber("scale", r.Scale);
                w.WriteNumber("observed_max", r.ObservedMax);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartArray("layers");
            foreach (var l in t.Layers)
            {
                w.WriteStartObject();
                w.WriteString("name", l.Layer);
                w.WriteString("precision", l.Precision.ToString());
                w.WriteString("reason", l.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    /// <summary>Reads a table back; anything malformed is EB3021 naming the file.</summary>
    public static CalibrationTable Parse(ReadOnlySpan<byte> utf8, string? file = null)
    {
        EastBakeException Bad(string why) => new(ErrorCodes.CalibrationCacheMalformed, $"malformed calibration file: {why}", file);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(utf8.ToArray()); }
        catch (JsonException e) { throw new EastBakeException(ErrorCodes.CalibrationCacheMalformed, $"malformed calibration file: {e.Message}", file, inner: e); }
        using (doc)
        {
            var root = doc.RootElement;
            try
            {
                if (root.GetProperty("format").GetString() != FormatName) throw Bad($"'format' is not {FormatName}");
                if (root.GetProperty("version").GetInt32() != FormatVersion) throw Bad($"unsupported version (reads {FormatVersion})");
                var tensors = new SortedDictionary<string, TensorRange>(StringComparer.Ordinal);
                foreach (var p in root.GetProperty("tensors").EnumerateObject())
                    tensors[p.Name] = new TensorRange(p.Value.GetProperty("amax").GetSingle(), p.Value.GetProperty("observed_max").GetSingle());
                var layers = new List<LayerPrecision>();
                foreach (var l in root.GetProperty("layers").EnumerateArray())
                {
                    if (!Enum.TryParse<Precision>(l.GetProperty("precision").GetString(), out var prec)) throw Bad("unknown layer precision");
                    layers.Add(new LayerPrecision(l.GetProperty("name").GetString()!, prec, l.GetProperty("reason").GetString() ?? ""));
                }
                return new CalibrationTable
                {
                    Method = root.GetProperty("method").GetString()!,
                    ModelHash = root.GetProperty("model_hash").GetString()!,
                    ImageSetHash = root.GetProperty("image_set_hash").GetString()!,
                    ImageCount = root.GetProperty("images").GetInt32(),
                    SkippedImages = root.GetProperty("skipped_images").GetInt32(),
                    Tensors = tensors,
                    Layers = layers,
                };
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new EastBakeException(ErrorCodes.CalibrationCacheMalformed, $"malformed calibration file: {e.Message}", file, inner: e);
            }
        }
    }

    public static string ToText(CalibrationTable t) => Encoding.UTF8.GetString(Serialize(t));
}
