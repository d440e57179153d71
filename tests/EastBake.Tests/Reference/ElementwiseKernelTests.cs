using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;
using static EastBake.Tests.Reference.KernelTestSupport;

namespace EastBake.Tests.Reference;

public class ElementwiseKernelTests
{
    [Fact]
    public void BroadcastsLikeNumpy()
    {
        var y = Eval1(Ops.Sub, new(), F([2, 1], 10, 20), F([3], 1, 2, 3));
        Equal([2, 3], [9, 8, 7, 19, 18, 17], y);
    }

    [Fact]
    public void BroadcastMiddleAxis()
    {
        var y = Eval1(Ops.Mul, new(), F([2, 1, 2], 1, 2, 3, 4), F([1, 3, 1], 1, 10, 100));
        Equal([2, 3, 2], [1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400], y);
    }

    [Fact]
    public void ImpossibleBroadcastIsEB1040()
    {
        var e = Assert.Throws<EastBake.Diagnostics.EastBakeException>(() => Eval1(Ops.AddV2, new(), F([2], 1, 2), F([3], 1, 2, 3)));
        Assert.Equal("EB1040", e.Code);
    }

    [Fact]
    public void ActivationsAndDivision()
    {
        var x = F([5], -2, 0, 3, 6.5f, 100);
        Equal([5], [0, 0, 3, 6.5f, 100], Eval1(Ops.Relu, new(), x));
        Equal([5], [0, 0, 3, 6, 6], Eval1(Ops.Relu6, new(), x));
        Equal([2], [0.5f, 0.7310585786f], Eval1(Ops.Sigmoid, new(), F([2], 0, 1)));
        Equal([2], [-1.5f, 2], Eval1(Ops.RealDiv, new(), F([2], 3, 4), F([2], -2, 2)));
        Equal([2], [3, 2], Eval1(Ops.Maximum, new(), F([2], 3, -4), F([], 2)));
    }

    [Fact]
    public void FusedAddRelu()
    {
        var y = Eval1(Ops.AddV2, new() { [Attr.Activation] = "Relu" }, F([3], 1, -5, 2), F([3], 1, 1, -3));
        Equal([3], [2, 0, 0], y);
    }

    [Fact]
    public void BiasAddAddsPerChannel()
    {
        var y = Eval1(Ops.BiasAdd, new(), F([1, 2, 2], 1, 2, 3, 4), F([2], 10, 20));
        Equal([1, 2, 2], [11, 22, 13, 24], y);
    }

    [Fact]
    public void Float16OutputsRoundThroughHalf()
    {
        var y = Eval(Ops.AddV2, new(), 1, ElementType.Float16, Tensor.FromFloats([1], [1f], ElementType.Float16),
            Tensor.FromFloats([1], [0.0001f], ElementType.Float16))[0];
        Assert.Equal(ElementType.Float16, y.Type);
        Assert.Equal((float)(Half)1.0001f, y.Floats![0]);
        Assert.Equal(1f, y.Floats[0]);
    }

    [Fact]
    public void IntegerMulStaysInteger()
    {
        var y = Eval(Ops.Mul, new(), 1, ElementType.Int32, I([], 88), I([], 2))[0];
        Assert.Equal(ElementType.Int32, y.Type);
        Assert.Equal(176L, y.Ints![0]);
    }

    [Fact]
    public void MeanReducesWithKeepDims()
    {
        var y = Eval1(Ops.Mean, new() { [Attr.KeepDims] = true }, F([2, 3], 1, 2, 3, 4, 5, 6), I([1], 1));
        Equal([2, 1], [2, 5], y);
        var z = Eval1(Ops.Mean, new() { [Attr.KeepDims] = false }, F([1, 2, 2, 1], 1, 2, 3, 6), I([2], 1, 2));
        Equal([1, 1], [3], z);
    }

    [Fact]
    public void UnsupportedOpIsEB1050()
    {
        var e = Assert.Throws<EastBake.Diagnostics.EastBakeException>(() => Eval1("Softmax", new(), F([1], 1)));
        Assert.Equal("EB1050", e.Code);
        Assert.Contains("Softmax", e.Message);
        Assert.Equal("node", e.Node);
        Assert.False(ReferenceInterpreter.Supports("Softmax"));
    }
}
