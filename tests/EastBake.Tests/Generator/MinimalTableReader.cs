using System.Buffers.Binary;

namespace EastBake.Tests.Generator;

/// <summary>
/// Test-only, independent reader of a LevelDB table (a checkpoint .index): checks the footer magic
/// and every block's masked CRC-32C (bitwise CRC here, not the writer's hardware path) and
/// returns all entries in order.
/// </summary>
internal static class MinimalTableReader
{
    public static List<(byte[] Key, byte[] Value)> ReadAll(byte[] file, out int dataBlocks)
    {
        Assert.True(file.Length >= 48, "table shorter than its footer");
        Assert.Equal(0xdb4775248b80fb57UL, BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(file.Length - 8)));
        var p = file.Length - 48;
        var meta = (Off: ReadVarint(file, ref p), Size: ReadVarint(file, ref p));
        var index = (Off: ReadVarint(file, ref p), Size: ReadVarint(file, ref p));
        Assert.Empty(Block(file, meta.Off, meta.Size));
        var result = new List<(byte[], byte[])>();
        var handles = Block(file, index.Off, index.Size);
        dataBlocks = handles.Count;
        foreach (var (lastKey, handle) in handles)
        {
            var q = 0;
            var (off, size) = (ReadVarint(handle, ref q), ReadVarint(handle, ref q));
            var entries = Block(file, off, size);
            // The index key is a separator: ≥ the block's last key (TF writes shortened successors).
            Assert.True(lastKey.AsSpan().SequenceCompareTo(entries[^1].Key) >= 0, "index key below its block's last key");
            result.AddRange(entries);
        }
        return result;
    }

    private static List<(byte[] Key, byte[] Value)> Block(byte[] file, long off, long size)
    {
        var block = file.AsSpan((int)off, (int)size);
        Assert.Equal(0, file[off + size]); // uncompressed
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)(off + size + 1)));
        Assert.Equal(stored, Mask(BitwiseCrc32C(file.AsSpan((int)off, (int)size + 1))));
        var restarts = (int)BinaryPrimitives.ReadUInt32LittleEndian(block[^4..]);
        var end = block.Length - 4 - 4 * restarts;
        var restartOffsets = new HashSet<int>();
        for (var i = 0; i < restarts; i++) restartOffsets.Add((int)BinaryPrimitives.ReadUInt32LittleEndian(block[(end + 4 * i)..]));
        var entries = new List<(byte[], byte[])>();
        var bytes = block.ToArray();
        var key = Array.Empty<byte>();
        var p = 0;
        while (p < end)
        {
            var start = p;
            var shared = (int)ReadVarint(bytes, ref p);
            var nonShared = (int)ReadVarint(bytes, ref p);
            var valueLen = (int)ReadVarint(bytes, ref p);
            if (restartOffsets.Contains(start)) Assert.Equal(0, shared);
            key = [.. key.AsSpan(0, shared), .. bytes.AsSpan(p, nonShared)];
            p += nonShared;
            entries.Add((key, bytes.AsSpan(p, valueLen).ToArray()));
            p += valueLen;
        }
        Assert.Equal(end, p);
        return entries;
    }

    public static long ReadVarint(byte[] b, ref int p)
    {
        long v = 0;
        for (var shift = 0; ; shift += 7)
        {
            var x = b[p++];
            v |= (long)(x & 0x7f) << shift;
            if (x < 0x80) return v;
        }
    }

    public static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var d in data)
        {
            crc ^= d;
            for (var k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
