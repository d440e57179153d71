using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Tf;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Import;

/// <summary>Maps TensorFlow DataType values onto the IR's element types.</summary>
internal static class TfDataTypes
{
    /// <summary>The IR type, or null when the IR cannot hold it. Reference types map like their value types;
    /// float64 is narrowed to float32 (EAST never needs double precision).</summary>
    public static ElementType? TryMap(DataType t) => (DataType)((int)t >= 100 ? (int)t - 100 : (int)t) switch
    {
        DataType.DtFloat or DataType.DtDouble => ElementType.Float32,
        DataType.DtHalf => ElementType.Float16,
        DataType.DtInt32 => ElementType.Int32,
        DataType.DtInt64 => ElementType.Int64,
        DataType.DtBool => ElementType.Bool,
        _ => null,
    };

    public static ElementType Map(DataType t, string? file, string node, string what) => TryMap(t)
        ?? throw new EastBakeException(ErrorCodes.UnsupportedDataType,
            $"{what} has TensorFlow type {Name(t)}; only float32, float16, int32, int64 and bool are imported", file, node);

    public static string Name(DataType t) => t.ToString() switch
    {
        var s when s.StartsWith("Dt", StringComparison.Ordinal) => "DT_" + s[2..].ToUpperInvariant(),
        var s => s,
    };
}
