using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;
using EastBake.Runtime.Engine;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>Convolutions: plain, with a fused residual join, and EAST's merged heads.</summary>
internal sealed partial class GraphLowerer
{
    private (float[] Filter, int KH, int KW, int Cin, int Cout, float[]? Bias) ConvWeights(Node n)
    {
        if (n.Inputs.Count is < 2 or > 3 || GraphIndex.ConstOf(n.Inputs[1]) is not { Floats: { } f, Shape: [var kh, var kw, var cin, var cout] })
            throw Unsupported(n, "needs a constant HWIO filter");
        float[]? bias = null;
        if (n.Inputs.Count == 3)
            bias = GraphIndex.ConstOf(n.Inputs[2]) is { Floats: { } b } && b.Length == cout ? b
                : throw Unsupported(n, $"needs a constant bias of {cout} values");
        return (f, (int)kh, (int)kw, (int)cin, (int)cout, bias);
    }

    private (int SH, int SW) Window(Node n)
    {
        if (NodeAttributes.String(n, Attr.DataFormat, "NHWC") != "NHWC") throw Unsupported(n, "is not NHWC");
        if (NodeAttributes.SpatialPair(n, Attr.Dilations, 1) != (1, 1)) throw Unsupported(n, "is dilated");
        var (sh, sw) = NodeAttributes.SpatialPair(n, Attr.Strides, 1);
        return ((int)sh, (int)sw);
    }

    private static float[] Padded(float[] hwio, int taps, int cin, int cout, int inCh, int outCh, int outOffset = 0, float[]? into = null)
    {
        var w = into ?? new float[taps * inCh * outCh];
        for (int t = 0; t < taps; t++)
            for (int i = 0; i < cin; i++)
                for (int o = 0; o < cout; o++)
                    w[(t * inCh + i) * outCh + outOffset + o] = hwio[(t * cin + i) * cout + o];
        return w;
    }

    private static float[]? PaddedBias(float[]? bias, int count) => bias is null ? null : [.. bias, .. new float[count - bias.Length]];

    private void LowerConv(Node n)
    {
        if (_heads.TryGetValue(n, out var head))
        {
            LowerHead(head);
            return;
        }
        var x = Act(n.Inputs[0], n);
        var (filter, kh, kw, cin, cout, bias) = ConvWeights(n);
        if (cin != x.Channels) throw Unsupported(n, $"filter expects {cin} input channels, the input has {x.Channels}");
        var (sh, sw) = Window(n);
        var act = n.Get<string?>(Attr.Activation, null) switch
        {
            null => EngineActivation.None,
            Ops.Relu => EngineActivation.Relu,
            var other => throw Unsupported(n, $"has fused activation {other}"),
        };
        var scale = _scales.Of(n.Output, n);
        var pads = WindowPadding.Resolve(n, x.Scale, kh, kw, sh, sw, _profile, File);

        // Residual join: Add(conv, r) [+ReLU] becomes the conv's residual and activation.
        Value produced = n.Output;
        ActValue? residual = null;
        Node? add = null;
        if (_o.FuseResidual && act == EngineActivation.None && _g.SoleReader(n.Output) is { } r && Ops.IsAdd(r.Op) && r.Inputs.Count == 2)
        {
            var other = r.Inputs[0] == n.Output ? r.Inputs[1] : r.Inputs[0];
            var addAct = r.Get<string?>(Attr.Activation, null);
            if (other != n.Output && _values.ContainsKey(other) && addAct is null or Ops.Relu && Act(other, r) is var res &&
                res.Scale == scale && res.Channels == cout && _b.CanRead(res, _b.Align(cout)))
            {
                (add, residual, produced) = (r, res, r.Output);
                act = addAct is null ? EngineActivation.None : EngineActivation.Relu;
            }
        }
        var dst = _concats.For(produced, produced.Producer.Name, cout, scale, count => residual is null || _b.CanRead(residual, count));
        if (residual is not null) residual = _b.Readable(residual, dst.Count, add!.Name);
        int inCh = InputCount(x);
        _b.Add(new Conv2DLayer
        {
            Name = add is null ? n.Name : $"{n.Name}+{add.Name}", Input = x.Ref, Output = dst.Ref, Residual = residual?.Ref,
            Filter = _b.Filter(n.Name + "/filter", Padded(filter, kh * kw, cin, cout, inCh, dst.Count)),
            Bias = PaddedBias(bias, dst.Count) is { } b ? _b.Vector(n.Name + "/bias", b) : -1,
            InChannels = inCh, OutChannels = dst.Count, KernelH = kh, KernelW = kw, StrideH = sh, StrideW = sw,
            PadTop = pads.Top, PadBottom = pads.Bottom, PadLeft = pads.Left, PadRight = pads.Right, Activation = act,
        });
        dst.OnWritten?.Invoke();
        _values[produced] = dst.Value;
        if (add is not null) _done.Add(add);
    }

    /// <summary>The three EAST head convs as one 1×1 conv: channel 0 score, 1..4 distances, 5 angle, then zeros.</summary>
    private void LowerHead(EastHead h)
    {
        if (!_emittedHeads.Add(h)) return;
        var x = Act(h.ScoreConv.Inputs[0], h.ScoreConv);
        var scale = _scales.Of(h.ScoreConv.Output, h.ScoreConv);
        int inCh = InputCount(x);
        var dst = _b.Fresh(h.ScoreConv.Name + "/east_heads", 6, scale);
        var filter = new float[inCh * dst.Count];
        var bias = new float[dst.Count];
        int offset = 0;
        foreach (var conv in h.Convs)
        {
            var (f, _, _, cin, cout, b) = ConvWeights(conv);
            if (cin != x.Channels) throw Unsupported(conv, $"filter expects {cin} input channels, the input has {x.Channels}");
            Padded(f, 1, cin, cout, inCh, dst.Count, offset, filter);
            b?.CopyTo(bias, offset);
            offset += cout;
        }
        _b.Add(new Conv2DLayer
        {
            Name = $"{h.ScoreConv.Name}+{h.DistanceConv.Name}+{h.AngleConv.Name}", Input = x.Ref, Output = dst.Ref,
            Filter = _b.Filter(h.ScoreConv.Name + "/east_heads/filter", filter), Bias = _b.Vector(h.ScoreConv.Name + "/east_heads/bias", bias),
            InChannels = inCh, OutChannels = dst.Count, KernelH = 1, KernelW = 1,
            Activation = EngineActivation.EastHead, TextScale = h.TextScale, AngleScale = h.AngleScale,
        });
        _values[h.Score] = new ActValue(dst.Ref, 1, 1, scale);
        _values[h.Geometry] = new ActValue(dst.Ref with { ChannelOffset = 1 }, 5, dst.Count - 1, scale);
        _done.UnionWith(h.Convs);
    }
}
