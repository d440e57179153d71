using EastBake.Compiler.Import.Checkpoints;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Import;

/// <summary>Reads real TF-written tensor bundles; corrupt copies give their codes.</summary>
public sealed class TensorBundleReaderTests : IDisposable
{
    private const string Regression = "tf/checkpoints/tf2onnx_regression";
    private const string HalfPlusTwo = "tf/checkpoints/saved_model_half_plus_two_cpu";
    private readonly string _dir = Directory.CreateTempSubdirectory("eastbake-bundle-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Crc32CKnownValues()
    {
        // The CRC-32C check value of "123456789" is 0xE3069283 (RFC 3720 test vector set).
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32])); // RFC 3720 B.4: 32 bytes of zeros
        Assert.Equal(((0xE3069283u >> 15) | (0xE3069283u << 17)) + 0xa282ead8u, Crc32C.ComputeMasked("123456789"u8));
    }

    [Fact]
    public void SnappyLiteralsAndOverlappingCopies()
    {
        // Hand-encoded: length 13; literal "abc" (tag (3-1)<<2 = 0x08); copy len 10 offset 3
        // (1-byte-offset form: tag ((10-4)<<2)|1 = 0x19, offset byte 3) → "abc" + "abcabcabca".
        var decoded = Snappy.Decompress([13, 0x08, (byte)'a', (byte)'b', (byte)'c', 0x19, 3]);
        Assert.Equal("abcabcabcabca"u8.ToArray(), decoded);
        // 2-byte-offset copy: tag ((4-1)<<2)|2 = 0x0E, offset 0x0002 → "xy" + "xyxy".
        Assert.Equal("xyxyxy"u8.ToArray(), Snappy.Decompress([6, 0x04, (byte)'x', (byte)'y', 0x0E, 2, 0]));
        Assert.Throws<InvalidDataException>(() => Snappy.Decompress([5, 0x19, 3]));
    }

    [SharedFact(Regression + "/model.index")]
    public void RegressionCheckpointValues()
    {
        var r = new TensorBundleReader(SharedData.Path_(Regression + "/model"));
        Assert.Equal(new[] { "W", "b" }, r.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, r.Header.NumShards);
        // Reference: shared/README.md, and the 8 data bytes cc185b3e d956863f read as float32 LE.
        Assert.Equal(0.21396178f, r.Read("W").Floats!.Single());
        Assert.Equal(1.0495254f, r.Read("b").Floats!.Single());
        Assert.Equal(4, r.Entry("b").Offset); // W's zero offset is omitted on the wire, b's is 4
    }

    [SharedFact(HalfPlusTwo + "/variables.index")]
    public void HalfPlusTwoMixesSnappyAndRawBlocks()
    {
        var r = new TensorBundleReader(SharedData.Path_(HalfPlusTwo + "/variables"));
        Assert.Equal(0.5f, r.Read("a").Floats!.Single());
        Assert.Equal(2f, r.Read("b").Floats!.Single());
    }

    private string CopyBundle(string sharedDir, string name)
    {
        foreach (var f in Directory.GetFiles(SharedData.Path_(sharedDir), name + ".*"))
            File.Copy(f, Path.Combine(_dir, Path.GetFileName(f)));
        return Path.Combine(_dir, name);
    }

    [SharedFact(Regression + "/model.index")]
    public void FlippedDataByteIsEB1012()
    {
        var prefix = CopyBundle(Regression, "model");
        var data = prefix + ".data-00000-of-00001";
        var bytes = File.ReadAllBytes(data);
        bytes[5] ^= 0x01; // inside b (bytes 4..7)
        File.WriteAllBytes(data, bytes);
        var r = new TensorBundleReader(prefix);
        Assert.Equal(0.21396178f, r.Read("W").Floats!.Single()); // W untouched
        var e = Assert.Throws<EastBakeException>(() => r.Read("b"));
        Assert.Equal(ErrorCodes.CheckpointCrcMismatch, e.Code);
        Assert.Equal("b", e.Node);
        Assert.Equal(data, e.File);
    }

    [SharedFact(Regression + "/model.index")]
    public void MissingShardIsEB1010()
    {
        var prefix = CopyBundle(Regression, "model");
        File.Delete(prefix + ".data-00000-of-00001");
        var e = Assert.Throws<EastBakeException>(() => new TensorBundleReader(prefix).Read("W"));
        Assert.Equal(ErrorCodes.CheckpointMissingFile, e.Code);
        Assert.Equal(prefix + ".data-00000-of-00001", e.File);
    }

    [SharedFact(HalfPlusTwo + "/variables.index")]
    public void CorruptIndexIsEB1011()
    {
        var prefix = CopyBundle(HalfPlusTwo, "variables");
        var index = File.ReadAllBytes(prefix + ".index");

        var badMagic = (byte[])index.Clone();
        badMagic[^1] ^= 0xFF;
        File.WriteAllBytes(prefix + ".index", badMagic);
        var e = Assert.Throws<EastBakeException>(() => new TensorBundleReader(prefix));
        Assert.Equal(ErrorCodes.CheckpointCorrupt, e.Code);
        Assert.Contains("magic", e.Message);

        var badBlock = (byte[])index.Clone();
        badBlock[10] ^= 0x40; // inside the first (data) block: its CRC no longer matches
        File.WriteAllBytes(prefix + ".index", badBlock);
        e = Assert.Throws<EastBakeException>(() => new TensorBundleReader(prefix));
        Assert.Equal(ErrorCodes.CheckpointCorrupt, e.Code);
        Assert.Contains("CRC", e.Message);

        File.WriteAllBytes(prefix + ".index", []);
        Assert.Equal(ErrorCodes.CheckpointCorrupt, Assert.Throws<EastBakeException>(() => new TensorBundleReader(prefix)).Code);
    }

    [Fact]
    public void MissingIndexIsEB1010()
    {
        var e = Assert.Throws<EastBakeException>(() => new TensorBundleReader(Path.Combine(_dir, "none")));
        Assert.Equal(ErrorCodes.CheckpointMissingFile, e.Code);
    }

    [SharedFact("tf/checkpoints")]
    public void EveryRealBundleReadsWithValidChecksums()
    {
        var prefixes = Directory.GetFiles(SharedData.Path_("tf/checkpoints"), "*.index", SearchOption.AllDirectories)
            .Select(p => p[..^".index".Length]).ToList();
        Assert.True(prefixes.Count >= 7);
        foreach (var prefix in prefixes)
        {
            var r = new TensorBundleReader(prefix);
            Assert.NotEmpty(r.Keys);
            foreach (var key in r.Keys) Assert.NotNull(r.ReadBytes(key));
        }
    }
}
