using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Import;

/// <summary>A NodeDef input string parsed: <c>n</c>, <c>n:1</c>, or a control dependency <c>^n</c>.</summary>
internal readonly record struct TensorRef(string Node, int Index, bool IsControl)
{
    public static TensorRef Parse(string input)
    {
        if (input.StartsWith('^')) return new TensorRef(input[1..], 0, true);
        var (node, index) = Graph.ParseTensorName(input);
        return new TensorRef(node, index, false);
    }
}
