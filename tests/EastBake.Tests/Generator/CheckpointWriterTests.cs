using System.Buffers.Binary;
using System.Text;
using EastBake.Compiler.Protos.Tf;
using EastBake.ModelGenerator;
using EastBake.ModelGenerator.Checkpoint;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Generator;

/// <summary>The checkpoint writer: CRC, table format, bundle entries, meta graph, and equality with the frozen graph.</summary>
public class CheckpointWriterTests
{
    private static readonly EastModelOptions W8 = new() { WidthDivisor = 8, Seed = 1 };
    private static readonly Lazy<(MetaGraphDef Meta, byte[] Index, byte[] Data)> Ckpt = new(() => EastModelGenerator.BuildCheckpoint(W8));

    [Fact]
    public void Crc32CMatchesKnownVectorAndBitwiseCrc()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)(i * 31 + 7)).ToArray();
        Assert.Equal(MinimalTableReader.BitwiseCrc32C(bytes), Crc32C.Compute(bytes));
        Assert.Equal(0x1234abcdu, Crc32C.Unmask(Crc32C.Mask(0x1234abcdu)));
    }

    [Theory]
    [InlineData(256 * 1024)]
    [InlineData(300)] // forces many data blocks and index entries
    public void IndexParsesWithIndependentReader(int blockSize)
    {
        var (_, index, data) = EastModelGenerator.BuildCheckpoint(W8, blockSize);
        var entries = MinimalTableReader.ReadAll(index, out var blocks);
        Assert.True(blockSize > 1000 ? blocks == 1 : blocks > 10, $"{blocks} data blocks");
        CheckBundle(entries, data);
    }

    /// <summary>The same independent reader accepts a TensorFlow-written index (validates the reader itself).</summary>
    [SharedFact("tf/checkpoints/rust_regression_model/variables.index")]
    public void IndependentReaderAcceptsTensorFlowIndex()
    {
        var entries = MinimalTableReader.ReadAll(File.ReadAllBytes(SharedData.Path_("tf/checkpoints/rust_regression_model/variables.index")), out _);
        Assert.Empty(entries[0].Key);
        Assert.Equal(1, BundleHeaderProto.Parser.ParseFrom(entries[0].Value).NumShards);
    }

    private static void CheckBundle(List<(byte[] Key, byte[] Value)> entries, byte[] data)
    {
        Assert.Empty(entries[0].Key);
        var header = BundleHeaderProto.Parser.ParseFrom(entries[0].Value);
        Assert.Equal((1, BundleHeaderProto.Types.Endianness.Little, 1), (header.NumShards, header.Endianness, header.Version.Producer));
        var keys = entries.Select(e => Encoding.UTF8.GetString(e.Key)).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal(306 + 1, entries.Count);
        long next = 0;
        foreach (var (_, value) in entries.Skip(1))
        {
            var e = BundleEntryProto.Parser.ParseFrom(value);
            Assert.Equal((DataType.DtFloat, 0, next), (e.Dtype, e.ShardId, e.Offset));
            Assert.Equal(e.Shape.Dim.Aggregate(4L, (a, d) => a * d.Size), e.Size);
            Assert.Equal(e.Crc32C, MinimalTableReader.Mask(MinimalTableReader.BitwiseCrc32C(data.AsSpan((int)e.Offset, (int)e.Size))));
            next += e.Size;
        }
        Assert.Equal(data.Length, next);
    }

    /// <summary>Every variable's checkpoint value equals the frozen graph's Const of the same name, bit for bit.</summary>
    [Fact]
    public void CheckpointValuesEqualFrozenConsts()
    {
        var (_, index, data) = Ckpt.Value;
        var frozen = EastModelGenerator.BuildGraphDef(W8).Node.Where(n => n.Op == "Const").ToDictionary(n => n.Name, n => n.Attr["value"].Tensor);
        var entries = MinimalTableReader.ReadAll(index, out _).Skip(1).ToList();
        foreach (var (key, value) in entries)
        {
            var e = BundleEntryProto.Parser.ParseFrom(value);
            var t = frozen[Encoding.UTF8.GetString(key)];
            Assert.Equal(t.TensorShape, e.Shape);
            Assert.True(t.TensorContent.Span.SequenceEqual(data.AsSpan((int)e.Offset, (int)e.Size)));
        }
        Assert.Equal(frozen.Count(c => c.Value.TensorContent.Length > 0 && c.Value.Dtype == DataType.DtFloat), entries.Count);
    }

    [Fact]
    public void MetaGraphHasVariablesSaverAndCollections()
    {
        var meta = Ckpt.Value.Meta;
        var nodes = meta.GraphDef.Node.ToDictionary(n => n.Name);
        var vars = meta.GraphDef.Node.Where(n => n.Op == "VariableV2").ToList();
        Assert.Equal(306, vars.Count);
        Assert.DoesNotContain(meta.GraphDef.Node, n => n.Op == "Const" && n.Attr["value"].Tensor.TensorContent.Length > 4 && n.Attr["dtype"].Type == DataType.DtFloat);
        foreach (var v in vars)
        {
            Assert.Equal(DataType.DtFloat, v.Attr["dtype"].Type);
            Assert.Equal("Identity", nodes[v.Name + "/read"].Op);
            Assert.Equal("Assign", nodes[v.Name + "/Assign"].Op);
        }
        var saver = meta.SaverDef;
        Assert.Equal(SaverDef.Types.CheckpointFormatVersion.V2, saver.Version);
        Assert.Contains(saver.FilenameTensorName.Split(':')[0], nodes.Keys);
        Assert.Contains(saver.SaveTensorName.Split(':')[0], nodes.Keys);
        Assert.Contains(saver.RestoreOpName, nodes.Keys);
        var all = meta.CollectionDef["variables"].BytesList.Value.Select(b => VariableDef.Parser.ParseFrom(b)).ToList();
        var trainable = meta.CollectionDef["trainable_variables"].BytesList.Value.Select(b => VariableDef.Parser.ParseFrom(b)).ToList();
        Assert.Equal(vars.Select(v => v.Name + ":0"), all.Select(v => v.VariableName));
        Assert.Equal(306 - 2 * 60, trainable.Count);
        // Inference part is the frozen graph with VariableV2 in place of weight Consts: same consumers, same order.
        var frozen = EastModelGenerator.BuildGraphDef(W8).Node.Where(n => n.Op != "Const" && n.Op != "Identity").Select(n => n.ToString());
        var fromMeta = meta.GraphDef.Node.Where(n => n.Op != "Const" && n.Op != "Identity" && n.Op != "VariableV2" && n.Op != "Assign"
            && n.Op != "NoOp" && !n.Name.StartsWith("save/", StringComparison.Ordinal)).Select(n => n.ToString());
        Assert.Equal(frozen, fromMeta);
    }

    [Fact]
    public void CommittedCheckpointEqualsFreshGeneration()
    {
        var prefix = SharedData.Repo("testassets/models/east_r50_w8_ckpt/model.ckpt");
        var (meta, index, data) = Ckpt.Value;
        Assert.True(File.ReadAllBytes(prefix + ".meta").AsSpan().SequenceEqual(Google.Protobuf.MessageExtensions.ToByteArray(meta)), "meta drifted");
        Assert.True(File.ReadAllBytes(prefix + ".index").AsSpan().SequenceEqual(index), "index drifted");
        Assert.True(File.ReadAllBytes(prefix + ".data-00000-of-00001").AsSpan().SequenceEqual(data), "data drifted");
    }

    [Fact]
    public void WriteCheckpointIsDeterministic()
    {
        var dir = Directory.CreateTempSubdirectory("eastckpt");
        try
        {
            var opts = new EastModelOptions { WidthDivisor = 32, Seed = 5 };
            string[] files = [".meta", ".index", ".data-00000-of-00001"];
            EastModelGenerator.WriteCheckpoint(Path.Combine(dir.FullName, "a", "model.ckpt"), opts);
            EastModelGenerator.WriteCheckpoint(Path.Combine(dir.FullName, "b", "model.ckpt"), opts);
            foreach (var f in files)
                Assert.True(File.ReadAllBytes(Path.Combine(dir.FullName, "a", "model.ckpt" + f)).AsSpan()
                    .SequenceEqual(File.ReadAllBytes(Path.Combine(dir.FullName, "b", "model.ckpt" + f))), f);
            Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(Path.Combine(dir.FullName, "a", "model.ckpt.index")).AsSpan()[^8..]),
                0xdb4775248b80fb57UL);
        }
        finally { dir.Delete(true); }
    }
}
