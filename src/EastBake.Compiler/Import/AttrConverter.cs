using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Tf;

namespace EastBake.Compiler.Import;

/// <summary>
/// Converts TF AttrValues to IR attribute objects: i → long, f → float, b → bool, s → string,
/// type → ElementType, shape → Ir.Shape (-1 → unknown dim), tensor → Tensor, and lists to arrays
/// of those (an empty list becomes an empty long[]). Function and placeholder attrs are dropped.
/// </summary>
internal static class AttrConverter
{
    public static object? Convert(AttrValue a, string? file, string node, string name) => a.ValueCase switch
    {
        AttrValue.ValueOneofCase.I => a.I,
        AttrValue.ValueOneofCase.F => a.F,
        AttrValue.ValueOneofCase.B => a.B,
        AttrValue.ValueOneofCase.S => a.S.ToStringUtf8(),
        AttrValue.ValueOneofCase.Type => TfDataTypes.Map(a.Type, file, node, $"attribute '{name}'"),
        AttrValue.ValueOneofCase.Shape => ToShape(a.Shape),
        AttrValue.ValueOneofCase.Tensor => TensorProtoConverter.Convert(a.Tensor, file, node),
        AttrValue.ValueOneofCase.List => ConvertList(a.List, file, node, name),
        _ => null,
    };

    public static Shape ToShape(TensorShapeProto s) => s.UnknownRank
        ? Shape.UnknownRank
        : new Shape(s.Dim.Select(d => d.Size < 0 ? Dim.Unknown : Dim.Known(d.Size)));

    private static object ConvertList(AttrValue.Types.ListValue l, string? file, string node, string name)
    {
        if (l.I.Count > 0) return l.I.ToArray();
        if (l.F.Count > 0) return l.F.ToArray();
        if (l.B.Count > 0) return l.B.ToArray();
        if (l.S.Count > 0) return l.S.Select(s => s.ToStringUtf8()).ToArray();
        if (l.Type.Count > 0) return l.Type.Select(t => TfDataTypes.Map(t, file, node, $"attribute '{name}'")).ToArray();
        if (l.Shape.Count > 0) return l.Shape.Select(ToShape).ToArray();
        if (l.Tensor.Count > 0) return l.Tensor.Select(t => TensorProtoConverter.Convert(t, file, node)).ToArray();
        return Array.Empty<long>();
    }
}
