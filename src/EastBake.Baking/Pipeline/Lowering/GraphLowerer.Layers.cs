using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;
using EastBake.Runtime.Engine;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>Pooling, resize, add, split, concat and constant arithmetic.</summary>
internal sealed partial class GraphLowerer
{
    private void LowerPool(Node n)
    {
        var x = Act(n.Inputs[0], n);
        var (sh, sw) = Window(n);
        var (kh, kw) = NodeAttributes.SpatialPair(n, Attr.KSize, 1);
        var scale = _scales.Of(n.Output, n);
        var pads = WindowPadding.Resolve(n, x.Scale, (int)kh, (int)kw, sh, sw, _profile, File);
        var dst = _concats.For(n.Output, n.Name, x.Channels, scale, count => _b.CanRead(x, count));
        x = _b.Readable(x, dst.Count, n.Name);
        _b.Add(new MaxPoolLayer
        {
            Name = n.Name, Input = x.Ref, Output = dst.Ref, Channels = dst.Count, KernelH = (int)kh, KernelW = (int)kw,
            StrideH = sh, StrideW = sw, PadTop = pads.Top, PadBottom = pads.Bottom, PadLeft = pads.Left, PadRight = pads.Right,
        });
        dst.OnWritten?.Invoke();
        _values[n.Output] = dst.Value;
    }

    private void LowerResize(Node n)
    {
        if (NodeAttributes.Bool(n, Attr.AlignCorners, false) || NodeAttributes.Bool(n, Attr.HalfPixelCenters, false))
            throw Unsupported(n, "uses align_corners or half_pixel_centers (only TF's legacy sampling is implemented)");
        var x = Act(n.Inputs[0], n);
        var scale = _scales.Of(n.Output, n);
        var dst = _concats.For(n.Output, n.Name, x.Channels, scale, count => _b.CanRead(x, count));
        x = _b.Readable(x, dst.Count, n.Name);
        _b.Add(new ResizeBilinearLayer { Name = n.Name, Input = x.Ref, Output = dst.Ref, Channels = dst.Count });
        dst.OnWritten?.Invoke();
        _values[n.Output] = dst.Value;
    }

    private void LowerAdd(Node n)
    {
        var a = Act(n.Inputs[0], n);
        var b = Act(n.Inputs[1], n);
        if (a.Scale != b.Scale || a.Channels != b.Channels)
            throw Unsupported(n, $"adds tensors of different shapes ({n.Inputs[0].Shape} and {n.Inputs[1].Shape}); broadcasting is not implemented");
        bool relu = n.Get<string?>(Attr.Activation, null) switch
        {
            null => false,
            Ops.Relu => true,
            var other => throw Unsupported(n, $"has fused activation {other}"),
        };
        var dst = _concats.For(n.Output, n.Name, a.Channels, a.Scale, count => _b.CanRead(a, count) && _b.CanRead(b, count));
        a = _b.Readable(a, dst.Count, n.Name + "/a");
        b = _b.Readable(b, dst.Count, n.Name + "/b");
        _b.Add(new AddLayer { Name = n.Name, A = a.Ref, B = b.Ref, Output = dst.Ref, Channels = dst.Count, Relu = relu });
        dst.OnWritten?.Invoke();
        _values[n.Output] = dst.Value;
    }

    private void LowerSplit(Node n)
    {
        if (n.Inputs.Count != 2 || !InputMeanMatcher.IsChannelAxis(n.Inputs[0])) throw Unsupported(n, "splits along an axis other than channels");
        var x = Act(n.Inputs[1], n);
        int k = n.Outputs.Count;
        if (x.Channels % k != 0) throw Unsupported(n, $"splits {x.Channels} channels into {k} parts");
        int c = x.Channels / k;
        for (int i = 0; i < k; i++)
            _values[n.Outputs[i]] = new ActValue(x.Ref with { ChannelOffset = x.Ref.ChannelOffset + i * c }, c,
                i == k - 1 ? c + x.Readable - x.Channels : c, x.Scale);
    }

    private void LowerConcat(Node n)
    {
        if (!InputMeanMatcher.IsChannelAxis(n.Inputs[^1])) throw Unsupported(n, "concatenates along an axis other than channels");
        var scale = _scales.Of(n.Output, n);
        var inputs = n.Inputs.Take(n.Inputs.Count - 1).Select(v => Act(v, n)).ToList();
        if (inputs.Any(i => i.Scale != scale)) throw Unsupported(n, "concatenates tensors of different spatial sizes");
        if (!_concats.IsPlanned(n)) _concats.Plan(n, n.Inputs.Take(inputs.Count).Select((v, i) => (v, inputs[i].Channels)).ToList());
        _values[n.Output] = _concats.Complete(n, inputs, scale);
    }

    private void LowerPointwise(Node n)
    {
        var data = n.Op is Ops.Relu or Ops.Sigmoid || Ops.IsFusedBatchNorm(n.Op) ? n.Inputs[0]
            : n.Inputs.FirstOrDefault(i => GraphIndex.ConstOf(i) is null) ?? n.Inputs[0];
        var input = Get(data, n);
        int channels = input is ActValue a ? a.Channels : ((PointwiseValue)input).Source.Channels;
        if (!PointwiseOps.TryParse(n, channels, out _, out var steps, out var why)) throw Unsupported(n, why);
        var p = input as PointwiseValue ?? PointwiseValue.Identity((ActValue)input);
        foreach (var step in steps)
        {
            switch (step)
            {
                case AffineOp op:
                    p = p.ThenAffine(op.A, op.C);
                    break;
                case ActivationOp op when p.IsIdentity:
                    p = p with { Activation = op.Activation };
                    break;
                case ActivationOp op:
                    var m = _b.Materialize(p, _b.Fresh(n.Name + "/pre", channels, p.Source.Scale), n.Name + "/pre");
                    p = PointwiseValue.Identity(m) with { Activation = op.Activation };
                    break;
            }
        }
        // Keep composing while the only reader is more constant arithmetic; otherwise emit here (into a concat slice if it feeds one).
        if (_g.SoleReader(n.Output) is { } next && PointwiseOps.IsCandidate(next)) _values[n.Output] = p;
        else _values[n.Output] = _b.Materialize(p, _concats.For(n.Output, n.Name, channels, p.Source.Scale, count => _b.CanRead(p.Source, count)), n.Name);
    }
}
