using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Onnx.Converters;

/// <summary>
/// Add/AddV2/Sub/Mul/RealDiv/Maximum (and TF's Minimum) (with an optional fused activation). Runs channel-first when
/// a 4-D operand already is and every lower-rank operand is a scalar or a constant (re-laid-out
/// to broadcast against NCHW); otherwise in TF's layout, transposing 4-D operands back.
/// </summary>
public sealed class BinaryConverter : IOpConverter
{
    private static readonly Dictionary<string, string> OnnxOp = new()
    {
        [Ir.Ops.Add] = "Add", [Ir.Ops.AddV2] = "Add", [Ir.Ops.Sub] = "Sub",
        [Ir.Ops.Mul] = "Mul", [Ir.Ops.RealDiv] = "Div", [Ir.Ops.Maximum] = "Max", ["Minimum"] = "Min",
    };

    public IReadOnlyCollection<string> Ops => OnnxOp.Keys;

    public void Convert(Node node, ExportContext ctx)
    {
        var a = node.Inputs[0];
        var b = node.Inputs[1];
        var ra = ctx.Rank(a);
        var rb = ctx.Rank(b);
        var outRank = ra < 0 || rb < 0 ? -1 : Math.Max(ra, rb);
        var nchw = outRank == 4 && (ctx.IsNchw(a) || ctx.IsNchw(b)) && CanBroadcastNchw(a, ra) && CanBroadcastNchw(b, rb);
        var inputs = nchw ? [Operand(ctx, a, ra), Operand(ctx, b, rb)]
            : new[] { ctx.Input(a, Layout.Tf), ctx.Input(b, Layout.Tf) };
        var (output, finish) = Activations.Fused(ctx, node);
        ctx.AddNode(OnnxOp[node.Op], node.Name, inputs, [output]);
        finish();
        ctx.Set(node.Output, node.Output.Name, nchw ? Layout.Nchw : Layout.Tf, outRank);
    }

    private static bool CanBroadcastNchw(Value v, int rank) => rank is 0 or 4 || ExportContext.ConstOf(v) is not null;

    private static string Operand(ExportContext ctx, Value v, int rank) => rank switch
    {
        4 => ctx.Input(v, Layout.Nchw),
        0 => ctx.Get(v).Name,
        _ => Broadcast.ConstToNchw(ctx, v, ExportContext.ConstOf(v)!),
    };
}
