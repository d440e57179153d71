namespace EastBake.Compiler.Import.Text;

/// <summary>A protobuf text-format syntax or schema error at a 1-based line.</summary>
public sealed class TextFormatException(string message, int line) : Exception($"line {line}: {message}")
{
    public int Line { get; } = line;
}
