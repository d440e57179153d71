using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Tests.Ir;

public class GraphTests
{
    [Fact]
    public void TopologicalSortOrdersProducersFirst()
    {
        var g = new Graph();
        var x = g.AddNode("x", Ops.Placeholder);
        var c = g.AddConst("c", Tensor.Scalar(2f));
        var add = g.AddNode("add", Ops.AddV2, [x.Output, c.Output]);
        var relu = g.AddNode("relu", Ops.Relu, [add.Output]);
        g.Nodes.Reverse();
        g.TopologicalSort();
        Assert.True(g.Nodes.IndexOf(add) > g.Nodes.IndexOf(x));
        Assert.True(g.Nodes.IndexOf(add) > g.Nodes.IndexOf(c));
        Assert.True(g.Nodes.IndexOf(relu) > g.Nodes.IndexOf(add));
    }

    [Fact]
    public void CycleIsCodedError()
    {
        var g = new Graph("m.pb");
        var a = g.AddNode("a", Ops.Relu);
        var b = g.AddNode("b", Ops.Relu, [a.Output]);
        a.Inputs.Add(b.Output);
        var e = Assert.Throws<EastBakeException>(g.TopologicalSort);
        Assert.Equal(ErrorCodes.GraphCycle, e.Code);
        Assert.Equal("m.pb", e.File);
    }

    [Fact]
    public void SymbolicDimsFoldWhenKnown()
    {
        Assert.Equal(Dim.Known(23), Dim.Known(45).CeilDiv(2));
        Assert.Equal("ceil(H/2)", Dim.Sym("H").CeilDiv(2).ToString());
        Assert.Equal(Dim.Known(22), Dim.Known(45).FloorDiv(2));
        Assert.Equal("H", (Dim.Sym("H") * 1).ToString());
    }

    [Fact]
    public void CloneIsDeep()
    {
        var g = new Graph();
        var x = g.AddNode("x", Ops.Placeholder);
        g.Inputs.Add(x.Output);
        var r = g.AddNode("r", Ops.Relu, [x.Output]);
        g.Outputs.Add(r.Output);
        var c = g.Clone();
        c.Remove(c["r"]);
        Assert.NotNull(g.Find("r"));
        Assert.Equal("r", g.Outputs[0].Name);
        Assert.NotSame(g.Inputs[0], c.Inputs[0]);
    }
}

public class AffineDimTests
{
    [Fact]
    public void AlignedSymbolsDivideExactly()
    {
        var h = Dim.Sym("H", 32);
        Assert.Equal("H/4", h.CeilDiv(2).CeilDiv(2).ToString());
        Assert.Equal("H/32", h.CeilDiv(2).CeilDiv(2).CeilDiv(2).CeilDiv(2).CeilDiv(2).ToString());
        Assert.Equal("ceil(H/64)", h.CeilDiv(64).ToString());          // not exact past the alignment
        Assert.Equal("H/2", (h.AddOffset(6) - 7).FloorDiv(2).AddOffset(1).ToString()); // 7x7/2 VALID after Pad 3+3
        Assert.Equal("H/8", (h.CeilDiv(16) * 2).ToString());
        Assert.Equal("(H/2-1)", (h - 2).CeilDiv(2).ToString());
        Assert.Equal(Dim.Known(0), (h - h) + 0);
    }
}
