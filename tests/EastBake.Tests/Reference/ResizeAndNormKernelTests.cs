using EastBake.Compiler.Ir;
using static EastBake.Tests.Reference.KernelTestSupport;

namespace EastBake.Tests.Reference;

/// <summary>ResizeBilinear's three sampling rules and FusedBatchNorm, against hand-computed values.</summary>
public class ResizeAndNormKernelTests
{
    private static readonly Tensor Square = F([1, 2, 2, 1], 0, 1, 2, 3);

    private static Tensor Resize(bool alignCorners, bool halfPixel) => Eval1(Ops.ResizeBilinear,
        new() { [Attr.AlignCorners] = alignCorners, [Attr.HalfPixelCenters] = halfPixel }, Square, I([2], 4, 4));

    [Fact]
    public void LegacyResizeSamplesAtDstTimesScale()
    {
        // src = dst * 0.5: 0, 0.5, 1, 1.5 (upper index clamped to 1).
        Equal([1, 4, 4, 1],
            [0, 0.5f, 1, 1,
             1, 1.5f, 2, 2,
             2, 2.5f, 3, 3,
             2, 2.5f, 3, 3], Resize(false, false));
    }

    [Fact]
    public void AlignCornersResizeHitsBothCorners()
    {
        const float t = 1f / 3, u = 2f / 3;
        Equal([1, 4, 4, 1],
            [0, t, u, 1,
             2 * t, 3 * t, 4 * t, 5 * t,
             2 * u, 2 * u + t, 2 * u + u, 2 * u + 1,
             2, 2 + t, 2 + u, 3], Resize(true, false), 1e-6);
    }

    [Fact]
    public void HalfPixelResizeSamplesCentres()
    {
        // src = (dst + 0.5) * 0.5 - 0.5: -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        Equal([1, 4, 4, 1],
            [0, 0.25f, 0.75f, 1,
             0.5f, 0.75f, 1.25f, 1.5f,
             1.5f, 1.75f, 2.25f, 2.5f,
             2, 2.25f, 2.75f, 3], Resize(false, true));
    }

    [Fact]
    public void LegacyResizeDownscaleAndNonIntegerRatio()
    {
        // 1x3 → 1x2 along W: scale 1.5, src = 0, 1.5 → values x0, x1 + 0.5 (x2 - x1).
        var y = Eval1(Ops.ResizeBilinear, new(), F([1, 1, 3, 1], 10, 20, 40), I([2], 1, 2));
        Equal([1, 1, 2, 1], [10, 30], y);
    }

    [Fact]
    public void FusedBatchNormInference()
    {
        // y = (x - mean) * gamma / sqrt(var + eps) + beta with eps = 1: channel 0: (1-0)*2/2+0.5, channel 1: (2-1)*1/1+0
        var outputs = Eval(Ops.FusedBatchNormV3, new() { [Attr.Epsilon] = 1f, [Attr.IsTraining] = false }, 6,
            F([1, 1, 2, 2], 1, 2, 3, 4), F([2], 2, 1), F([2], 0.5f, 0), F([2], 0, 1), F([2], 3, 0));
        Equal([1, 1, 2, 2], [1.5f, 1, 3.5f, 3], outputs[0]);
        Assert.Equal(6, outputs.Length);
    }

    [Fact]
    public void FusedBatchNormScalarScaleBroadcasts()
    {
        var y = Eval(Ops.FusedBatchNorm, new() { [Attr.Epsilon] = 0f }, 1,
            F([1, 1, 1, 2], 4, 8), F([1], 0.5f), F([2], 0, 1), F([2], 0, 0), F([2], 1, 4))[0];
        Equal([1, 1, 1, 2], [2, 3], y);
    }
}
