using System.Text;
using EastBake.Diagnostics;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Plans;
using EastBake.Tests.Plans;

namespace EastBake.Tests.Calibration;

public class CacheFormatTests
{
    internal static CalibrationTable Table(string method = "Entropy", params (string Name, float Amax)[] tensors) => new()
    {
        Method = method,
        ModelHash = new string('b', 64),
        ImageSetHash = new string('c', 64),
        ImageCount = 200,
        SkippedImages = 1,
        Tensors = tensors.ToDictionary(t => t.Name, t => new TensorRange(t.Amax, t.Amax * 3)),
        Layers =
        [
            new("resnet_v1_50/conv1/Conv2D", Precision.FP16, "first convolution: reads the image"),
            new("resnet_v1_50/block1/unit_1/bottleneck_v1/conv1/Conv2D", Precision.INT8, "INT8"),
        ],
    };

    /// <summary>ONNX Runtime's reader: split at the first ':', strtoul(hex), sign·2^(e−127)·(1 + m/2²³), times 127.</summary>
    private static Dictionary<string, float> ReadLikeOnnxRuntime(string text)
    {
        var lines = text.Split('\n');
        Assert.Contains("TRT-", lines[0].Split(':')[0]);
        var map = new Dictionary<string, float>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var parts = line.Split(':');
            var bits = Convert.ToUInt32(parts[1].Trim(), 16);
            var sign = (bits >> 31) == 1 ? -1.0 : 1.0;
            var exponent = (int)((bits >> 23) & 0xff) - 127;
            var mantissa = 1.0 + (bits & 0x7fffff) / 8388608.0;
            map[parts[0]] = (float)(sign * Math.Pow(2, exponent) * mantissa) * 127f;
        }
        return map;
    }

    [Fact]
    public void TensorRtCacheHasTheExactLineFormat()
    {
        // amax 127 → scale 1.0 = 0x3f800000; amax 2.54 → scale 0.02f = 0x3ca3d70a; amax 0.127 → 0.001f = 0x3a83126f.
        var t = Table("Entropy", ("b/conv", 2.54f), ("a/relu", 127f), ("c", 0.127f));
        Assert.Equal("TRT-100300-EntropyCalibration2\na/relu: 3f800000\nb/conv: 3ca3d70a\nc: 3a83126f\n", TensorRtCalibrationCache.Format(t));
        Assert.StartsWith("TRT-100300-MinMaxCalibration\n", TensorRtCalibrationCache.Format(Table("MinMax", ("x", 1f))));
        Assert.StartsWith("TRT-100300-PercentileCalibration\n", TensorRtCalibrationCache.Format(Table("Percentile:99.99", ("x", 1f))));
    }

    [Fact]
    public void TensorRtCacheRoundTripsAndOnnxRuntimeReadsTheRanges()
    {
        var r = new Random(Distributions.FreshSeed());
        var tensors = Enumerable.Range(0, 50).Select(i => ($"feature_fusion/Conv_{i}/Conv2D", (float)Math.Exp(r.NextDouble() * 12 - 6))).ToArray();
        var t = Table("Entropy", tensors);
        var text = TensorRtCalibrationCache.Format(t);
        var (header, scales) = TensorRtCalibrationCache.Parse(text);
        Assert.Equal("TRT-100300-EntropyCalibration2", header);
        var ort = ReadLikeOnnxRuntime(text);
        foreach (var (name, amax) in tensors)
        {
            Assert.Equal(amax / 127f, scales[name]);
            Assert.Equal(amax, ort[name], amax * 1e-6f);
        }
    }

    [Fact]
    public void NamesTheReaderWouldSplitAreLeftOut()
    {
        var t = Table("Entropy", ("split:1", 1f), ("ok", 1f));
        Assert.Equal("TRT-100300-EntropyCalibration2\nok: 3c010204\n", TensorRtCalibrationCache.Format(t));
    }

    [Fact]
    public void MalformedCachesAreEB3021WithTheLine()
    {
        var e = Assert.Throws<EastBakeException>(() => TensorRtCalibrationCache.Parse("hello\n", "x.cache"));
        Assert.Equal(ErrorCodes.CalibrationCacheMalformed, e.Code);
        e = Assert.Throws<EastBakeException>(() => TensorRtCalibrationCache.Parse("TRT-1-EntropyCalibration2\na: 3f800000\nb 12\n", "x.cache"));
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void CacheWriteFailuresAreEB3024AndLeaveNothingBehind()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp["not-a-folder"], "x");
        var files = new EastBake.Baking.Calibration.CalibrationCacheFiles(Path.Combine(tmp["not-a-folder"], "east.eastplan"));
        var e = Assert.Throws<EastBakeException>(() => files.Save(Table("Entropy", ("a", 1f)), new RecordingLog()));
        Assert.Equal(ErrorCodes.CalibrationCacheWriteFailed, e.Code);
        Assert.Equal(files.TensorRtCachePath, e.File);
        Assert.Equal(["not-a-folder"], Directory.GetFileSystemEntries(tmp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void JsonRoundTripsBitExactly()
    {
        var r = new Random(Distributions.FreshSeed());
        var t = Table("Percentile:99.99", Enumerable.Range(0, 20).Select(i => ($"t{i}", (float)(r.NextDouble() * 100))).ToArray());
        var json = CalibrationJson.Serialize(t);
        var back = CalibrationJson.Parse(json);
        Assert.Equal(t.Method, back.Method);
        Assert.Equal(t.ModelHash, back.ModelHash);
        Assert.Equal(t.ImageSetHash, back.ImageSetHash);
        Assert.Equal(t.ImageCount, back.ImageCount);
        Assert.Equal(t.SkippedImages, back.SkippedImages);
        Assert.Equal(t.Layers, back.Layers);
        foreach (var (name, range) in t.Tensors) Assert.Equal(range, back.Tensors[name]);
        Assert.Contains("\"amax\":", Encoding.UTF8.GetString(json));
        var e = Assert.Throws<EastBakeException>(() => CalibrationJson.Parse("{\"format\":\"eastbake-calibration\"}"u8, "c.json"));
        Assert.Equal(ErrorCodes.CalibrationCacheMalformed, e.Code);
        Assert.Equal("c.json", e.File);
    }

    [Fact]
    public void PlanCarriesTheTableInItsCalbSection()
    {
        var t = Table("Entropy", ("a", 1.5f), ("b", 0.25f));
        var sample = PlanFormatTests.Sample();
        var plan = new Plan
        {
            EastBakeVersion = sample.EastBakeVersion, ModelHash = sample.ModelHash, Precision = Precision.INT8,
            Profile = sample.Profile, Target = sample.Target, InputName = sample.InputName, OutputNames = sample.OutputNames,
            Metadata = sample.Metadata, Segments = sample.Segments, Calibration = t,
        };
        var bytes = PlanWriter.Serialize(plan);
        Assert.Equal(PlanFormat.MinorVersion, BitConverter.ToUInt16(bytes, 10));
        var back = PlanReader.Parse(bytes).Calibration;
        Assert.NotNull(back);
        Assert.Equal(t.Tensors, back.Tensors);
        Assert.Equal(t.Layers, back.Layers);
        Assert.Equal((t.Method, t.ModelHash, t.ImageSetHash, t.ImageCount, t.SkippedImages),
            (back.Method, back.ModelHash, back.ImageSetHash, back.ImageCount, back.SkippedImages));
        Assert.Null(PlanReader.Parse(PlanWriter.Serialize(sample)).Calibration);
    }
}
