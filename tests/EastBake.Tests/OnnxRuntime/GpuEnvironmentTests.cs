using EastBake.Diagnostics;
using EastBake.Runtime.OnnxRuntime.Native;
using EastBake.Runtime.OnnxRuntime.TensorRt;
using EastBake.Runtime.Plans;

namespace EastBake.Tests.OnnxRuntime;

/// <summary>The GPU probe on a machine (or folder) without TensorRT: one reason, naming the missing library.</summary>
public class GpuEnvironmentTests
{
    [Fact]
    public void TensorRt_folder_without_TensorRt_names_libnvinfer()
    {
        var empty = Directory.CreateTempSubdirectory("eb-no-trt-").FullName;
        try
        {
            var env = GpuEnvironment.Probe(new NativeSearchPaths(TensorRtDirectory: empty));
            Assert.False(env.TensorRt.Available);
            Assert.Equal(NativeLibraryNames.TensorRt, env.TensorRt.MissingLibrary);
            Assert.Contains(NativeLibraryNames.TensorRt, env.TensorRt.Reason);
            Assert.Contains(empty, env.TensorRt.Reason);
            Assert.Null(env.TensorRtVersion);
        }
        finally { Directory.Delete(empty); }
    }

    [Fact]
    public void OnnxRuntime_folder_without_the_library_is_reported_for_both_GPU_providers()
    {
        var empty = Directory.CreateTempSubdirectory("eb-no-ort-").FullName;
        try
        {
            var env = GpuEnvironment.Probe(new NativeSearchPaths(TensorRtDirectory: empty, OnnxRuntimeDirectory: empty));
            Assert.Null(env.OnnxRuntimeDirectory);
            Assert.False(env.Cuda.Available);
            Assert.Equal(NativeLibraryNames.OnnxRuntime, env.Cuda.MissingLibrary);
            Assert.False(env.TensorRt.Available);
        }
        finally { Directory.Delete(empty); }
    }

    [Fact]
    public void The_app_carries_ONNX_Runtime_and_the_probe_finds_it() =>
        Assert.True(File.Exists(Path.Combine(GpuEnvironment.Probe(new NativeSearchPaths()).OnnxRuntimeDirectory!, NativeLibraryNames.OnnxRuntime)));

    [Theory]
    [InlineData(100900, "10.9.0")]
    [InlineData(101601, "10.16.1")]
    [InlineData(8601, "8.6.1")]
    [InlineData(8510, "8.5.10")]
    public void TensorRt_version_integers_decode(int code, string expected) =>
        Assert.Equal(expected, TensorRtVersion.Decode(code));
}

public class TensorRtEngineBuilderTests
{
    [Fact]
    public void Building_without_TensorRt_is_the_coded_missing_error()
    {
        var empty = Directory.CreateTempSubdirectory("eb-no-trt-").FullName;
        try
        {
            var env = GpuEnvironment.Probe(new NativeSearchPaths(TensorRtDirectory: empty));
            var settings = new TensorRtBuildSettings { Precision = Precision.FP16, Inputs = [TensorRtProfileInput.Static("x", [1, 3])] };
            var e = Assert.Throws<EastBakeException>(() => TensorRtEngineBuilder.Build([1, 2, 3], settings, env));
            Assert.Equal(ErrorCodes.TensorRtMissing, e.Code);
            Assert.Contains(NativeLibraryNames.TensorRt, e.Message);
        }
        finally { Directory.Delete(empty); }
    }
}
