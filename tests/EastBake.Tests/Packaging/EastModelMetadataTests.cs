using EastBake.Build.Baker;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Tests.Packaging;

/// <summary>How the baker reads an &lt;EastModel&gt; item's metadata (as the task sends it).</summary>
public sealed class EastModelMetadataTests
{
    private static BakeRequest Request(params (string Key, string Value)[] meta) => new()
    {
        Model = "/p/models/east.pb",
        Plan = "/p/obj/east/east.eastplan",
        ProjectFile = "/p/app.csproj",
        ProjectDirectory = "/p",
        Metadata = meta.ToDictionary(m => m.Key, m => m.Value),
    };

    [Fact]
    public void MetadataMapsToOptionsWithPathsFromTheProjectFolder()
    {
        var o = EastModelMetadata.ToOptions(Request(("precision", "fp16"), ("InputShape", "min:1x320x320;opt:1x640x960;max:1x1280x1280"),
            ("MinimumSegmentSize", "5"), ("Backends", "Onnx; Ilgpu"), ("Checkpoint", "ckpt/model.ckpt"),
            ("CalibrationImages", "calib"), ("CalibrationMethod", "Percentile"), ("RequireTensorRT", "True")));
        Assert.Equal(Precision.FP16, o.Precision);
        Assert.Equal((320, 640, 1280), (o.Profile.MinHeight, o.Profile.OptHeight, o.Profile.MaxHeight));
        Assert.Equal(960, o.Profile.OptWidth);
        Assert.Equal(5, o.MinimumSegmentSize);
        Assert.Equal(["Onnx", "Ilgpu"], o.Backends);
        Assert.Equal(Path.GetFullPath("/p/ckpt/model.ckpt"), o.Checkpoint);
        Assert.Equal(Path.GetFullPath("/p/calib"), o.CalibrationImages);
        Assert.Equal("Percentile", o.CalibrationMethod);
        Assert.True(o.RequireTensorRt);
        Assert.Equal("/p/obj/east/east.eastplan", o.OutputPath);
    }

    [Fact]
    public void EmptyMetadataGivesTheItemDefaults()
    {
        var o = EastModelMetadata.ToOptions(Request(("Precision", ""), ("Checkpoint", " ")));
        Assert.Equal(Precision.FP32, o.Precision);
        Assert.Null(o.Checkpoint);
        Assert.Equal(ShapeProfile.Fixed(704, 1280), o.Profile);
        Assert.Equal(3, o.MinimumSegmentSize);
    }

    [Theory]
    [InlineData("Precision", "FP8", ErrorCodes.BadArgument)]
    [InlineData("Precision", "7", ErrorCodes.BadArgument)]
    [InlineData("MinimumSegmentSize", "three", ErrorCodes.BadArgument)]
    [InlineData("CalibrationMethod", "Median", ErrorCodes.BadCalibrationMethod)]
    [InlineData("InputShape", "700x1280", ErrorCodes.BadInputShape)]
    public void BadMetadataIsOneCodedErrorNamingTheProject(string key, string value, string code)
    {
        var e = Assert.Throws<EastBakeException>(() => EastModelMetadata.ToOptions(Request((key, value))));
        Assert.Equal(code, e.Code);
        Assert.Equal("/p/app.csproj", e.File);
        Assert.Contains(value, e.Message);
    }
}
