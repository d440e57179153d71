using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EastBake.Tests.Reliability.Fuzzing;

/// <summary>A length field in a byte format: where it is, how it is encoded, and its value.</summary>
public readonly record struct LengthField(int Offset, int Size, ulong Value, bool Varint);

/// <summary>
/// Deterministic mutations of valid bytes: bit flips, byte overwrites, truncations and length-field
/// corruption (a length set to 0, ±1, doubled, or huge). Each returns a description that,
/// with the seed and iteration, reproduces the case.
/// </summary>
public static class Mutator
{
    public static (byte[] Bytes, string Description) Mutate(byte[] original, IReadOnlyList<LengthField> lengths, Random rnd)
    {
        var kind = rnd.Next(lengths.Count > 0 ? 4 : 3);
        switch (kind)
        {
            case 0:
            {
                var b = (byte[])original.Clone();
                var flips = rnd.Next(1, 5);
                var where = new List<string>();
                for (var i = 0; i < flips; i++)
                {
                    var pos = rnd.Next(b.Length);
                    var bit = rnd.Next(8);
                    b[pos] ^= (byte)(1 << bit);
                    where.Add($"{pos}.{bit}");
                }
                return (b, $"bit flips at {string.Join(",", where)}");
            }
            case 1:
            {
                var b = (byte[])original.Clone();
                var pos = rnd.Next(b.Length);
                var v = rnd.Next(3) switch { 0 => (byte)0x00, 1 => (byte)0xFF, _ => (byte)rnd.Next(256) };
                b[pos] = v;
                return (b, $"byte {pos} = 0x{v:x2}");
            }
            case 2:
            {
                // Biased towards cuts near the start and the end, where headers and trailers live.
                var len = rnd.Next(3) switch
                {
                    0 => rnd.Next(Math.Min(64, original.Length)),
                    1 => original.Length - 1 - rnd.Next(Math.Min(64, original.Length)),
                    _ => rnd.Next(original.Length),
                };
                return (original[..len], $"truncated to {len} bytes");
            }
            default:
            {
                var f = lengths[rnd.Next(lengths.Count)];
                ulong v = rnd.Next(8) switch
                {
                    0 => 0,
                    1 => f.Value + 1,
                    2 => f.Value == 0 ? 1 : f.Value - 1,
                    3 => f.Value * 2 + 1,
                    4 => int.MaxValue,
                    5 => uint.MaxValue + 7UL,
                    6 => ulong.MaxValue,
                    _ => (ulong)rnd.Next(1 << 20),
                };
                return (SetLength(original, f, v), $"length at {f.Offset} ({f.Value}) = {v}");
            }
        }
    }

    private static byte[] SetLength(byte[] b, LengthField f, ulong v)
    {
        if (!f.Varint)
        {
            var c = (byte[])b.Clone();
            if (f.Size == 4) BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(f.Offset), (uint)v);
            else BinaryPrimitives.WriteUInt64LittleEndian(c.AsSpan(f.Offset), v);
            return c;
        }
        var enc = new List<byte>();
        do
        {
            var low = (byte)(v & 0x7F);
            v >>= 7;
            enc.Add(v != 0 ? (byte)(low | 0x80) : low);
        } while (v != 0);
        return [.. b.AsSpan(0, f.Offset), .. enc, .. b.AsSpan(f.Offset + f.Size)];
    }

    /// <summary>Makes a mutated plan pass the container checks again (total length, SHA-256), so its sections get parsed.</summary>
    public static byte[] ResealPlan(byte[] b)
    {
        if (b.Length < 24 + 32) return b;
        var c = (byte[])b.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(c.AsSpan(16), c.Length);
        SHA256.HashData(c.AsSpan(0, c.Length - 32), c.AsSpan(c.Length - 32));
        return c;
    }
}

/// <summary>Finds length fields, written here from the format specifications (not from the readers under test).</summary>
public static class LengthFields
{
    /// <summary>Length-delimited protobuf fields, descending into payloads that parse as messages.</summary>
    public static List<LengthField> Protobuf(byte[] b)
    {
        var fields = new List<LengthField>();
        Walk(b, 0, b.Length, 0, fields);
        return fields;
    }

    private static bool Walk(byte[] b, int start, int end, int depth, List<LengthField> fields)
    {
        var found = new List<LengthField>();
        var p = start;
        while (p < end)
        {
            if (!Varint(b, ref p, end, out var tag) || tag >> 3 == 0) return false;
            switch (tag & 7)
            {
                case 0: if (!Varint(b, ref p, end, out _)) return false; break;
                case 1: p += 8; break;
                case 5: p += 4; break;
                case 2:
                    var at = p;
                    if (!Varint(b, ref p, end, out var len) || len > (ulong)(end - p)) return false;
                    found.Add(new LengthField(at, p - at, len, true));
                    if (depth < 8 && len > 1) Walk(b, p, p + (int)len, depth + 1, found);
                    p += (int)len;
                    break;
                default: return false;
            }
        }
        if (p != end) return false;
        fields.AddRange(found);
        return true;
    }

    private static bool Varint(byte[] b, ref int p, int end, out ulong v)
    {
        v = 0;
        for (var shift = 0; shift < 64 && p < end; shift += 7)
        {
            var x = b[p++];
            v |= (ulong)(x & 0x7F) << shift;
            if (x < 0x80) return true;
        }
        return false;
    }

    /// <summary>The .eastplan's length fields, from docs/PLAN_FORMAT.md.</summary>
    public static List<LengthField> Plan(byte[] b)
    {
        var f = new List<LengthField> { new(12, 4, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)), false), new(16, 8, (ulong)b.Length, false) };
        var p = 24;
        var end = b.Length - 32;
        int I32(int at) => BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(at));
        void Str() { f.Add(new(p, 4, (ulong)I32(p), false)); p += 4 + I32(p); }
        void Strs() { var n = I32(p); f.Add(new(p, 4, (ulong)n, false)); p += 4; for (var i = 0; i < n; i++) Str(); }
        while (p < end)
        {
            var tag = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p));
            var len = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(p + 4));
            f.Add(new(p + 4, 8, (ulong)len, false));
            var next = p + 12 + (int)len;
            p += 12;
            if (tag == 0x4154454D) Strs(); // META
            else if (tag == 0x544D4753) // SGMT: id, group, engine, arch, inputs, outputs, properties, payload
            {
                p += 8;
                Str(); Str(); Strs(); Strs(); Strs();
                f.Add(new(p, 8, (ulong)BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(p)), false));
            }
            p = next;
        }
        return f;
    }
}
