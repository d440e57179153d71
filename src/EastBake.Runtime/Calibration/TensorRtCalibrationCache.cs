using System.Globalization;
using System.Text;
using EastBake.Diagnostics;

namespace EastBake.Runtime.Calibration;

/// <summary>
/// TensorRT's native calibration-cache text: a header line <c>TRT-&lt;version&gt;-&lt;algorithm&gt;</c>,
/// then one <c>tensor_name: hhhhhhhh</c> line per tensor, the hex being the IEEE-754 bits of the
/// float32 scale (amax / 127). ONNX Runtime's TensorRT execution provider reads it with
/// <c>trt_int8_use_native_calibration_table=1</c>: it checks only that the header contains
/// <c>TRT-</c>, splits each line at the first ':' and sets each tensor's dynamic range to scale · 127.
/// </summary>
public static class TensorRtCalibrationCache
{
    /// <summary>The TensorRT version written in the header (10.3.0, as TensorRT encodes it).</summary>
    public const string TensorRtVersion = "100300";

    /// <summary>TensorRT's algorithm name for a method: <c>EntropyCalibration2</c>, <c>MinMaxCalibration</c>, …</summary>
    public static string AlgorithmName(string method) => method switch
    {
        "Entropy" => "EntropyCalibration2",
        "MinMax" => "MinMaxCalibration",
        _ when method.StartsWith("Percentile", StringComparison.Ordinal) => "PercentileCalibration",
        _ => method,
    };

    /// <summary>
    /// A name the reader would split wrongly (it splits at the first ':'), or that would break
    /// the line format. Such tensors are left out of the cache (they stay in the JSON and the plan).
    /// </summary>
    public static bool IsWritableName(string name) =>
        name.Length > 0 && !name.Contains(':') && !name.Contains('\n') && !name.Contains('\r');

    /// <summary>The cache text (tensors in ordinal name order, '\n' line ends, no trailing blank line).</summary>
    public static string Format(CalibrationTable table)
    {
        var sb = new StringBuilder();
        sb.Append("TRT-").Append(TensorRtVersion).Append('-').Append(AlgorithmName(table.Method)).Append('\n');
        foreach (var (name, range) in table.Tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!IsWritableName(name)) continue;
            sb.Append(name).Append(": ").Append(ScaleHex(range.Scale)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The 8 lowercase hex digits of a float32's IEEE-754 bits.</summary>
    public static string ScaleHex(float scale) =>
        BitConverter.SingleToUInt32Bits(scale).ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Parses a cache: the header and each tensor's scale. Malformed text is EB3021.</summary>
    public static (string Header, IReadOnlyDictionary<string, float> Scales) Parse(string text, string? file = null)
    {
        var lines = text.Split('\n');
        if (lines.Length == 0 || !lines[0].StartsWith("TRT-", StringComparison.Ordinal))
            throw new EastBakeException(ErrorCodes.CalibrationCacheMalformed, "not a TensorRT calibration cache (no TRT- header)", file, line: 1);
        var scales = new Dictionary<string, float>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            var colon = line.LastIndexOf(':');
            if (colon <= 0 || !uint.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits))
                throw new EastBakeException(ErrorCodes.CalibrationCacheMalformed, $"expected 'tensor: hhhhhhhh', found '{line}'", file, line: i + 1);
            scales[line[..colon]] = BitConverter.UInt32BitsToSingle(bits);
        }
        return (lines[0].TrimEnd('\r'), scales);
    }
}
