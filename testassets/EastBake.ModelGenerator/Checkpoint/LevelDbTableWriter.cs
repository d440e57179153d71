using System.Buffers.Binary;

namespace EastBake.ModelGenerator.Checkpoint;

/// <summary>
/// Writes a LevelDB-format SSTable (the format of a TF checkpoint's .index): prefix-compressed
/// data blocks with restart points, each followed by a 5-byte trailer (type 0 = uncompressed,
/// masked CRC-32C); an empty metaindex block; an index block mapping each data block's last key
/// to its handle; and a 48-byte footer ending in the table magic.
/// </summary>
public sealed class LevelDbTableWriter
{
    public const ulong Magic = 0xdb4775248b80fb57UL;
    public const int FooterLength = 48;

    private readonly MemoryStream _file = new();
    private readonly BlockBuilder _data;
    private readonly BlockBuilder _index = new(restartInterval: 1);
    private readonly int _blockSize;
    private byte[]? _lastKey;

    /// <param name="blockSize">Data block size target (TF's default table options: 256 KiB).</param>
    /// <param name="restartInterval">Keys between restart points (TF's default: 16).</param>
    public LevelDbTableWriter(int blockSize = 256 * 1024, int restartInterval = 16)
    {
        _blockSize = blockSize;
        _data = new BlockBuilder(restartInterval);
    }

    /// <summary>Adds an entry; keys must be strictly increasing in bytewise order.</summary>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (_lastKey is not null && key.SequenceCompareTo(_lastKey) <= 0)
            throw new InvalidOperationException("Table keys must be added in strictly increasing order.");
        _data.Add(key, value);
        _lastKey = key.ToArray();
        if (_data.SizeEstimate >= _blockSize) FlushData();
    }

    public byte[] Finish()
    {
        FlushData();
        var meta = WriteBlock(new BlockBuilder(1).Finish());
        var index = WriteBlock(_index.Finish());
        var footer = new byte[FooterLength];
        var n = Varint.Write(footer, 0, meta.Offset);
        n = Varint.Write(footer, n, meta.Size);
        n = Varint.Write(footer, n, index.Offset);
        Varint.Write(footer, n, index.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(footer.AsSpan(40), Magic);
        _file.Write(footer);
        return _file.ToArray();
    }

    private void FlushData()
    {
        if (_data.IsEmpty) return;
        var handle = WriteBlock(_data.Finish());
        _data.Reset();
        var h = new byte[20];
        var n = Varint.Write(h, 0, handle.Offset);
        n = Varint.Write(h, n, handle.Size);
        _index.Add(_lastKey, h.AsSpan(0, n));
    }

    private (ulong Offset, ulong Size) WriteBlock(byte[] contents)
    {
        var offset = (ulong)_file.Position;
        _file.Write(contents);
        Span<byte> trailer = stackalloc byte[5];
        trailer[0] = 0; // no compression
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[1..], Crc32C.Mask(Crc32C.Compute(contents, 0)));
        _file.Write(trailer);
        return (offset, (ulong)contents.Length);
    }
}

/// <summary>One table block: entries (shared, non-shared, value length varints, key suffix, value), restart array, count.</summary>
internal sealed class BlockBuilder(int restartInterval)
{
    private readonly MemoryStream _buf = new();
    private readonly List<uint> _restarts = [0];
    private byte[] _lastKey = [];
    private int _sinceRestart;

    public bool IsEmpty => _buf.Length == 0;
    public long SizeEstimate => _buf.Length + 4L * _restarts.Count + 4;

    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var shared = 0;
        if (_sinceRestart < restartInterval)
            while (shared < Math.Min(key.Length, _lastKey.Length) && key[shared] == _lastKey[shared]) shared++;
        else
        {
            _restarts.Add((uint)_buf.Length);
            _sinceRestart = 0;
        }
        var head = new byte[15];
        var n = Varint.Write(head, 0, (ulong)shared);
        n = Varint.Write(head, n, (ulong)(key.Length - shared));
        n = Varint.Write(head, n, (ulong)value.Length);
        _buf.Write(head, 0, n);
        _buf.Write(key[shared..]);
        _buf.Write(value);
        _lastKey = key.ToArray();
        _sinceRestart++;
    }

    public byte[] Finish()
    {
        Span<byte> u = stackalloc byte[4];
        foreach (var r in _restarts)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(u, r);
            _buf.Write(u);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(u, (uint)_restarts.Count);
        _buf.Write(u);
        return _buf.ToArray();
    }

    public void Reset()
    {
        _buf.SetLength(0);
        _restarts.Clear();
        _restarts.Add(0);
        _lastKey = [];
        _sinceRestart = 0;
    }
}

internal static class Varint
{
    public static int Write(byte[] dst, int at, ulong v)
    {
        while (v >= 0x80)
        {
            dst[at++] = (byte)(v | 0x80);
            v >>= 7;
        }
        dst[at++] = (byte)v;
        return at;
    }
}
