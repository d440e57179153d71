using System.Buffers.Binary;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>
/// The checksum TF stores for a string tensor in a bundle. On disk: varint64 length per element,
/// a 4-byte masked CRC of the lengths, then the string bytes. The CRC does not run over those
/// bytes as written: it sums each length as a fixed uint32 (uint64 above 4 GiB), then the 4
/// length-checksum bytes, then the strings.
/// </summary>
internal static class StringTensorChecksum
{
    public static uint Compute(ReadOnlySpan<byte> bytes, TensorShapeProto? shape, string file, string key)
    {
        var count = shape?.Dim.Aggregate(1L, (a, d) => a * d.Size) ?? 1;
        var pos = 0;
        var crc = 0u;
        Span<byte> fixedLength = stackalloc byte[8];
        for (long i = 0; i < count; i++)
        {
            var length = ReadVarint(bytes, ref pos, file, key);
            if (length <= uint.MaxValue)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(fixedLength, (uint)length);
                crc = Crc32C.Extend(crc, fixedLength[..4]);
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(fixedLength, length);
                crc = Crc32C.Extend(crc, fixedLength);
            }
        }
        if (pos + 4 > bytes.Length) throw Corrupt(file, key);
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[pos..]) != Crc32C.Mask(crc))
            throw new EastBakeException(ErrorCodes.CheckpointCrcMismatch,
                $"string tensor '{key}' fails its length checksum: the data file is corrupt", file, key);
        return Crc32C.Mask(Crc32C.Extend(crc, bytes[pos..]));
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> s, ref int pos, string file, string key)
    {
        ulong v = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= s.Length) throw Corrupt(file, key);
            var b = s[pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
        throw Corrupt(file, key);
    }

    private static EastBakeException Corrupt(string file, string key) =>
        new(ErrorCodes.CheckpointCorrupt, $"string tensor '{key}' has malformed length prefixes", file, key);
}
