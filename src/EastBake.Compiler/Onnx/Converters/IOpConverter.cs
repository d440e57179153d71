using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>Exports one family of IR ops: reads inputs through the context, writes ONNX nodes, records outputs.</summary>
public interface IOpConverter
{
    IReadOnlyCollection<string> Ops { get; }
    void Convert(Node node, ExportContext ctx);
}
