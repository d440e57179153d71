using System.Buffers.Binary;
using System.Numerics;

namespace EastBake.ModelGenerator.Checkpoint;

/// <summary>CRC-32C (Castagnoli) and the LevelDB/TF checksum mask.</summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Extend(0xFFFFFFFFu, data);

    /// <summary>Continues a raw (un-inverted) CRC register over more bytes.</summary>
    private static uint Extend(uint crc, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        for (; i < data.Length; i++) crc = BitOperations.Crc32C(crc, data[i]);
        return crc;
    }

    /// <summary>CRC of a block followed by its one-byte trailer type, as LevelDB tables store it.</summary>
    public static uint Compute(ReadOnlySpan<byte> data, byte trailerType) => ~Extend(Extend(0xFFFFFFFFu, data), [trailerType]);

    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;

    public static uint Unmask(uint masked)
    {
        var rot = masked - 0xa282ead8u;
        return (rot >> 17) | (rot << 15);
    }
}
