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
internal sealed partial class GraphLowerer
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
}
