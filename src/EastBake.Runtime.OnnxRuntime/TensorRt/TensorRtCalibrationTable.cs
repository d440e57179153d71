using System.Globalization;
using System.Text;

namespace EastBake.Runtime.OnnxRuntime.TensorRt;

/// <summary>
/// Writes per-tensor INT8 scales as a TensorRT-native calibration cache, the format the TensorRT
/// EP reads with <c>trt_int8_use_native_calibration_table=1</c>: a first line
/// <c>TRT-&lt;version&gt;-EntropyCalibration2</c>, then one <c>tensor: hex</c> line per tensor, hex
/// being the IEEE-754 bits of the float32 scale (the EP sets each tensor's dynamic range to
/// scale × 127). Tensor names are the ONNX names in the segment's model.
/// </summary>
public static class TensorRtCalibrationTable
{
    /// <summary>Writes the table atomically (temp file, then rename); <paramref name="amax"/> is each tensor's calibrated |max|.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, float> amax, int tensorRtVersionCode = 0)
    {
        var text = Format(amax, tensorRtVersionCode);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    public static string Format(IReadOnlyDictionary<string, float> amax, int tensorRtVersionCode = 0)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"TRT-{tensorRtVersionCode}-EntropyCalibration2\n");
        foreach (var (name, max) in amax.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (name.Length == 0 || name.Contains(':') || name.Contains('\n'))
                throw new ArgumentException($"calibration tensor names cannot be empty or hold ':' ('{name}')", nameof(amax));
            if (!float.IsFinite(max) || max <= 0)
                throw new ArgumentException($"calibrated range of '{name}' must be positive and finite (was {max})", nameof(amax));
            var bits = BitConverter.SingleToUInt32Bits(max / 127f);
            sb.Append(CultureInfo.InvariantCulture, $"{name}: {bits:x8}\n");
        }
        return sb.ToString();
    }

    /// <summary>Reads a table back as tensor → dynamic range (scale × 127), as the TensorRT EP does.</summary>
    public static Dictionary<string, float> Read(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("TRT-", StringComparison.Ordinal))
            throw new FormatException("not a TensorRT calibration table (first line must start with TRT-)");
        var map = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            var bits = uint.Parse(line.AsSpan(colon + 1).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            map[line[..colon]] = BitConverter.UInt32BitsToSingle(bits) * 127f;
        }
        return map;
    }
}
