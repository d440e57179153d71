using System.Text.RegularExpressions;
using EastBake.Baking.Partitioning;
using EastBake.Baking.Pipeline;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Optimizer;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Compiler.Shapes;
using EastBake.ModelGenerator;
using EastBake.Runtime.Plans;
using EastBake.Tests.TestSupport;
using EastBake.Tool.Html;

namespace EastBake.Tests.Tool;

/// <summary>
/// <c>east-bake inspect --html</c> pages opened in real headless Chromium: after the page's
/// script ran, the DOM must hold one node element per graph node, coloured by the segment the
/// partitioner (run here directly) put it in, and one legend entry per segment.
/// </summary>
public sealed class InspectHtmlTests : IDisposable
{
    private static readonly Regex NodeElement = new(@"<g class=""node( host)?"" data-group=""(-?\d+)""", RegexOptions.Compiled);
    private readonly string _dir = Directory.CreateTempSubdirectory("eastbake-html-").FullName;

    [ChromiumFact]
    public void ModelPageDrawsEveryNodeInItsSegment()
    {
        var model = Path.Combine(_dir, "east.pb");
        EastModelGenerator.WriteFrozen(model, new EastModelOptions { WidthDivisor = 16, Seed = (ulong)Random.Shared.NextInt64(1, long.MaxValue) });
        var page = Path.Combine(_dir, "east.html");
        Assert.Equal(0, EastBake.Tool.Program.Main(["inspect", model, "--input-shape", "256x256", "--html", page, "--backend", "Onnx"]));

        var (graph, partition) = Partition(model, new OnnxCapabilities());
        var dom = Chromium.DumpDom(page);
        var drawn = Groups(dom);
        Assert.Equal(graph.Nodes.Count(n => !n.IsConst), drawn.Count);
        Assert.Equal(partition.Segments.Sum(s => s.Nodes.Count), drawn.Count(g => g >= 0));
        Assert.Equal(graph.Nodes.Count(n => n.Op == Ops.Placeholder), drawn.Count(g => g == GraphView.GraphIo));
        Assert.Contains(@"data-rendered-nodes=""" + drawn.Count + @"""", dom);
    }

    [ChromiumFact]
    public void SegmentsHostNodesAndLegendAreDrawnApart()
    {
        // An engine without ConcatV2 splits EAST's merge branch into several segments and host nodes.
        var model = Path.Combine(_dir, "east.pb");
        EastModelGenerator.WriteFrozen(model, new EastModelOptions { WidthDivisor = 16, Seed = (ulong)Random.Shared.NextInt64(1, long.MaxValue) });
        var (graph, partition) = Partition(model, new Refusing(Ops.ConcatV2));
        Assert.True(partition.Segments.Count >= 2, "expected several segments");
        var page = Path.Combine(_dir, "split.html");
        GraphHtmlWriter.Write(GraphView.FromPartition("split", graph, partition), page);

        var dom = Chromium.DumpDom(page);
        var drawn = Groups(dom);
        foreach (var s in partition.Segments) Assert.Equal(s.Nodes.Count, drawn.Count(g => g == s.Id));
        Assert.Equal(partition.HostNodes.Count, NodeElement.Matches(dom).Count(m => m.Groups[1].Success));
        Assert.Equal(partition.HostNodes.Count, drawn.Count(g => g == GraphView.Host));
        Assert.Equal(partition.Segments.Count + 2, Regex.Matches(dom, @"<li class=""legend-item""").Count);
        Assert.Contains("host path: op ConcatV2 is refused", dom);
    }

    [ChromiumFact]
    public void PlanPageDrawsTheOnnxPayloadNodes()
    {
        var model = Path.Combine(_dir, "east.pb");
        EastModelGenerator.WriteFrozen(model, new EastModelOptions { WidthDivisor = 16, Seed = (ulong)Random.Shared.NextInt64(1, long.MaxValue) });
        var planPath = Path.Combine(_dir, "east.eastplan");
        var plan = new Baker().Bake(new BakeOptions { ModelPath = model, OutputPath = planPath, Backends = ["Onnx"], Profile = ShapeProfile.Fixed(256, 256) }).Plan;
        var page = Path.Combine(_dir, "plan.html");
        Assert.Equal(0, EastBake.Tool.Program.Main(["inspect", planPath, "--html", page]));

        var onnxNodes = plan.Segments.Sum(s => ModelProto.Parser.ParseFrom(s.Payload).Graph.Node.Count);
        var drawn = Groups(Chromium.DumpDom(page));
        Assert.Equal(onnxNodes + 1, drawn.Count); // + the graph input
        Assert.Equal(onnxNodes, drawn.Count(g => g == 0));
    }

    private static List<int> Groups(string dom) =>
        NodeElement.Matches(dom).Select(m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static (Graph, PartitionResult) Partition(string model, IEngineCapabilities engine)
    {
        var g = ModelLoader.Load(model);
        var shapes = new Dictionary<string, long[]> { [g.Inputs[0].Name] = [1, 256, 256, 3] };
        ShapeInference.Run(g, shapes);
        GraphOptimizer.Run(g);
        ShapeInference.Run(g, shapes);
        return (g, SegmentPartitioner.Partition(g, engine));
    }

    /// <summary>ONNX Runtime's table minus one op.</summary>
    private sealed class Refusing(string op) : IEngineCapabilities
    {
        private readonly OnnxCapabilities _inner = new();
        public string Engine => EngineKinds.Onnx;

        public bool Supports(Node node, out string reason)
        {
            if (node.Op == op)
            {
                reason = $"op {op} is refused";
                return false;
            }
            return _inner.Supports(node, out reason);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
