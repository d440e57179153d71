using System.Buffers.Binary;
using System.Numerics;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>
/// CRC-32C (Castagnoli) with the hardware instruction, and TensorFlow/LevelDB's "masked" form,
/// which keeps a CRC stored inside CRC'd data from looking like a CRC of itself.
/// </summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Extend(0, data);

    /// <summary>The CRC of (bytes already summed to <paramref name="crc"/>) followed by <paramref name="data"/>.</summary>
    public static uint Extend(uint crc, ReadOnlySpan<byte> data) => ~Append(~crc, data);

    /// <summary>Continues a raw (un-inverted) CRC register over more bytes.</summary>
    public static uint Append(uint register, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8) register = BitOperations.Crc32C(register, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        for (; i < data.Length; i++) register = BitOperations.Crc32C(register, data[i]);
        return register;
    }

    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;

    public static uint ComputeMasked(ReadOnlySpan<byte> data) => Mask(Compute(data));
}
