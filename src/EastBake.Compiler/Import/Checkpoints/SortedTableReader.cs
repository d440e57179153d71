using System.Buffers.Binary;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>
/// Reads the LevelDB-style sorted string table TensorFlow uses for a checkpoint's <c>.index</c>:
/// a 48-byte footer (metaindex and index block handles, padding, magic), an index block whose
/// values are handles of data blocks, and data blocks of prefix-compressed key/value entries.
/// Each block is followed by a compression-type byte and a masked CRC-32C, which is verified.
/// Failures throw <see cref="InvalidDataException"/>; the caller turns them into coded errors.
/// </summary>
internal static class SortedTableReader
{
    private const ulong Magic = 0xdb4775248b80fb57UL;
    private const int FooterLength = 48;
    private const int TrailerLength = 5;

    private readonly record struct BlockHandle(ulong Offset, ulong Size);

    /// <summary>All entries of the table, in key order.</summary>
    public static List<KeyValuePair<byte[], byte[]>> ReadAll(ReadOnlySpan<byte> file)
    {
        if (file.Length < FooterLength) throw new InvalidDataException($"file is {file.Length} bytes, shorter than a table footer");
        var footer = file[^FooterLength..];
        if (BinaryPrimitives.ReadUInt64LittleEndian(footer[^8..]) != Magic)
            throw new InvalidDataException("bad table magic number in the footer");
        var p = 0;
        _ = ReadHandle(footer, ref p); // metaindex: TF writes no filters, nothing to read
        var indexHandle = ReadHandle(footer, ref p);

        var entries = new List<KeyValuePair<byte[], byte[]>>();
        foreach (var (_, handleBytes) in ParseBlock(ReadBlock(file, indexHandle)))
        {
            var q = 0;
            var dataHandle = ReadHandle(handleBytes, ref q);
            entries.AddRange(ParseBlock(ReadBlock(file, dataHandle)));
        }
        return entries;
    }

    private static BlockHandle ReadHandle(ReadOnlySpan<byte> s, ref int pos) => new(ReadVarint(s, ref pos), ReadVarint(s, ref pos));

    /// <summary>A block's contents, CRC-checked and decompressed.</summary>
    private static byte[] ReadBlock(ReadOnlySpan<byte> file, BlockHandle h)
    {
        if (h.Offset + h.Size + TrailerLength > (ulong)file.Length)
            throw new InvalidDataException($"block at {h.Offset} (+{h.Size}) runs past the end of the file");
        var withType = file.Slice((int)h.Offset, (int)h.Size + 1);
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(file[((int)h.Offset + (int)h.Size + 1)..]);
        if (Crc32C.ComputeMasked(withType) != stored)
            throw new InvalidDataException($"block at {h.Offset} fails its CRC-32C check");
        var contents = withType[..^1];
        return withType[^1] switch
        {
            0 => contents.ToArray(),
            1 => Snappy.Decompress(contents),
            var t => throw new InvalidDataException($"block at {h.Offset} has unknown compression type {t}"),
        };
    }

    /// <summary>
    /// Entries of one block: shared-prefix length, unshared length, value length (varint32 each),
    /// the unshared key bytes, the value. The block ends with uint32 restart offsets and their count.
    /// </summary>
    private static List<KeyValuePair<byte[], byte[]>> ParseBlock(byte[] block)
    {
        if (block.Length < 4) throw new InvalidDataException("block shorter than its restart count");
        var restarts = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(block.Length - 4));
        var end = block.Length - 4 - 4L * restarts;
        if (end < 0) throw new InvalidDataException($"block restart count {restarts} does not fit the block");
        var entries = new List<KeyValuePair<byte[], byte[]>>();
        var key = Array.Empty<byte>();
        var p = 0;
        while (p < end)
        {
            var shared = (int)ReadVarint(block, ref p);
            var unshared = (int)ReadVarint(block, ref p);
            var valueLength = (int)ReadVarint(block, ref p);
            if (shared > key.Length || p + (long)unshared + valueLength > end)
                throw new InvalidDataException("block entry runs past its block");
            var next = new byte[shared + unshared];
            key.AsSpan(0, shared).CopyTo(next);
            block.AsSpan(p, unshared).CopyTo(next.AsSpan(shared));
            p += unshared;
            entries.Add(new(next, block.AsSpan(p, valueLength).ToArray()));
            p += valueLength;
            key = next;
        }
        return entries;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> s, ref int pos)
    {
        ulong v = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= s.Length) throw new InvalidDataException("varint runs past its block");
            var b = s[pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
        throw new InvalidDataException("varint too long");
    }
}
