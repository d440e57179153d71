using EastBake.Compiler.Ir;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>
/// Walks an optimized segment in topological order and emits engine layers. Patterns found up
/// front (input mean, EAST heads, concat slices) decide where producers write; residual adds are
/// fused when their conv is reached; constant arithmetic composes lazily into scale-shift layers.
/// </summary>
internal sealed class GraphLowerer
{
    private readonly Graph _graph;
    private readonly GraphIndex _g;
    private readonly LoweringOptions _o;
    private readonly ShapeProfile _profile;
    private readonly EngineDataType _type;
    private readonly Dictionary<Value, Lowered> _values = [];
    private readonly HashSet<Node> _done = [];
    private readonly Dictionary<Node, EastHead> _heads = [];
    private readonly HashSet<EastHead> _emittedHeads = [];
    private ProgramBuilder _b = null!;
    private ScaleResolver _scales = null!;
    private ConcatTargets _concats = null!;

    public GraphLowerer(Graph graph, EngineDataType type, ShapeProfile profile, LoweringOptions options)
    {
        graph.TopologicalSort();
        _graph = graph;
        _g = new GraphIndex(graph);
        _o = options;
        _profile = profile;
        _type = type;
    }

    private string? File => _graph.SourceFile;

    public EngineProgram Run()
    {
        var input = LowerInput();
        PlanPatterns();
        foreach (var node in _graph.Nodes)
            if (!_done.Contains(node) && node.Outputs.All(v => v != input)) Lower(node);
        if (_graph.Outputs.Count == 0) throw Unsupported(_graph.Nodes[^1], "the segment has no outputs");
        foreach (var v in _graph.Outputs)
        {
            var a = Act(v, v.Producer);
            _b.Program.Outputs.Add(new EngineOutput(v.Name, a.Ref, a.Channels));
        }
        return _b.Program;
    }

    private Value LowerInput()
    {
        if (_graph.Inputs.Count != 1)
            throw new EastBakeException(ErrorCodes.LoweringUnsupported,
                $"ILGPU lowering: a segment must read exactly one tensor, the image (this one reads {_graph.Inputs.Count}: " +
                $"{string.Join(", ", _graph.Inputs.Select(i => i.Name))})", File);
        var input = _graph.Inputs[0];
        if (!input.Shape.RankKnown || input.Shape.Rank != 4 || !input.Shape[3].IsKnown || !input.Type.IsFloat())
            throw Unsupported(input.Producer, $"the input must be a float NHWC tensor with known channels, is {input.Type}{input.Shape}");
        int channels = (int)input.Shape[3].Value;
        _b = new ProgramBuilder(_profile, channels, _type, _o.ChannelAlignment);
        _scales = new ScaleResolver(_profile, input.Shape, File);
        _concats = new ConcatTargets(_b, _o.ConcatSlices);
        if (_scales.Of(input, input.Producer) != SpatialScale.One)
            throw Unsupported(input.Producer, "the input must be the full-size image");

        var mean = _o.FoldInputMean ? InputMeanMatcher.Match(_g, input, channels) : null;
        var dst = _b.Fresh(input.Producer.Name, channels, SpatialScale.One);
        _b.Add(new InputConvertLayer
        {
            Name = mean is null ? input.Producer.Name : mean.Result.Producer.Name, Output = dst.Ref,
            InputChannels = channels, OutputChannels = dst.Count, Mean = mean?.Mean,
        });
        _values[mean?.Result ?? input] = dst.Value;
        if (mean is not null) _done.UnionWith(mean.Covered);
        return input;
    }

    private void PlanPatterns()
    {
        var concats = _graph.Nodes.Where(n => n.Op == Ops.ConcatV2 && !_done.Contains(n)).ToList();
        if (_o.MergeEastHead)
            foreach (var concat in concats)
            {
                if (EastHeadMatcher.Match(_g, concat) is not { } head || head.Covered.Any(n => _done.Contains(n) || _heads.ContainsKey(n))) continue;
                foreach (var conv in head.Convs) _heads[conv] = head;
                _done.UnionWith(head.Covered.Except(head.Convs));
            }
        foreach (var concat in concats.Where(c => !_done.Contains(c) && InputMeanMatcher.IsChannelAxis(c.Inputs[^1])))
        {
            var inputs = concat.Inputs.Take(concat.Inputs.Count - 1).ToList();
            if (inputs.All(v => v.Shape.RankKnown && v.Shape.Rank == 4 && v.Shape[3].IsKnown))
                _concats.Plan(concat, inputs.Select(v => (v, (int)v.Shape[3].Value)).ToList());
        }
    }

    private void Lower(Node n)
    {
        if (n.Op is Ops.Placeholder or Ops.Const) return;
        if (n.Outputs.All(v => !v.Type.IsFloat())) return; // size arithmetic (Shape → StridedSlice → Mul → Pack): read from scales
        switch (n.Op)
        {
            case Ops.Identity:
                _values[n.Output] = Get(n.Inputs[0], n);
                return;
            case Ops.Cast when n.Inputs[0].Type.IsFloat():
                _values[n.Output] = Get(n.Inputs[0], n);
                return;
            case Ops.Conv2D: LowerConv(n); return;
            case Ops.MaxPool: LowerPool(n); return;
            case Ops.ResizeBilinear: LowerResize(n); return;
            case Ops.ConcatV2: LowerConcat(n); return;
            case Ops.Split: LowerSplit(n); return;
            case Ops.Add or Ops.AddV2 when n.Inputs.Count == 2 && n.Inputs.All(i => GraphIndex.ConstOf(i) is null): LowerAdd(n); return;
        }
        if (PointwiseOps.IsCandidate(n) || n.Op is Ops.Mul or Ops.Sub or Ops.RealDiv) { LowerPointwise(n); return; }
        throw Unsupported(n, "has no ILGPU engine lowering");
    }

    // ---- values ----

    private Lowered Get(Value v, Node reader) => _values.TryGetValue(v, out var l) ? l
        : throw Unsupported(reader, $"reads {v.Name} ({v.Producer.Op}), which the ILGPU engine does not compute");

    /// <summary>The value in engine memory (pending arithmetic is emitted into a fresh tensor, once).</summary>
    private ActValue Act(Value v, Node reader)
    {
        switch (Get(v, reader))
        {
            case ActValue a: return a;
            case PointwiseValue p:
                var m = _b.Materialize(p, _b.Fresh(v.Producer.Name, p.Source.Channels, p.Source.Scale), v.Producer.Name);
                _values[v] = m;
                return m;
            default: throw new InvalidOperationException();
        }
    }

    /// <summary>Input channels a layer reads: the aligned count when zeros are there to read, else the real ones.</summary>
    private int InputCount(ActValue x) => x.Readable >= _b.Align(x.Channels) ? _b.Align(x.Channels) : x.Readable;

    private EastBakeException Unsupported(Node n, string why) =>
        new(ErrorCodes.LoweringUnsupported, $"ILGPU lowering: node '{n.Name}' (op {n.Op}) {why}", File, n.Name);

    // ---- convolutions ----

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

    // ---- other layers ----

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
