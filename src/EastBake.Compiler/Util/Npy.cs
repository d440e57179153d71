using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Util;

/// <summary>The parsed header of a <c>.npy</c> file.</summary>
public sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape, int Version, long DataOffset);

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1, 2 and 3), little-endian
/// float16/32/64, int32/64, uint8 and bool, C order only. Values land in an IR <see cref="Tensor"/>:
/// float64 is narrowed to float32 and uint8 widened to int32, since the IR has neither type.
/// </summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static Tensor Read(string path)
    {
        if (!File.Exists(path))
            throw new EastBakeException(ErrorCodes.ModelNotFound, $"npy file not found: {path}", path);
        using var s = File.OpenRead(path);
        return Read(s, path);
    }

    public static Tensor Read(Stream stream, string? fileName = null)
    {
        var header = ReadHeader(stream, fileName);
        var count = Tensor.ElementCount(header.Shape);
        var (kind, size) = ParseDescr(header.Descr, fileName);
        var bytes = new byte[checked(count * size)];
        var got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (got < bytes.Length)
            throw Malformed(fileName, $"truncated data: needs {bytes.Length} bytes, has {got}");
        return Decode(kind, size, header.Shape, bytes, fileName);
    }

    /// <summary>Reads and validates the header, leaving the stream at the first data byte.</summary>
    public static NpyHeader ReadHeader(Stream stream, string? fileName = null)
    {
        Span<byte> pre = stackalloc byte[10];
        if (stream.ReadAtLeast(pre, 10, throwOnEndOfStream: false) < 10 || !pre[..6].SequenceEqual(Magic))
            throw Malformed(fileName, "not a .npy file (bad magic)");
        int major = pre[6];
        int headerLen;
        int prefix;
        if (major == 1)
        {
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
            prefix = 10;
        }
        else if (major is 2 or 3)
        {
            Span<byte> extra = stackalloc byte[2];
            stream.ReadExactly(extra);
            headerLen = checked((int)(BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]) |
                                      ((uint)BinaryPrimitives.ReadUInt16LittleEndian(extra) << 16)));
            prefix = 12;
        }
        else throw Malformed(fileName, $"unsupported .npy format version {major}");

        var hb = new byte[headerLen];
        if (stream.ReadAtLeast(hb, headerLen, throwOnEndOfStream: false) < headerLen)
            throw Malformed(fileName, "truncated header");
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(hb);

        var descr = DescrRegex().Match(text);
        var fortran = FortranRegex().Match(text);
        var shape = ShapeRegex().Match(text);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw Malformed(fileName, $"header lacks descr/fortran_order/shape: {text.Trim()}");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        var isFortran = fortran.Groups[1].Value == "True";
        if (isFortran && dims.Count(d => d > 1) > 1)
            throw new EastBakeException(ErrorCodes.UnsupportedDataType,
                "Fortran-order (column-major) .npy arrays are not supported; save it with np.ascontiguousarray", fileName);
        return new NpyHeader(descr.Groups[1].Value, isFortran, dims, major, prefix + headerLen);
    }

    public static void Write(string path, Tensor tensor)
    {
        using var s = File.Create(path);
        Write(s, tensor);
    }

    /// <summary>Writes a version 1 file (version 2 when the header needs it) in the tensor's own type.</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        var descr = tensor.Type switch
        {
            ElementType.Float32 => "<f4",
            ElementType.Float16 => "<f2",
            ElementType.Int32 => "<i4",
            ElementType.Int64 => "<i8",
            ElementType.Bool => "|b1",
            _ => throw new ArgumentOutOfRangeException(nameof(tensor)),
        };
        var shapeText = tensor.Rank switch
        {
            0 => "()",
            1 => $"({tensor.Shape[0]},)",
            _ => "(" + string.Join(", ", tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Pad with spaces so data starts on a 64-byte boundary; the header ends with '\n'.
        var v1 = 10 + dict.Length + 1 <= 65535 + 10;
        var prefix = v1 ? 10 : 12;
        var total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - prefix - 1) + "\n";
        stream.Write(Magic);
        stream.WriteByte(v1 ? (byte)1 : (byte)2);
        stream.WriteByte(0);
        Span<byte> len = stackalloc byte[4];
        if (v1) { BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length); stream.Write(len[..2]); }
        else { BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)header.Length); stream.Write(len); }
        stream.Write(Encoding.Latin1.GetBytes(header));

        var n = tensor.Length;
        var size = tensor.Type.ByteSize();
        var data = new byte[n * size];
        var span = data.AsSpan();
        for (long i = 0; i < n; i++)
        {
            var at = span[(int)(i * size)..];
            switch (tensor.Type)
            {
                case ElementType.Float32: BinaryPrimitives.WriteSingleLittleEndian(at, tensor.Floats![i]); break;
                case ElementType.Float16: BinaryPrimitives.WriteHalfLittleEndian(at, (Half)tensor.Floats![i]); break;
                case ElementType.Int32: BinaryPrimitives.WriteInt32LittleEndian(at, (int)tensor.Ints![i]); break;
                case ElementType.Int64: BinaryPrimitives.WriteInt64LittleEndian(at, tensor.Ints![i]); break;
                case ElementType.Bool: at[0] = tensor.Ints![i] != 0 ? (byte)1 : (byte)0; break;
            }
        }
        stream.Write(data);
    }

    private static (char Kind, int Size) ParseDescr(string descr, string? fileName)
    {
        if (descr.Length < 3 || descr[0] == '>' && descr[2] != '1')
            throw new EastBakeException(ErrorCodes.UnsupportedDataType, $"big-endian or unknown .npy dtype '{descr}'", fileName);
        var kind = descr[1];
        var size = int.Parse(descr.AsSpan(2), CultureInfo.InvariantCulture);
        var ok = (kind, size) is ('f', 2) or ('f', 4) or ('f', 8) or ('i', 4) or ('i', 8) or ('u', 1) or ('b', 1);
        return ok ? (kind, size)
            : throw new EastBakeException(ErrorCodes.UnsupportedDataType, $"unsupported .npy dtype '{descr}'", fileName);
    }

    private static Tensor Decode(char kind, int size, long[] shape, byte[] bytes, string? fileName)
    {
        var n = bytes.Length / size;
        ReadOnlySpan<byte> b = bytes;
        switch (kind, size)
        {
            case ('f', 4):
            {
                var f = new float[n];
                for (var i = 0; i < n; i++) f[i] = BinaryPrimitives.ReadSingleLittleEndian(b[(i * 4)..]);
                return Tensor.FromFloats(shape, f);
            }
            case ('f', 8):
            {
                var f = new float[n];
                for (var i = 0; i < n; i++) f[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(b[(i * 8)..]);
                return Tensor.FromFloats(shape, f);
            }
            case ('f', 2):
            {
                var f = new float[n];
                for (var i = 0; i < n; i++) f[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(b[(i * 2)..]);
                return Tensor.FromFloats(shape, f, ElementType.Float16);
            }
            case ('i', 4):
            {
                var l = new long[n];
                for (var i = 0; i < n; i++) l[i] = BinaryPrimitives.ReadInt32LittleEndian(b[(i * 4)..]);
                return Tensor.FromInts(shape, l, ElementType.Int32);
            }
            case ('i', 8):
            {
                var l = new long[n];
                for (var i = 0; i < n; i++) l[i] = BinaryPrimitives.ReadInt64LittleEndian(b[(i * 8)..]);
                return Tensor.FromInts(shape, l, ElementType.Int64);
            }
            case ('u', 1):
                return Tensor.FromInts(shape, Array.ConvertAll(bytes, x => (long)x), ElementType.Int32);
            case ('b', 1):
                return Tensor.FromInts(shape, Array.ConvertAll(bytes, x => x != 0 ? 1L : 0L), ElementType.Bool);
            default:
                throw new EastBakeException(ErrorCodes.UnsupportedDataType, $"unsupported .npy dtype {kind}{size}", fileName);
        }
    }

    private static EastBakeException Malformed(string? fileName, string what) =>
        new(ErrorCodes.BadConstant, $"malformed .npy file: {what}", fileName);

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
