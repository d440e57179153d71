using EastBake.Baking.Partitioning;
using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Tests.Partitioning;

public class SegmentPartitionerTests
{
    /// <summary>Accepts every op except "Unsupported".</summary>
    private sealed class AllBut : IEngineCapabilities
    {
        public string Engine => "test";
        public bool Supports(Node node, out string reason)
        {
            reason = node.Op == "Unsupported" ? "no kernel" : "";
            return reason.Length == 0;
        }
    }

    private static (Graph G, Node X) Input()
    {
        var g = new Graph("m.pb");
        var x = g.AddNode("x", Ops.Placeholder);
        g.Inputs.Add(x.Output);
        return (g, x);
    }

    [Fact]
    public void UnsupportedNodeSplitsChainIntoTwoSegments()
    {
        var (g, x) = Input();
        var a = g.AddNode("a", Ops.Relu, [x.Output]);
        var b = g.AddNode("b", Ops.Sigmoid, [a.Output]);
        var c = g.AddNode("c", Ops.Relu, [b.Output]);
        var u = g.AddNode("u", "Unsupported", [c.Output]);
        var d = g.AddNode("d", Ops.Relu, [u.Output]);
        var e = g.AddNode("e", Ops.Sigmoid, [d.Output]);
        var f = g.AddNode("f", Ops.Relu, [e.Output]);
        g.Outputs.Add(f.Output);

        var r = SegmentPartitioner.Partition(g, new AllBut(), 3);
        Assert.Equal(2, r.Segments.Count);
        Assert.Equal(["a", "b", "c"], r.Segments[0].Nodes.Select(n => n.Name));
        Assert.Equal(["c"], r.Segments[0].Outputs.Select(v => v.Name));
        Assert.Equal(["u"], r.Segments[1].Inputs.Select(v => v.Name));
        Assert.Equal(["f"], r.Segments[1].Outputs.Select(v => v.Name));
        Assert.Contains(r.HostNodes, h => h.Node == u && h.Reason == "no kernel");
    }

    [Fact]
    public void MergeThatWouldCreateACycleIsRefused()
    {
        // a → u(unsupported) → b and a → b: putting a and b in one segment would make the
        // segment both feed and consume u.
        var (g, x) = Input();
        var a = g.AddNode("a", Ops.Relu, [x.Output]);
        var u = g.AddNode("u", "Unsupported", [a.Output]);
        var b = g.AddNode("b", Ops.AddV2, [a.Output, u.Output]);
        g.Outputs.Add(b.Output);

        var r = SegmentPartitioner.Partition(g, new AllBut(), 1);
        Assert.Equal(2, r.Segments.Count);
        Assert.DoesNotContain(r.Segments, s => s.Nodes.Contains(a) && s.Nodes.Contains(b));
    }

    [Fact]
    public void SmallSegmentsStayOnHostAndIdentityDoesNotCount()
    {
        var (g, x) = Input();
        var a = g.AddNode("a", Ops.Relu, [x.Output]);
        var i1 = g.AddNode("i1", Ops.Identity, [a.Output]);
        var i2 = g.AddNode("i2", Ops.Identity, [i1.Output]);
        var b = g.AddNode("b", Ops.Relu, [i2.Output]);
        g.Outputs.Add(b.Output);

        var r = SegmentPartitioner.Partition(g, new AllBut(), 3);
        Assert.Empty(r.Segments);
        Assert.Contains(r.HostNodes, h => h.Node == a && h.Reason.Contains("2 effective node(s)"));

        var r2 = SegmentPartitioner.Partition(g, new AllBut(), 2);
        Assert.Equal(4, Assert.Single(r2.Segments).Nodes.Count);
    }

    [Fact]
    public void ConstantsBecomeWeightsNotInputs()
    {
        var (g, x) = Input();
        var w = g.AddConst("w", Tensor.FromFloats([1, 1, 1, 1], [2f]));
        var conv = g.AddNode("conv", Ops.Conv2D, [x.Output, w.Output]);
        var r1 = g.AddNode("r", Ops.Relu, [conv.Output]);
        var s = g.AddNode("s", Ops.Sigmoid, [r1.Output]);
        g.Outputs.Add(s.Output);
        var seg = Assert.Single(SegmentPartitioner.Partition(g, new AllBut(), 3).Segments);
        Assert.Equal(["x"], seg.Inputs.Select(v => v.Name));
    }

    [Fact]
    public void ZeroMinimumSegmentSizeIsCodedError()
    {
        var (g, _) = Input();
        Assert.Equal(ErrorCodes.BadSegmentSize,
            Assert.Throws<EastBakeException>(() => SegmentPartitioner.Partition(g, new AllBut(), 0)).Code);
    }
}
