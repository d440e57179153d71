using EastBake.Runtime.OnnxRuntime.TensorRt;

namespace EastBake.Tests.OnnxRuntime;

public class TensorRtCalibrationTableTests
{
    [Fact]
    public void Scales_are_written_as_IEEE754_hex_of_amax_over_127()
    {
        // amax 127 → scale 1.0 = 0x3f800000; amax 254 → 2.0 = 0x40000000; amax 381 → 3.0 = 0x40400000.
        var text = TensorRtCalibrationTable.Format(new Dictionary<string, float> { ["b"] = 254f, ["a"] = 127f, ["c"] = 381f }, 100900);
        Assert.Equal("TRT-100900-EntropyCalibration2\na: 3f800000\nb: 40000000\nc: 40400000\n", text);
        var back = TensorRtCalibrationTable.Read(text);
        Assert.Equal(127f, back["a"]);
        Assert.Equal(254f, back["b"]);
        Assert.Equal(381f, back["c"]);
    }

    [Fact]
    public void Bad_entries_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TensorRtCalibrationTable.Format(new Dictionary<string, float> { ["x:0"] = 1f }));
        Assert.Throws<ArgumentException>(() => TensorRtCalibrationTable.Format(new Dictionary<string, float> { ["x"] = 0f }));
        Assert.Throws<ArgumentException>(() => TensorRtCalibrationTable.Format(new Dictionary<string, float> { ["x"] = float.NaN }));
        Assert.Throws<FormatException>(() => TensorRtCalibrationTable.Read("x: 3f800000\n"));
    }

    [Fact]
    public void Write_is_atomic_and_leaves_no_temp_file()
    {
        var dir = Directory.CreateTempSubdirectory("eb-calib-").FullName;
        try
        {
            var path = Path.Combine(dir, "calib.cache");
            TensorRtCalibrationTable.Write(path, new Dictionary<string, float> { ["t"] = 127f });
            Assert.Equal(["calib.cache"], Directory.GetFiles(dir).Select(Path.GetFileName));
            Assert.Equal(127f, TensorRtCalibrationTable.Read(File.ReadAllText(path))["t"]);
        }
        finally { Directory.Delete(dir, true); }
    }
}
