using EastBake.Compiler.Ir;
using static EastBake.Tests.Reference.KernelTestSupport;

namespace EastBake.Tests.Reference;

/// <summary>Conv2D and pooling against hand-computed values.</summary>
public class WindowKernelTests
{
    private static Dictionary<string, object> Window(string padding, long stride, long k = 0) => new()
    {
        [Attr.Strides] = new long[] { 1, stride, stride, 1 },
        [Attr.Padding] = padding,
        [Attr.KSize] = new long[] { 1, k, k, 1 },
    };

    [Fact]
    public void ConvSameStride2EvenInputPadsAfterOnly()
    {
        // 4x4 input 1..16, 3x3 ones, stride 2: pad_total = (2-1)*2+3-4 = 1 → 0 before, 1 after.
        var x = F([1, 4, 4, 1], Range(16));
        var w = F([3, 3, 1, 1], Enumerable.Repeat(1f, 9).ToArray());
        var y = Eval1(Ops.Conv2D, Window("SAME", 2), x, w);
        Equal([1, 2, 2, 1], [54, 45, 72, 54], y);
    }

    [Fact]
    public void ConvValidDilatedAndMultiChannel()
    {
        // 1x5x5x2 input, 2x2 filter dilated by 2 → effective 3x3, VALID → 3x3 out, 2 outputs.
        var x = F([1, 5, 5, 2], Range(50, 0));
        // filter[kh,kw,ci,co]: co0 sums channel 0 of the 4 taps, co1 = 2 * channel 1 of tap (0,0)
        var w = new float[2 * 2 * 2 * 2];
        for (var t = 0; t < 4; t++) w[t * 4 + 0 * 2 + 0] = 1;
        w[0 * 4 + 1 * 2 + 1] = 2;
        var attrs = Window("VALID", 1);
        attrs[Attr.Dilations] = new long[] { 1, 2, 2, 1 };
        var y = Eval1(Ops.Conv2D, attrs, x, F([2, 2, 2, 2], w));
        Assert.Equal(new long[] { 1, 3, 3, 2 }, y.Shape);
        // out(0,0): channel-0 values at (0,0),(0,2),(2,0),(2,2) = 0+4+20+24 = 48; co1 = 2*x(0,0,1) = 2.
        Assert.Equal(48f, y.Floats![0]);
        Assert.Equal(2f, y.Floats[1]);
        // out(1,2): taps (1,2),(1,4),(3,2),(3,4) channel 0: 14+18+34+38 = 104
        Assert.Equal(104f, y.Floats[(1 * 3 + 2) * 2]);
    }

    [Fact]
    public void ConvExplicitPaddingAndFusedBiasRelu6()
    {
        var x = F([1, 2, 2, 1], 1, 2, 3, 4);
        var w = F([1, 1, 1, 2], 1, -1);
        var attrs = Window("EXPLICIT", 1);
        attrs[Attr.ExplicitPaddings] = new long[] { 0, 0, 1, 0, 0, 1, 0, 0 };
        attrs[Attr.Activation] = "Relu6";
        var y = Eval1(Ops.Conv2D, attrs, x, w, F([2], 3, 0.5f));
        // 3x3 output: row 0 and col 2 are padding → bias only (3 → 3, 0.5 → 0.5); x → min(x+3, 6), relu(0.5-x) = 0.
        Equal([1, 3, 3, 2],
            [3, 0.5f, 3, 0.5f, 3, 0.5f,
             4, 0, 5, 0, 3, 0.5f,
             6, 0, 6, 0, 3, 0.5f], y);
    }

    [Fact]
    public void ConvRejectsChannelMismatch()
    {
        var e = Assert.Throws<EastBake.Diagnostics.EastBakeException>(() =>
            Eval1(Ops.Conv2D, Window("SAME", 1), F([1, 2, 2, 3], new float[12]), F([1, 1, 2, 1], new float[2])));
        Assert.Equal("EB1040", e.Code);
        Assert.Contains("[1,2,2,3]", e.Message);
        Assert.Contains("[1,1,2,1]", e.Message);
    }

    [Fact]
    public void AvgPoolSameDividesByValidCount()
    {
        var y = Eval1(Ops.AvgPool, Window("SAME", 1, 3), F([1, 3, 3, 1], Range(9)));
        // corner (0,0): mean(1,2,4,5) = 3; edge (0,1): mean(1..6) = 3.5; centre: 5
        Equal([1, 3, 3, 1], [3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7], y);
    }

    [Fact]
    public void MaxPoolSamePadsWithMinusInfinity()
    {
        var y = Eval1(Ops.MaxPool, Window("SAME", 1, 3), F([1, 2, 2, 1], -1, -2, -3, -4));
        Equal([1, 2, 2, 1], [-1, -1, -1, -1], y);
    }

    [Fact]
    public void MaxPoolSameStride2OddInput()
    {
        // 5x5, 3x3/2 SAME: out 3, pad_total = 2*2+3-5 = 2 → 1 before, 1 after.
        var y = Eval1(Ops.MaxPool, Window("SAME", 2, 3), F([1, 5, 5, 1], Range(25)));
        Equal([1, 3, 3, 1], [7, 9, 10, 17, 19, 20, 22, 24, 25], y);
    }

    [Fact]
    public void MaxPoolValid()
    {
        var y = Eval1(Ops.MaxPool, Window("VALID", 2, 2), F([1, 5, 5, 1], Range(25)));
        Equal([1, 2, 2, 1], [7, 9, 17, 19], y);
    }
}
