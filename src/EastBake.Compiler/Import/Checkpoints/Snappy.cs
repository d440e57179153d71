using System.Buffers.Binary;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>
/// Decompresses Snappy's raw block format (what LevelDB tables use): a varint uncompressed length,
/// then literals and back-references (copies with 1-, 2- or 4-byte offsets).
/// </summary>
internal static class Snappy
{
    public static byte[] Decompress(ReadOnlySpan<byte> src)
    {
        var pos = 0;
        var length = ReadVarint32(src, ref pos);
        if (length > 1 << 30) throw new InvalidDataException($"snappy block claims {length} bytes");
        var dst = new byte[length];
        var o = 0;
        while (pos < src.Length)
        {
            var tag = src[pos++];
            switch (tag & 3)
            {
                case 0: // literal; lengths ≥ 61 store (len-1) in the next 1–4 bytes
                {
                    var len = tag >> 2;
                    if (len >= 60)
                    {
                        var extra = len - 59;
                        Need(src, pos, extra);
                        len = 0;
                        for (var i = 0; i < extra; i++) len |= src[pos + i] << (8 * i);
                        pos += extra;
                    }
                    len += 1;
                    Need(src, pos, len);
                    if (o + len > dst.Length) throw Overrun();
                    src.Slice(pos, len).CopyTo(dst.AsSpan(o));
                    pos += len;
                    o += len;
                    break;
                }
                case 1: // copy, length 4–11, 11-bit offset
                    Need(src, pos, 1);
                    o = Copy(dst, o, ((tag >> 5) << 8) | src[pos++], ((tag >> 2) & 7) + 4);
                    break;
                case 2:
                    Need(src, pos, 2);
                    o = Copy(dst, o, BinaryPrimitives.ReadUInt16LittleEndian(src[pos..]), (tag >> 2) + 1);
                    pos += 2;
                    break;
                default:
                    Need(src, pos, 4);
                    o = Copy(dst, o, (int)BinaryPrimitives.ReadUInt32LittleEndian(src[pos..]), (tag >> 2) + 1);
                    pos += 4;
                    break;
            }
        }
        if (o != dst.Length) throw new InvalidDataException($"snappy block decoded to {o} bytes, header says {dst.Length}");
        return dst;
    }

    /// <summary>Back-reference; byte by byte because source and destination may overlap (runs).</summary>
    private static int Copy(byte[] dst, int o, int offset, int len)
    {
        if (offset <= 0 || offset > o) throw new InvalidDataException($"snappy copy offset {offset} at output {o}");
        if (o + len > dst.Length) throw Overrun();
        for (var i = 0; i < len; i++, o++) dst[o] = dst[o - offset];
        return o;
    }

    private static void Need(ReadOnlySpan<byte> src, int pos, int n)
    {
        if (pos + n > src.Length) throw new InvalidDataException("snappy block ends inside an element");
    }

    private static InvalidDataException Overrun() => new("snappy block decodes past its stated length");

    private static int ReadVarint32(ReadOnlySpan<byte> s, ref int pos)
    {
        var v = 0u;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (pos >= s.Length) throw new InvalidDataException("snappy length varint is cut");
            var b = s[pos++];
            v |= (uint)(b & 0x7F) << shift;
            if (b < 0x80) return (int)v;
        }
        throw new InvalidDataException("snappy length varint too long");
    }
}
