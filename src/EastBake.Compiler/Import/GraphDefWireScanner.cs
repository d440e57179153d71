using EastBake.Compiler.Protos.Tf;

namespace EastBake.Compiler.Import;

/// <summary>
/// Walks the top-level fields of a binary GraphDef without parsing them, to tell a file cut short
/// (a node field running past the end) from bytes that are not a GraphDef at all.
/// </summary>
internal static class GraphDefWireScanner
{
    public enum Verdict { Intact, Truncated, NotGraphDef }

    public sealed record Result(Verdict Verdict, int CompleteNodes, string? LastCompleteNode, long StoppedAt, string? CutNode = null);

    public static Result Scan(ReadOnlySpan<byte> data)
    {
        var pos = 0;
        var complete = 0;
        string? last = null;
        while (pos < data.Length)
        {
            var fieldStart = pos;
            if (!TryVarint(data, ref pos, out var tag)) return Cut(complete, last, fieldStart);
            var field = tag >> 3;
            var wire = (int)(tag & 7);
            // GraphDef: node = 1 (LEN), library = 2 (LEN), version = 3 (VARINT), versions = 4 (LEN).
            var expected = field switch { 1 or 2 or 4 => 2, 3 => 0, _ => -1 };
            if (wire != expected) return new Result(Verdict.NotGraphDef, complete, last, fieldStart);
            if (!TryVarint(data, ref pos, out var len)) return Cut(complete, last, fieldStart);
            if (wire == 0) continue;
            if (len > (ulong)(data.Length - pos))
                return complete > 0 || (field == 1 && LooksLikeNodeStart(data[pos..]))
                    ? new Result(Verdict.Truncated, complete, last, fieldStart, NameAtStart(data[pos..]))
                    : new Result(Verdict.NotGraphDef, complete, last, fieldStart);
            if (field == 1)
            {
                try
                {
                    last = NodeDef.Parser.ParseFrom(data.Slice(pos, (int)len)).Name;
                    complete++;
                }
                catch (Google.Protobuf.InvalidProtocolBufferException)
                {
                    return new Result(Verdict.NotGraphDef, complete, last, fieldStart);
                }
            }
            pos += (int)len;
        }
        return new Result(Verdict.Intact, complete, last, data.Length);
    }

    private static Result Cut(int complete, string? last, int at) =>
        new(complete > 0 ? Verdict.Truncated : Verdict.NotGraphDef, complete, last, at);

    /// <summary>A NodeDef starts with its name: field 1, LEN, printable text.</summary>
    private static bool LooksLikeNodeStart(ReadOnlySpan<byte> d) => NameAtStart(d) is not null;

    /// <summary>The name a (possibly cut) NodeDef starts with, when it is there in full.</summary>
    private static string? NameAtStart(ReadOnlySpan<byte> d)
    {
        var p = 0;
        if (!TryVarint(d, ref p, out var tag) || tag != 0x0A || !TryVarint(d, ref p, out var len) || len == 0
            || len > 4096 || len > (ulong)(d.Length - p))
            return null;
        var name = d.Slice(p, (int)len);
        foreach (var b in name) if (b < 0x20 || b > 0x7E) return null;
        return System.Text.Encoding.ASCII.GetString(name);
    }

    private static bool TryVarint(ReadOnlySpan<byte> d, ref int pos, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= d.Length) return false;
            var b = d[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
