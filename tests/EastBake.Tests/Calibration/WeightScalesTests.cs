using EastBake.Baking.Calibration;
using EastBake.Compiler.Ir;

namespace EastBake.Tests.Calibration;

public class WeightScalesTests
{
    [Fact]
    public void ScalesArePerOutputChannelMaxAbsOver127()
    {
        // HWIO [1, 2, 2, 3]: output channel o holds w[..., o].
        var r = new Random(Distributions.FreshSeed());
        var w = new float[1 * 2 * 2 * 3];
        for (var i = 0; i < w.Length; i++) w[i] = (float)(r.NextDouble() * 2 - 1);
        w[3 * 2 + 0] = -5f;  // channel 0 max |w| = 5, negative
        for (var k = 0; k < 4; k++) w[k * 3 + 2] = 0; // channel 2 all zero
        var scales = WeightScales.PerOutputChannelScale(Tensor.FromFloats([1, 2, 2, 3], w));
        var expected1 = Enumerable.Range(0, 4).Max(k => Math.Abs(w[k * 3 + 1]));
        Assert.Equal([5f / 127f, expected1 / 127f, 1f / 127f], scales);
    }
}
