using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EastBake.Diagnostics;

namespace EastBake.Runtime.Plans;

/// <summary>
/// Serializes a <see cref="Plan"/> deterministically (sorted keys, no timestamps) and writes it
/// atomically: a uniquely named temp file in the target folder, flushed, then renamed over the
/// target, so a killed build never leaves a plan a later build would trust.
/// </summary>
public static class PlanWriter
{
    public static byte[] Serialize(Plan plan)
    {
        using var body = new MemoryStream();
        var sections = new List<(uint Tag, byte[] Data)> { (PlanFormat.TagMeta, EncodeMeta(plan)) };
        sections.AddRange(plan.Segments.Select(s => (PlanFormat.TagSegment, EncodeSegment(s))));
        if (plan.Calibration is { } calibration) sections.Add((PlanFormat.TagCalibration, CalibrationSection.Encode(calibration)));

        var total = PlanFormat.HeaderSize + sections.Sum(s => 12L + s.Data.Length) + PlanFormat.ChecksumSize;
        var header = new byte[PlanFormat.HeaderSize];
        PlanFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), PlanFormat.MajorVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), PlanFormat.MinorVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)sections.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), total);
        body.Write(header);
        Span<byte> sectionHeader = stackalloc byte[12];
        foreach (var (tag, data) in sections)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(sectionHeader, tag);
            BinaryPrimitives.WriteInt64LittleEndian(sectionHeader[4..], data.Length);
            body.Write(sectionHeader);
            body.Write(data);
        }
        body.Write(SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length)));
        return body.ToArray();
    }

    /// <summary>Writes atomically; disk-full or read-only folders give EB4007.</summary>
    public static void Write(Plan plan, string path) => WriteAtomic(path, Serialize(plan));

    /// <summary>Writes bytes to <paramref name="path"/> through a temp file and a rename.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> bytes) => WriteAtomic(path, bytes, null);

    /// <param name="wrapStream">fault-injection seam for tests (e.g. a stream that fails like a full disk)</param>
    internal static void WriteAtomic(string path, ReadOnlySpan<byte> bytes, Func<Stream, Stream>? wrapStream)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var name = Path.GetFileName(full);
        var temp = Path.Combine(dir, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var s = wrapStream?.Invoke(fs) ?? fs)
            {
                s.Write(bytes);
                s.Flush();
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new EastBakeException(ErrorCodes.PlanWriteFailed, $"cannot write the plan: {e.Message}", full, inner: e);
        }
        RemoveStaleTemps(dir, name);
    }

    /// <summary>Temp files of this target left by killed writers (their process is gone); a live writer's are kept.</summary>
    private static void RemoveStaleTemps(string dir, string name)
    {
        foreach (var f in Directory.EnumerateFiles(dir, $".{name}.*.tmp"))
        {
            var parts = Path.GetFileName(f)[(name.Length + 2)..].Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[0], out var pid) || IsRunning(pid)) continue;
            TryDelete(f);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static byte[] EncodeMeta(Plan plan)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [PlanKeys.Version] = plan.EastBakeVersion,
            [PlanKeys.ModelHash] = plan.ModelHash,
            [PlanKeys.Precision] = plan.Precision.ToString(),
            [PlanKeys.Profile] = ProfileText.Format(plan.Profile),
            [PlanKeys.TargetBackend] = plan.Target.Backend,
            [PlanKeys.TargetArch] = plan.Target.Architecture,
            [PlanKeys.Input] = plan.InputName,
            [PlanKeys.Outputs] = string.Join(";", plan.OutputNames),
        };
        foreach (var (k, v) in plan.Metadata) entries[PlanKeys.MetadataPrefix + k] = v;
        var w = new PlanBinaryWriter();
        w.WriteStrings(entries.SelectMany(e => new[] { e.Key, e.Value }).ToArray());
        return w.ToArray();
    }

    private static byte[] EncodeSegment(PlanSegment s)
    {
        var w = new PlanBinaryWriter();
        w.WriteInt32(s.Id);
        w.WriteInt32(s.Group);
        w.WriteString(s.Engine);
        w.WriteString(s.Architecture);
        w.WriteStrings(s.Inputs);
        w.WriteStrings(s.Outputs);
        w.WriteStrings(s.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => new[] { p.Key, p.Value }).ToArray());
        w.WriteBytes(s.Payload);
        return w.ToArray();
    }
}

/// <summary>Keys of the META section.</summary>
internal static class PlanKeys
{
    public const string Version = "eastbake.version";
    public const string ModelHash = "model.hash";
    public const string Precision = "precision";
    public const string Profile = "profile";
    public const string TargetBackend = "target.backend";
    public const string TargetArch = "target.arch";
    public const string Input = "input";
    public const string Outputs = "outputs";
    public const string MetadataPrefix = "meta.";
}

/// <summary>Little-endian primitives with u32-length-prefixed UTF-8 strings.</summary>
internal sealed class PlanBinaryWriter
{
    private readonly MemoryStream _s = new();

    public void WriteInt32(int v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, v);
        _s.Write(b);
    }

    public void WriteInt64(long v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        _s.Write(b);
    }

    public void WriteString(string v)
    {
        var bytes = Encoding.UTF8.GetBytes(v);
        WriteInt32(bytes.Length);
        _s.Write(bytes);
    }

    public void WriteStrings(IReadOnlyList<string> values)
    {
        WriteInt32(values.Count);
        foreach (var v in values) WriteString(v);
    }

    public void WriteBytes(byte[] v)
    {
        WriteInt64(v.LongLength);
        _s.Write(v);
    }

    public byte[] ToArray() => _s.ToArray();
}

/// <summary>Text form of a <see cref="ShapeProfile"/>: <c>704x1280</c> or <c>min:…;opt:…;max:…</c> (each <c>[N x]H x W</c>).</summary>
public static class ProfileText
{
    public static string Format(ShapeProfile p) =>
        $"min:{p.MinBatch}x{p.MinHeight}x{p.MinWidth};opt:{p.OptBatch}x{p.OptHeight}x{p.OptWidth};max:{p.MaxBatch}x{p.MaxHeight}x{p.MaxWidth}";

    /// <summary>Parses an InputShape string; sides must be positive multiples of 32 (EB2004 otherwise).</summary>
    public static ShapeProfile Parse(string text, string? file = null)
    {
        EastBakeException Bad(string why) => new(ErrorCodes.BadInputShape,
            $"bad InputShape '{text}': {why} (expected e.g. 704x1280, 1x704x1280 or min:1x320x320;opt:1x704x1280;max:1x1280x1280)", file);
        (int N, int H, int W) One(string s)
        {
            var parts = s.Trim().Split('x', 'X', '×');
            if (parts.Length is < 2 or > 3) throw Bad($"'{s}' is not HxW or NxHxW");
            var v = new int[parts.Length];
            for (var i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out v[i]) || v[i] <= 0)
                    throw Bad($"'{parts[i]}' is not a positive integer");
            var (n, h, w) = parts.Length == 3 ? (v[0], v[1], v[2]) : (1, v[0], v[1]);
            if (h % 32 != 0 || w % 32 != 0) throw Bad($"{h}x{w}: height and width must be multiples of 32");
            return (n, h, w);
        }
        if (string.IsNullOrWhiteSpace(text)) throw Bad("empty");
        if (!text.Contains(':'))
        {
            var (n, h, w) = One(text);
            return ShapeProfile.Fixed(h, w, n);
        }
        var map = new Dictionary<string, (int, int, int)>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split(':', 2);
            if (kv.Length != 2 || kv[0].Trim() is not ("min" or "opt" or "max")) throw Bad($"'{part}' is not min:/opt:/max:");
            map[kv[0].Trim()] = One(kv[1]);
        }
        if (!map.TryGetValue("opt", out var opt)) throw Bad("opt: is required");
        var min = map.GetValueOrDefault("min", opt);
        var max = map.GetValueOrDefault("max", opt);
        if (min.Item1 > opt.Item1 || opt.Item1 > max.Item1 || min.Item2 > opt.Item2 || opt.Item2 > max.Item2 ||
            min.Item3 > opt.Item3 || opt.Item3 > max.Item3)
            throw Bad("min ≤ opt ≤ max must hold for batch, height and width");
        return new ShapeProfile(min.Item1, opt.Item1, max.Item1, min.Item2, opt.Item2, max.Item2, min.Item3, opt.Item3, max.Item3);
    }
}
