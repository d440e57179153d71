using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>Lower-rank operands broadcast against channel-first 4-D tensors.</summary>
internal static class Broadcast
{
    /// <summary>A [C] vector as [C,1,1] (constant reshaped, otherwise Unsqueeze).</summary>
    public static string PerChannel(ExportContext ctx, Value v)
    {
        if (ExportContext.ConstOf(v) is { Rank: 1 } t)
            return ctx.Initializer(v.Name + "/c11", OnnxTensors.Reshape(t, [t.Shape[0], 1, 1]));
        var name = ctx.Fresh(v.Name + "/c11");
        ctx.AddNode("Unsqueeze", name, [ctx.Get(v).Name, ctx.Int64Vector(1, 2)], [name]);
        return name;
    }

    /// <summary>
    /// A constant of rank below 4, broadcast NumPy-style against an NHWC tensor, rewritten to
    /// broadcast the same way against the NCHW form: left-pad to rank 4, permute to NCHW, then
    /// drop the leading 1s ([C] → [C,1,1], [W,C] → [C,1,W]).
    /// </summary>
    public static string ConstToNchw(ExportContext ctx, Value v, Tensor t)
    {
        var padded = Enumerable.Repeat(1L, 4 - t.Rank).Concat(t.Shape).ToArray();
        var nchw = OnnxTensors.Transpose(OnnxTensors.Reshape(t, padded), LayoutAxes.ToNchw);
        var lead = 0;
        while (lead < 4 - t.Rank && nchw.Shape[lead] == 1) lead++;
        return ctx.Initializer(v.Name + "/nchw", OnnxTensors.Reshape(nchw, nchw.Shape[lead..]));
    }
}
