using EastBake.Compiler.Import.Text;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;
using Google.Protobuf;

namespace EastBake.Compiler.Import;

/// <summary>
/// Reads a GraphDef file, binary or text format, and turns every way it can be broken into one
/// coded error: empty (EB1002), not a GraphDef (EB1003), cut short (EB1004, naming the last
/// complete node), text that does not parse (EB1005, with the line).
/// </summary>
public static class GraphDefReader
{
    public static GraphDef Read(string path)
    {
        if (!File.Exists(path))
            throw new EastBakeException(ErrorCodes.ModelNotFound, "model file not found", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0)
            throw new EastBakeException(ErrorCodes.ModelEmpty, "model file is empty (0 bytes)", path);
        return LooksLikeText(bytes) ? ParseText(bytes, path) : ParseBinary(bytes, path);
    }

    public static GraphDef ParseBinary(byte[] bytes, string? path)
    {
        var scan = GraphDefWireScanner.Scan(bytes);
        if (scan.Verdict == GraphDefWireScanner.Verdict.Truncated)
            throw new EastBakeException(ErrorCodes.ModelTruncated,
                $"the GraphDef is truncated: the file ends after {bytes.Length} bytes, inside " +
                (scan.CutNode is null ? $"the node starting at byte {scan.StoppedAt}" : $"node '{scan.CutNode}'") + "; " +
                $"{scan.CompleteNodes} complete nodes, the last complete one is '{scan.LastCompleteNode}'",
                path, scan.LastCompleteNode);
        if (scan.Verdict == GraphDefWireScanner.Verdict.NotGraphDef)
            throw NotGraphDef(path, $"byte {scan.StoppedAt} does not start a GraphDef field", null);
        GraphDef def;
        try
        {
            def = GraphDef.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw NotGraphDef(path, e.Message, e);
        }
        if (def.Node.Count == 0 || def.Node.Any(n => n.Op.Length == 0))
            throw new EastBakeException(ErrorCodes.ModelNotGraphDef,
                "not a TensorFlow GraphDef (it decodes to no nodes, or to nodes without an op)", path);
        return def;
    }

    private static EastBakeException NotGraphDef(string? path, string why, Exception? inner) =>
        new(ErrorCodes.ModelNotGraphDef, $"not a TensorFlow GraphDef (protobuf decoding failed: {why})", path, inner: inner);

    public static GraphDef ParseText(byte[] bytes, string? path)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        try
        {
            var def = new GraphDef();
            new TextFormatParser(text).Merge(def);
            return def;
        }
        catch (TextFormatException e)
        {
            throw new EastBakeException(ErrorCodes.ModelIsText,
                $"text-format GraphDef does not parse: {e.Message}", path, line: e.Line, inner: e);
        }
    }

    /// <summary>Text-format GraphDefs are printable text; binary ones start with a field tag byte.</summary>
    private static bool LooksLikeText(byte[] bytes)
    {
        var n = Math.Min(bytes.Length, 4096);
        for (var i = 0; i < n; i++)
        {
            var b = bytes[i];
            if (b < 0x20 && b is not (byte)'\n' and not (byte)'\r' and not (byte)'\t') return false;
            if (b == 0x7F) return false;
        }
        return true;
    }
}
