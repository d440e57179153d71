using EastBake.Compiler.Protos.Tf;
using Google.Protobuf;

namespace EastBake.ModelGenerator.Graph;

/// <summary>AttrValue shorthands.</summary>
public static class Attr
{
    public static AttrValue Type(DataType t) => new() { Type = t };
    public static AttrValue Float => Type(DataType.DtFloat);
    public static AttrValue Int32 => Type(DataType.DtInt32);
    public static AttrValue I(long v) => new() { I = v };
    public static AttrValue F(float v) => new() { F = v };
    public static AttrValue B(bool v) => new() { B = v };
    public static AttrValue S(string v) => new() { S = ByteString.CopyFromUtf8(v) };
    public static AttrValue Shape(TensorShapeProto s) => new() { Shape = s };
    public static AttrValue Tensor(TensorProto t) => new() { Tensor = t };
    public static AttrValue Nhwc => S("NHWC");

    public static AttrValue Ints(params long[] v)
    {
        var l = new AttrValue.Types.ListValue();
        l.I.Add(v);
        return new AttrValue { List = l };
    }

    public static AttrValue Strings(params string[] v)
    {
        var l = new AttrValue.Types.ListValue();
        foreach (var s in v) l.S.Add(ByteString.CopyFromUtf8(s));
        return new AttrValue { List = l };
    }

    public static AttrValue Types(IEnumerable<DataType> v)
    {
        var l = new AttrValue.Types.ListValue();
        l.Type.Add(v);
        return new AttrValue { List = l };
    }
}
