using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EastBake.Diagnostics;

namespace EastBake.Runtime.Plans;

/// <summary>
/// Loads and verifies a <c>.eastplan</c>: magic (EB4001), major version (EB4002), length
/// (EB4004), SHA-256 checksum (EB4003), then every section's structure (EB4008).
/// </summary>
public static class PlanReader
{
    public static Plan Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new EastBakeException(ErrorCodes.PathNotFound, "plan file not found", path); }
        catch (DirectoryNotFoundException) { throw new EastBakeException(ErrorCodes.PathNotFound, "plan file not found", path); }
        return Parse(bytes, path);
    }

    /// <summary>Checks the container (magic, version, length, checksum) without decoding sections.</summary>
    public static void Verify(ReadOnlySpan<byte> bytes, string? file = null)
    {
        if (bytes.Length < PlanFormat.Magic.Length || !bytes[..PlanFormat.Magic.Length].SequenceEqual(PlanFormat.Magic))
            throw new EastBakeException(ErrorCodes.PlanBadMagic, "not an EastBake plan (bad magic)", file);
        if (bytes.Length < PlanFormat.HeaderSize + PlanFormat.ChecksumSize)
            throw new EastBakeException(ErrorCodes.PlanTruncated, $"plan is truncated ({bytes.Length} bytes)", file);
        var major = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
        var minor = BinaryPrimitives.ReadUInt16LittleEndian(bytes[10..]);
        if (major != PlanFormat.MajorVersion)
            throw new EastBakeException(ErrorCodes.PlanBadVersion,
                $"plan format {major}.{minor} is not supported by this runtime (reads {PlanFormat.MajorVersion}.x); rebake the model", file);
        var total = BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]);
        if (total != bytes.Length)
            throw new EastBakeException(total > bytes.Length ? ErrorCodes.PlanTruncated : ErrorCodes.PlanMalformed,
                total > bytes.Length ? $"plan is truncated: {bytes.Length} of {total} bytes" : $"plan has {bytes.Length - total} trailing bytes", file);
        var body = bytes[..^PlanFormat.ChecksumSize];
        Span<byte> hash = stackalloc byte[PlanFormat.ChecksumSize];
        SHA256.HashData(body, hash);
        if (!hash.SequenceEqual(bytes[^PlanFormat.ChecksumSize..]))
            throw new EastBakeException(ErrorCodes.PlanChecksum, "plan checksum mismatch: the file is corrupt", file);
    }

    /// <summary>True when the file exists and passes <see cref="Verify"/> (used by incremental builds).</summary>
    public static bool IsValid(string path)
    {
        try
        {
            Verify(File.ReadAllBytes(path), path);
            return true;
        }
        catch (Exception e) when (e is EastBakeException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static Plan Parse(byte[] bytes, string? file = null)
    {
        Verify(bytes, file);
        var sectionCount = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        var r = new PlanBinaryReader(bytes, PlanFormat.HeaderSize, bytes.Length - PlanFormat.ChecksumSize, file);
        Dictionary<string, string>? meta = null;
        var segments = new List<PlanSegment>();
        Calibration.CalibrationTable? calibration = null;
        for (var i = 0; i < sectionCount; i++)
        {
            var tag = r.ReadUInt32();
            var length = r.ReadInt64();
            var section = r.Sub(length);
            switch (tag)
            {
                case PlanFormat.TagMeta:
                    meta = DecodeMeta(section);
                    break;
                case PlanFormat.TagSegment:
                    segments.Add(DecodeSegment(section));
                    break;
                case PlanFormat.TagCalibration:
                    calibration = CalibrationSection.Decode(section);
                    break;
                default:
                    break; // unknown sections come from newer minor versions: skipped by design
            }
        }
        if (!r.AtEnd) throw r.Malformed("bytes after the last section");
        if (meta is null) throw r.Malformed("no META section");

        string Need(string key) => meta.TryGetValue(key, out var v) ? v : throw r.Malformed($"META lacks '{key}'");
        if (!Enum.TryParse<Precision>(Need(PlanKeys.Precision), out var precision)) throw r.Malformed("unknown precision");
        ShapeProfile profile;
        try { profile = ProfileText.Parse(Need(PlanKeys.Profile)); }
        catch (EastBakeException e) { throw r.Malformed(e.Message); }
        return new Plan
        {
            EastBakeVersion = Need(PlanKeys.Version),
            ModelHash = Need(PlanKeys.ModelHash),
            Precision = precision,
            Profile = profile,
            Target = new PlanTarget(Need(PlanKeys.TargetBackend), Need(PlanKeys.TargetArch)),
            InputName = Need(PlanKeys.Input),
            OutputNames = Need(PlanKeys.Outputs).Split(';'),
            Metadata = meta.Where(kv => kv.Key.StartsWith(PlanKeys.MetadataPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[PlanKeys.MetadataPrefix.Length..], kv => kv.Value),
            Segments = segments,
            Calibration = calibration,
        };
    }

    private static Dictionary<string, string> DecodeMeta(PlanBinaryReader r)
    {
        var list = r.ReadStrings();
        if (list.Length % 2 != 0) throw r.Malformed("META has an odd number of strings");
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Length; i += 2) d[list[i]] = list[i + 1];
        return d;
    }

    private static PlanSegment DecodeSegment(PlanBinaryReader r)
    {
        var id = r.ReadInt32();
        var group = r.ReadInt32();
        var engine = r.ReadString();
        var arch = r.ReadString();
        var inputs = r.ReadStrings();
        var outputs = r.ReadStrings();
        var props = r.ReadStrings();
        if (props.Length % 2 != 0) throw r.Malformed("segment properties are not pairs");
        var payload = r.ReadBytes();
        if (!r.AtEnd) throw r.Malformed($"segment {id} has trailing bytes");
        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < props.Length; i += 2) dict[props[i]] = props[i + 1];
        return new PlanSegment
        {
            Id = id, Group = group, Engine = engine, Architecture = arch,
            Inputs = inputs, Outputs = outputs, Properties = dict, Payload = payload,
        };
    }
}

/// <summary>Bounds-checked reader over a byte range; every overrun is EB4008.</summary>
internal sealed class PlanBinaryReader
{
    private readonly byte[] _b;
    private readonly string? _file;
    private readonly int _end;
    private int _pos;

    public PlanBinaryReader(byte[] bytes, int start, int end, string? file)
    {
        _b = bytes;
        _pos = start;
        _end = end;
        _file = file;
    }

    public bool AtEnd => _pos == _end;

    public EastBakeException Malformed(string why) => new(ErrorCodes.PlanMalformed, $"malformed plan: {why}", _file);

    private ReadOnlySpan<byte> Take(long n)
    {
        if (n < 0 || n > _end - _pos) throw Malformed($"a field of {n} bytes runs past its section");
        var s = _b.AsSpan(_pos, (int)n);
        _pos += (int)n;
        return s;
    }

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public string ReadString()
    {
        var n = ReadInt32();
        try { return new UTF8Encoding(false, true).GetString(Take(n)); }
        catch (DecoderFallbackException) { throw Malformed("a string is not valid UTF-8"); }
    }

    public string[] ReadStrings()
    {
        var n = ReadInt32();
        if (n < 0 || n > (_end - _pos) / 4) throw Malformed($"bad string count {n}");
        var a = new string[n];
        for (var i = 0; i < n; i++) a[i] = ReadString();
        return a;
    }

    public byte[] ReadBytes() => Take(ReadInt64()).ToArray();

    public PlanBinaryReader Sub(long length)
    {
        if (length < 0 || length > _end - _pos) throw Malformed($"a section of {length} bytes runs past the file");
        var r = new PlanBinaryReader(_b, _pos, _pos + (int)length, _file);
        _pos += (int)length;
        return r;
    }
}
