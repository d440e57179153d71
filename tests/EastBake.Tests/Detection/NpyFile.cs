using System.Text;

namespace EastBake.Tests.Detection;

/// <summary>Minimal .npy reader for the reference tensors: little-endian uint8 or float32, C order.</summary>
internal sealed class NpyFile
{
    public required string Dtype { get; init; }
    public required int[] Shape { get; init; }
    public required byte[] Data { get; init; }

    public static NpyFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not a .npy file");
        int major = bytes[6];
        int headerLen = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int headerStart = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLen);
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException("fortran order not supported");
        string dtype = Between(header, "'descr': '", "'");
        var shape = Between(header, "'shape': (", ")")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        return new NpyFile { Dtype = dtype, Shape = shape, Data = bytes[(headerStart + headerLen)..] };
    }

    public float[] AsFloat32()
    {
        if (Dtype != "<f4") throw new InvalidDataException($"dtype {Dtype}, expected <f4");
        var f = new float[Data.Length / 4];
        Buffer.BlockCopy(Data, 0, f, 0, f.Length * 4);
        return f;
    }

    public byte[] AsUInt8() => Dtype is "|u1" or "<u1" ? Data : throw new InvalidDataException($"dtype {Dtype}, expected |u1");

    private static string Between(string s, string start, string end)
    {
        int i = s.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return s[i..s.IndexOf(end, i, StringComparison.Ordinal)];
    }
}
