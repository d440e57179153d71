using EastBake.ModelGenerator;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Generator;

/// <summary>The bundled test model is exactly what the generator writes, and generation is deterministic.</summary>
public class GeneratedModelFileTests
{
    [Fact]
    public void CommittedW8ModelEqualsFreshGeneration()
    {
        var committed = File.ReadAllBytes(SharedData.Repo("testassets/models/east_r50_w8.pb"));
        var fresh = EastModelGenerator.FrozenBytes(new() { WidthDivisor = 8, Seed = 1 });
        Assert.True(committed.AsSpan().SequenceEqual(fresh),
            "testassets/models/east_r50_w8.pb drifted from the generator; regenerate it (see testassets/models/README.md).");
    }

    [Fact]
    public void SameSeedSameBytesOtherSeedOtherWeights()
    {
        var a = EastModelGenerator.FrozenBytes(new() { WidthDivisor = 16, Seed = 7 });
        var b = EastModelGenerator.FrozenBytes(new() { WidthDivisor = 16, Seed = 7 });
        var c = EastModelGenerator.FrozenBytes(new() { WidthDivisor = 16, Seed = 8 });
        Assert.True(a.AsSpan().SequenceEqual(b));
        Assert.Equal(a.Length, c.Length);
        Assert.False(a.AsSpan().SequenceEqual(c));
    }

    [Fact]
    public void WriteFrozenWritesTheSameBytes()
    {
        var dir = Directory.CreateTempSubdirectory("eastgen");
        try
        {
            var path = Path.Combine(dir.FullName, "sub", "m.pb");
            EastModelGenerator.WriteFrozen(path, new() { WidthDivisor = 32, Seed = 3 });
            Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(EastModelGenerator.FrozenBytes(new() { WidthDivisor = 32, Seed = 3 })));
        }
        finally { dir.Delete(true); }
    }
}
