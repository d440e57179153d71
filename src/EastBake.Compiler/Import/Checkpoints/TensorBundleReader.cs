using System.Text;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;
using Google.Protobuf;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>
/// Reads a TensorFlow V2 checkpoint (tensor bundle): <c>prefix.index</c> (a sorted table whose
/// empty key holds the BundleHeaderProto and whose other keys map tensor names to
/// BundleEntryProtos) and the data shards <c>prefix.data-NNNNN-of-MMMMM</c>. Every tensor read is
/// checked against its stored masked CRC-32C.
/// </summary>
public sealed class TensorBundleReader
{
    private readonly Dictionary<string, BundleEntryProto> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<int, byte[]> _shards = new();

    public TensorBundleReader(string prefix)
    {
        Prefix = prefix;
        IndexFile = prefix + ".index";
        if (!File.Exists(IndexFile))
            throw new EastBakeException(ErrorCodes.CheckpointMissingFile, "checkpoint index file not found", IndexFile);
        List<KeyValuePair<byte[], byte[]>> table;
        try
        {
            table = SortedTableReader.ReadAll(File.ReadAllBytes(IndexFile));
        }
        catch (InvalidDataException e)
        {
            throw new EastBakeException(ErrorCodes.CheckpointCorrupt, $"checkpoint index is not a valid table: {e.Message}", IndexFile, inner: e);
        }
        try
        {
            foreach (var (key, value) in table)
            {
                if (key.Length == 0) Header = BundleHeaderProto.Parser.ParseFrom(value);
                else _entries[Encoding.UTF8.GetString(key)] = BundleEntryProto.Parser.ParseFrom(value);
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new EastBakeException(ErrorCodes.CheckpointCorrupt, $"checkpoint index holds a bad record: {e.Message}", IndexFile, inner: e);
        }
        if (Header is null)
            throw new EastBakeException(ErrorCodes.CheckpointCorrupt, "checkpoint index has no header entry (empty key)", IndexFile);
        if (Header.Endianness != BundleHeaderProto.Types.Endianness.Little)
            throw new EastBakeException(ErrorCodes.CheckpointCorrupt, "big-endian checkpoints are not supported", IndexFile);
    }

    public string Prefix { get; }
    public string IndexFile { get; }
    public BundleHeaderProto Header { get; } = null!;

    public IReadOnlyCollection<string> Keys => _entries.Keys;

    public bool Contains(string key) => _entries.ContainsKey(key);

    public BundleEntryProto Entry(string key) => _entries.TryGetValue(key, out var e) ? e
        : throw new EastBakeException(ErrorCodes.CheckpointVariableMissing, $"checkpoint has no tensor '{key}'", IndexFile, key);

    public string ShardPath(int shard) => $"{Prefix}.data-{shard:D5}-of-{Math.Max(1, Header.NumShards):D5}";

    /// <summary>The raw little-endian bytes of a tensor, CRC-checked.</summary>
    public byte[] ReadBytes(string key)
    {
        var e = Entry(key);
        if (e.Slices.Count > 0)
            throw new EastBakeException(ErrorCodes.CheckpointCorrupt, $"tensor '{key}' is stored in slices (partitioned variables are not supported)", IndexFile, key);
        var shard = Shard(e.ShardId);
        var path = ShardPath(e.ShardId);
        if (e.Offset < 0 || e.Size < 0 || e.Offset + e.Size > shard.LongLength)
            throw new EastBakeException(ErrorCodes.CheckpointCorrupt,
                $"tensor '{key}' lies at bytes {e.Offset}..{e.Offset + e.Size}, past the shard's end ({shard.LongLength})", path, key);
        var bytes = shard.AsSpan((int)e.Offset, (int)e.Size);
        var crc = e.Dtype == DataType.DtString ? StringTensorChecksum.Compute(bytes, e.Shape, path, key) : Crc32C.ComputeMasked(bytes);
        if (crc != e.Crc32C)
            throw new EastBakeException(ErrorCodes.CheckpointCrcMismatch,
                $"tensor '{key}' fails its checksum (masked CRC-32C 0x{crc:x8}, stored 0x{e.Crc32C:x8}): the data file is corrupt", path, key);
        return bytes.ToArray();
    }

    /// <summary>The tensor as a TensorProto with packed content (what a frozen Const holds).</summary>
    public TensorProto ReadTensorProto(string key)
    {
        var e = Entry(key);
        var bytes = ReadBytes(key);
        return new TensorProto { Dtype = e.Dtype, TensorShape = e.Shape ?? new TensorShapeProto(), TensorContent = ByteString.CopyFrom(bytes) };
    }

    /// <summary>A scalar string tensor's bytes (on disk: varint length, 4-byte length checksum, bytes).</summary>
    public byte[] ReadScalarString(string key)
    {
        var bytes = ReadBytes(key);
        var pos = 0;
        ulong length = 0;
        for (var shift = 0; pos < bytes.Length && shift < 64; shift += 7)
        {
            var b = bytes[pos++];
            length |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) break;
        }
        pos += 4;
        if (Entry(key).Dtype != DataType.DtString || (ulong)pos + length != (ulong)bytes.Length)
            throw new EastBakeException(ErrorCodes.CheckpointCorrupt, $"'{key}' is not a scalar string tensor", IndexFile, key);
        return bytes[pos..];
    }

    /// <summary>The tensor as an IR tensor.</summary>
    public Tensor Read(string key) => TensorProtoConverter.Convert(ReadTensorProto(key), ShardPath(Entry(key).ShardId), key);

    private byte[] Shard(int id)
    {
        if (_shards.TryGetValue(id, out var s)) return s;
        var path = ShardPath(id);
        if (!File.Exists(path))
            throw new EastBakeException(ErrorCodes.CheckpointMissingFile, $"checkpoint data shard {id} not found", path);
        return _shards[id] = File.ReadAllBytes(path);
    }
}
