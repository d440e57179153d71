using EastBake.Compiler.Import;
using EastBake.Diagnostics;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Import;

/// <summary>Every way a model file can be broken gives one coded error naming the file.</summary>
public sealed class GraphDefLoadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eastbake-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    [Fact]
    public void MissingFileIsEB1001()
    {
        var p = Path.Combine(_dir, "nope.pb");
        var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(p));
        Assert.Equal(ErrorCodes.ModelNotFound, e.Code);
        Assert.Equal(p, e.File);
    }

    [Fact]
    public void EmptyFileIsEB1002()
    {
        var p = Write("empty.pb", []);
        var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(p));
        Assert.Equal(ErrorCodes.ModelEmpty, e.Code);
        Assert.Equal(p, e.File);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomBytesAreEB1003(int seed)
    {
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0x9C; // keep it from looking like text by chance
        var p = Write("random.pb", bytes);
        var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(p));
        Assert.Equal(ErrorCodes.ModelNotGraphDef, e.Code);
        Assert.Equal(p, e.File);
    }

    [SharedFact("tf/east_official_truncated.pb")]
    public void TruncatedOfficialEastIsEB1004NamingLastCompleteNode()
    {
        var p = SharedData.Path_("tf/east_official_truncated.pb");
        var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(p));
        Assert.Equal(ErrorCodes.ModelTruncated, e.Code);
        // Reference: the shared README (42 complete nodes, cut inside conv2/weights) and an
        // independent wire walk of the file.
        Assert.Equal("resnet_v1_50/block1/unit_1/bottleneck_v1/conv1/Relu", e.Node);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("42 complete nodes", e.Message);
        Assert.Contains("resnet_v1_50/block1/unit_1/bottleneck_v1/conv2/weights", e.Message);
    }

    [SharedFact("tf/opencv/single_conv_net.pb")]
    public void EveryCutOfARealGraphIsTruncatedOrNotAGraph()
    {
        var path = SharedData.Path_("tf/opencv/single_conv_net.pb");
        var full = File.ReadAllBytes(path);
        var fullCount = ModelLoader.LoadGraphDef(path, new ImportOptions()).Node.Count;
        for (var len = 1; len < full.Length; len += 7)
        {
            var p = Write("cut.pb", full[..len]);
            try
            {
                // A cut exactly between two nodes leaves a valid, smaller graph.
                Assert.True(ModelLoader.LoadGraphDef(p, new ImportOptions()).Node.Count < fullCount);
            }
            catch (EastBakeException e)
            {
                Assert.Contains(e.Code, new[] { ErrorCodes.ModelTruncated, ErrorCodes.ModelNotGraphDef });
            }
        }
    }

    [Fact]
    public void TextGraphSyntaxErrorIsEB1005WithLine()
    {
        var p = Write("bad.pbtxt", "node {\n  name: \"x\"\n  op: \"Placeholder\"\n}\nnode {\n  name \"y\"\n}\n"u8.ToArray());
        var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(p));
        Assert.Equal(ErrorCodes.ModelIsText, e.Code);
        Assert.Equal(6, e.Line);
        Assert.Equal(p, e.File);
    }

    [Fact]
    public void TextGraphUnknownFieldIsEB1005WithLine()
    {
        var p = Write("bad2.pbtxt", "node {\n  name: \"x\"\n  opp: \"Placeholder\"\n}\n"u8.ToArray());
        var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(p));
        Assert.Equal(ErrorCodes.ModelIsText, e.Code);
        Assert.Equal(3, e.Line);
        Assert.Contains("opp", e.Message);
    }
}
