namespace EastBake.Compiler.Ir;

/// <summary>Element types the IR carries. Float16 constants are held widened to float.</summary>
public enum ElementType
{
    Float32,
    Float16,
    Int32,
    Int64,
    Bool,
}

public static class ElementTypeExtensions
{
    public static bool IsFloat(this ElementType t) => t is ElementType.Float32 or ElementType.Float16;
    public static bool IsInteger(this ElementType t) => t is ElementType.Int32 or ElementType.Int64;

    public static int ByteSize(this ElementType t) => t switch
    {
        ElementType.Float32 or ElementType.Int32 => 4,
        ElementType.Float16 => 2,
        ElementType.Int64 => 8,
        ElementType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };
}
