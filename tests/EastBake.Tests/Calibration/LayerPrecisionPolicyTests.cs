using EastBake.Baking.Calibration;
using EastBake.Compiler.Ir;
using EastBake.Runtime.Plans;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Calibration;

public class LayerPrecisionPolicyTests
{
    private static readonly string[] Heads = ["feature_fusion/Conv_7/Conv2D", "feature_fusion/Conv_8/Conv2D", "feature_fusion/Conv_9/Conv2D"];

    [Fact]
    public void EastKeepsTheFirstConvInFp16AndTheHeadsInFp32()
    {
        var g = CalibrationGraphs.LoadOptimized(SharedData.Repo("testassets/models/east_r50_w8.pb"), 64, 96);
        var layers = LayerPrecisionPolicy.Choose(g);
        var convs = g.Nodes.Where(n => n.Op == Ops.Conv2D).Select(n => n.Name).ToList();
        Assert.Equal(convs, layers.Select(l => l.Layer));
        Assert.Equal(63, layers.Count);
        Assert.Equal(Precision.FP16, layers.Single(l => l.Layer == "resnet_v1_50/conv1/Conv2D").Precision);
        foreach (var head in Heads) Assert.Equal(Precision.FP32, layers.Single(l => l.Layer == head).Precision);
        // Width ÷ 8: every other conv has a multiple of 4 input channels and runs INT8.
        Assert.Equal(59, layers.Count(l => l.Precision == Precision.INT8));
    }

    [Fact]
    public void ConvsWhoseInputChannelsAreNotAMultipleOf4StayFp16()
    {
        using var tmp = new TempFolder();
        var g = CalibrationGraphs.LoadOptimized(CalibrationGraphs.WriteModel(tmp["w16.pb"], 16, 3), 64, 96);
        var layers = LayerPrecisionPolicy.Choose(g).ToDictionary(l => l.Layer);
        var narrow = g.Nodes.Where(n => n.Op == Ops.Conv2D && n.Inputs[1].Producer.ConstValue.Shape[2] % 4 != 0).Select(n => n.Name).ToList();
        Assert.NotEmpty(narrow);
        foreach (var name in narrow.Where(n => n != "resnet_v1_50/conv1/Conv2D" && !Heads.Contains(n)))
        {
            Assert.Equal(Precision.FP16, layers[name].Precision);
            Assert.Contains("not a multiple of 4", layers[name].Reason);
        }
        Assert.Contains(layers.Values, l => l.Precision == Precision.INT8);
    }
}
