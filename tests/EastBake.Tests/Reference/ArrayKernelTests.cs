using EastBake.Compiler.Ir;
using static EastBake.Tests.Reference.KernelTestSupport;

namespace EastBake.Tests.Reference;

/// <summary>Slicing, joining, padding and reshaping kernels.</summary>
public class ArrayKernelTests
{
    private static readonly Tensor Cube = F([2, 3, 4], Range(24, 0));

    private static Tensor Slice(Tensor x, long[] b, long[] e, long[] s, long begin = 0, long end = 0, long ellipsis = 0, long newAxis = 0, long shrink = 0) =>
        Eval1(Ops.StridedSlice, new()
        {
            [Attr.BeginMask] = begin, [Attr.EndMask] = end, [Attr.EllipsisMask] = ellipsis,
            [Attr.NewAxisMask] = newAxis, [Attr.ShrinkAxisMask] = shrink,
        }, x, I([b.Length], b), I([e.Length], e), I([s.Length], s));

    [Fact]
    public void StridedSliceWithBeginEndMasks()
    {
        var y = Slice(Cube, [0, 1], [0, 3], [1, 1], begin: 1, end: 1); // x[:, 1:3]
        Assert.Equal(new long[] { 2, 2, 4 }, y.Shape);
        Assert.Equal(new float[] { 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23 }, y.Floats);
    }

    [Fact]
    public void StridedSliceShrinkPicksScalar()
    {
        var y = Slice(I([4], 1, 176, 320, 3), [1], [2], [1], shrink: 1); // shape[1]
        Assert.Empty(y.Shape);
        Assert.Equal(176L, y.Ints![0]);
    }

    [Fact]
    public void StridedSliceEllipsisNewAxisShrink()
    {
        var y = Slice(Cube, [0, 1, 0], [0, 2, 0], [1, 1, 1], ellipsis: 1, shrink: 2, newAxis: 4); // x[..., 1, None]
        Assert.Equal(new long[] { 2, 3, 1 }, y.Shape);
        Assert.Equal(new float[] { 1, 5, 9, 13, 17, 21 }, y.Floats);
    }

    [Fact]
    public void StridedSliceNegativeStrideAndIndices()
    {
        var y = Slice(Cube, [0, 0, -1], [1, 0, 0], [1, -1, 1], begin: 2, end: 2, shrink: 5); // x[0, ::-1, -1]
        Assert.Equal(new long[] { 3 }, y.Shape);
        Assert.Equal(new float[] { 11, 7, 3 }, y.Floats);
        var z = Slice(F([6], Range(6, 0)), [-2], [0], [-2]); // x[-2:0:-2] = [4, 2]
        Assert.Equal(new float[] { 4, 2 }, z.Floats);
    }

    [Fact]
    public void PadAddsZerosBeforeAndAfter()
    {
        var y = Eval1(Ops.Pad, new(), F([1, 2], 1, 2), I([2, 2], 1, 0, 0, 2));
        Equal([2, 4], [0, 0, 0, 0, 1, 2, 0, 0], y);
    }

    [Fact]
    public void ConcatSplitAndSplitV()
    {
        var c = Eval1(Ops.ConcatV2, new(), F([2, 1], 1, 2), F([2, 2], 3, 4, 5, 6), I([], -1));
        Equal([2, 3], [1, 3, 4, 2, 5, 6], c);
        var parts = Eval(Ops.Split, new() { [Attr.NumSplit] = 3L }, 3, I([], 1), c);
        Equal([2, 1], [3, 5], parts[1]);
        var v = Eval(Ops.SplitV, new(), 2, c, I([2], -1, 1), I([], 1));
        Equal([2, 2], [1, 3, 2, 5], v[0]);
        Equal([2, 1], [4, 6], v[1]);
    }

    [Fact]
    public void PackReshapeSqueezeCastShape()
    {
        var p = Eval(Ops.Pack, new() { [Attr.Axis] = 0L }, 1, ElementType.Int32, I([], 176), I([], 320))[0];
        Assert.Equal(new long[] { 2 }, p.Shape);
        Assert.Equal(new long[] { 176, 320 }, p.Ints);
        var stacked = Eval1(Ops.Pack, new() { [Attr.Axis] = 1L }, F([2], 1, 2), F([2], 3, 4));
        Equal([2, 2], [1, 3, 2, 4], stacked);

        var r = Eval1(Ops.Reshape, new(), Cube, I([2], -1, 6));
        Assert.Equal(new long[] { 4, 6 }, r.Shape);
        var s = Eval1(Ops.Squeeze, new() { [Attr.SqueezeDims] = new long[] { 0 } }, F([1, 2, 1], 1, 2));
        Assert.Equal(new long[] { 2, 1 }, s.Shape);

        var cast = Eval(Ops.Cast, new() { [Attr.DstT] = ElementType.Int32 }, 1, ElementType.Int32, F([3], -1.7f, 2.9f, 3))[0];
        Assert.Equal(new long[] { -1, 2, 3 }, cast.Ints);
        var shape = Eval(Ops.Shape, new() { [Attr.OutType] = ElementType.Int32 }, 1, ElementType.Int32, Cube)[0];
        Assert.Equal(new long[] { 2, 3, 4 }, shape.Ints);
    }
}
