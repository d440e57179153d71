using System.Buffers.Binary;
using System.Text;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Tests.Plans;

public class PlanFormatTests
{
    internal static Plan Sample(byte[]? payload = null) => new()
    {
        EastBakeVersion = "0.1.0",
        ModelHash = new string('a', 64),
        Precision = Precision.FP16,
        Profile = new ShapeProfile(1, 1, 2, 320, 704, 1280, 320, 1280, 1280),
        Target = new PlanTarget("ilgpu", PlanTarget.Portable),
        InputName = "input_images",
        OutputNames = ["feature_fusion/Conv_7/Sigmoid", "feature_fusion/concat_3"],
        Metadata = new Dictionary<string, string> { ["in_graph_mean_subtraction"] = "true", ["b"] = "x" },
        Segments =
        [
            new PlanSegment
            {
                Id = 0, Group = 0, Engine = EngineKinds.Onnx, Inputs = ["input_images"],
                Outputs = ["feature_fusion/Conv_7/Sigmoid", "feature_fusion/concat_3"],
                Properties = new Dictionary<string, string> { ["nodes"] = "120", ["a"] = "1" },
                Payload = payload ?? Encoding.ASCII.GetBytes("onnx bytes"),
            },
        ],
    };

    [Fact]
    public void RoundTripKeepsEveryField()
    {
        var bytes = PlanWriter.Serialize(Sample());
        var p = PlanReader.Parse(bytes);
        Assert.Equal("0.1.0", p.EastBakeVersion);
        Assert.Equal(Precision.FP16, p.Precision);
        Assert.Equal(new ShapeProfile(1, 1, 2, 320, 704, 1280, 320, 1280, 1280), p.Profile);
        Assert.Equal(["feature_fusion/Conv_7/Sigmoid", "feature_fusion/concat_3"], p.OutputNames);
        Assert.True(p.InGraphMeanSubtraction);
        var s = Assert.Single(p.Segments);
        Assert.Equal("onnx bytes", Encoding.ASCII.GetString(s.Payload));
        Assert.Equal("120", s.Properties["nodes"]);
    }

    [Fact]
    public void SerializationIsDeterministicWhateverTheDictionaryOrder()
    {
        var a = PlanWriter.Serialize(Sample());
        var reordered = Sample();
        var b = PlanWriter.Serialize(new Plan
        {
            EastBakeVersion = reordered.EastBakeVersion, ModelHash = reordered.ModelHash, Precision = reordered.Precision,
            Profile = reordered.Profile, Target = reordered.Target, InputName = reordered.InputName,
            OutputNames = reordered.OutputNames,
            Metadata = new Dictionary<string, string> { ["b"] = "x", ["in_graph_mean_subtraction"] = "true" },
            Segments = reordered.Segments,
        });
        Assert.Equal(a, b);
    }

    [Fact]
    public void BadMagicIsEB4001()
    {
        var bytes = PlanWriter.Serialize(Sample());
        bytes[0] = (byte)'X';
        Assert.Equal(ErrorCodes.PlanBadMagic, Assert.Throws<EastBakeException>(() => PlanReader.Parse(bytes, "p.eastplan")).Code);
    }

    [Fact]
    public void OtherMajorVersionIsEB4002()
    {
        var bytes = PlanWriter.Serialize(Sample());
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 2);
        var e = Assert.Throws<EastBakeException>(() => PlanReader.Parse(bytes, "p.eastplan"));
        Assert.Equal(ErrorCodes.PlanBadVersion, e.Code);
        Assert.Equal("p.eastplan", e.File);
    }

    [Fact]
    public void FlippedPayloadByteIsChecksumError()
    {
        var bytes = PlanWriter.Serialize(Sample());
        bytes[^40] ^= 0x10;
        Assert.Equal(ErrorCodes.PlanChecksum, Assert.Throws<EastBakeException>(() => PlanReader.Parse(bytes)).Code);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(100)]
    public void TruncatedPlanIsEB4004(int keep)
    {
        var bytes = PlanWriter.Serialize(Sample());
        Assert.Equal(ErrorCodes.PlanTruncated, Assert.Throws<EastBakeException>(() => PlanReader.Parse(bytes[..keep])).Code);
    }

    [Fact]
    public void AtomicWriteLeavesNoTempFile()
    {
        var dir = Directory.CreateTempSubdirectory("eb-plan-");
        try
        {
            var path = Path.Combine(dir.FullName, "m.eastplan");
            PlanWriter.Write(Sample(), path);
            PlanWriter.Write(Sample(new byte[] { 1, 2, 3 }), path);
            Assert.Equal([path], Directory.GetFiles(dir.FullName));
            Assert.Equal(new byte[] { 1, 2, 3 }, PlanReader.Read(path).Segments[0].Payload);
            Assert.True(PlanReader.IsValid(path));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void UnwritableFolderIsEB4007()
    {
        // A path whose parent is a regular file cannot be created whatever the user's rights.
        var file = Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<EastBakeException>(() => PlanWriter.Write(Sample(), Path.Combine(file, "sub", "m.eastplan")));
            Assert.Equal(ErrorCodes.PlanWriteFailed, e.Code);
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData("704x1280", 1, 704, 1280, 1, 704, 1280)]
    [InlineData("2x64x96", 2, 64, 96, 2, 64, 96)]
    [InlineData("min:1x320x320;opt:1x704x1280;max:4x1280x1280", 1, 320, 320, 4, 1280, 1280)]
    public void ParsesInputShapes(string text, int minN, int minH, int minW, int maxN, int maxH, int maxW)
    {
        var p = ProfileText.Parse(text);
        Assert.Equal((minN, minH, minW, maxN, maxH, maxW), (p.MinBatch, p.MinHeight, p.MinWidth, p.MaxBatch, p.MaxHeight, p.MaxWidth));
    }

    [Theory]
    [InlineData("700x1280")]
    [InlineData("704")]
    [InlineData("min:1x704x1280;max:1x320x320")]
    [InlineData("opt:1x704x1280;max:1x320x320")]
    [InlineData("")]
    public void RejectsBadInputShapes(string text) =>
        Assert.Equal(ErrorCodes.BadInputShape, Assert.Throws<EastBakeException>(() => ProfileText.Parse(text)).Code);
}
