using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Shapes;

/// <summary>
/// Lenient attribute access for shape inference and the reference interpreter: accepts the
/// numeric and list forms an importer or a test may store (int/long, float/double, arrays or
/// lists, string or UTF-8 bytes), and reports a missing required attribute as EB1033.
/// </summary>
internal static class NodeAttributes
{
    public static long Long(Node node, string name, long fallback) =>
        node.Attrs.TryGetValue(name, out var v) ? ToLong(node, name, v) : fallback;

    public static long Long(Node node, string name) =>
        node.Attrs.TryGetValue(name, out var v) ? ToLong(node, name, v) : throw Missing(node, name);

    public static double Double(Node node, string name, double fallback) => node.Attrs.TryGetValue(name, out var v)
        ? v switch
        {
            float f => f,
            double d => d,
            int i => i,
            long l => l,
            _ => throw Bad(node, name, v),
        }
        : fallback;

    public static bool Bool(Node node, string name, bool fallback) =>
        node.Attrs.TryGetValue(name, out var v) ? v is bool b ? b : throw Bad(node, name, v) : fallback;

    public static string String(Node node, string name, string fallback) => node.Attrs.TryGetValue(name, out var v)
        ? v switch
        {
            string s => s,
            byte[] b => System.Text.Encoding.UTF8.GetString(b),
            _ => throw Bad(node, name, v),
        }
        : fallback;

    public static long[]? Longs(Node node, string name) => node.Attrs.TryGetValue(name, out var v)
        ? v switch
        {
            long[] l => l,
            int[] i => Array.ConvertAll(i, x => (long)x),
            IEnumerable<long> e => e.ToArray(),
            IEnumerable<int> e => e.Select(x => (long)x).ToArray(),
            Tensor t when t.Ints is not null => t.Ints,
            _ => throw Bad(node, name, v),
        }
        : null;

    public static ElementType? Type(Node node, string name) =>
        node.Attrs.TryGetValue(name, out var v) && v is ElementType t ? t : null;

    /// <summary>The (H, W) entries of an NHWC 4-vector attribute such as strides or ksize.</summary>
    public static (long H, long W) SpatialPair(Node node, string name, long fallback)
    {
        var v = Longs(node, name);
        if (v is null || v.Length == 0) return (fallback, fallback);
        if (v.Length == 4) return (v[1], v[2]);
        if (v.Length == 2) return (v[0], v[1]);
        if (v.Length == 1) return (v[0], v[0]);
        throw new EastBakeException(ErrorCodes.BadAttribute, $"{node.Op} attribute '{name}' has {v.Length} entries, expected 4", node: node.Name);
    }

    private static long ToLong(Node node, string name, object v) => v switch
    {
        long l => l,
        int i => i,
        short s => s,
        byte b => b,
        _ => throw Bad(node, name, v),
    };

    private static EastBakeException Missing(Node node, string name) =>
        new(ErrorCodes.BadAttribute, $"{node.Op} node needs attribute '{name}'", node: node.Name);

    private static EastBakeException Bad(Node node, string name, object v) =>
        new(ErrorCodes.BadAttribute, $"{node.Op} attribute '{name}' has unexpected type {v.GetType().Name}", node: node.Name);
}
