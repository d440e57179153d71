using System.Buffers.Binary;
using System.Text;
using EastBake.Compiler.Protos.Tf;
using EastBake.ModelGenerator.Graph;
using Google.Protobuf;

namespace EastBake.ModelGenerator.Checkpoint;

/// <summary>
/// A single-shard TF V2 tensor bundle: prefix.data-00000-of-00001 holds the float32 LE tensors
/// back to back in key order; prefix.index maps "" to the BundleHeaderProto and each key to its
/// BundleEntryProto (offset, size, masked CRC-32C).
/// </summary>
public sealed class TensorBundleWriter
{
    private readonly SortedDictionary<string, (long[] Shape, float[] Values)> _tensors = new(StringComparer.Ordinal);

    public void Add(string key, long[] shape, float[] values)
    {
        if (key.Length == 0 || !_tensors.TryAdd(key, (shape, values))) throw new ArgumentException($"Bad or duplicate key '{key}'.");
    }

    public IEnumerable<string> Keys => _tensors.Keys;

    public (byte[] Index, byte[] Data) Build(int blockSize = 256 * 1024)
    {
        var data = new MemoryStream();
        var table = new LevelDbTableWriter(blockSize);
        var header = new BundleHeaderProto { NumShards = 1, Endianness = BundleHeaderProto.Types.Endianness.Little, Version = new VersionDef { Producer = 1 } };
        table.Add([], header.ToByteArray());
        foreach (var (key, (shape, values)) in _tensors)
        {
            var bytes = new byte[values.Length * 4];
            for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            var entry = new BundleEntryProto
            {
                Dtype = DataType.DtFloat, Shape = TfTensors.Shape(shape), ShardId = 0, Offset = data.Position, Size = bytes.Length,
                Crc32C = Crc32C.Mask(Crc32C.Compute(bytes)),
            };
            data.Write(bytes);
            table.Add(Encoding.UTF8.GetBytes(key), entry.ToByteArray());
        }
        return (table.Finish(), data.ToArray());
    }

    public static string DataFileName(string prefix) => prefix + ".data-00000-of-00001";
    public static string IndexFileName(string prefix) => prefix + ".index";
}
