using EastBake.Compiler.Protos.Tf;
using EastBake.ModelGenerator;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Generator;

/// <summary>The generated frozen graph has EAST-R50's structure (counts derived here from the architecture).</summary>
public class FrozenGraphStructureTests
{
    private static readonly Lazy<GraphDef> W8 = new(() => EastModelGenerator.BuildGraphDef(new() { WidthDivisor = 8, Seed = 1 }));

    /// <summary>Expected op counts of EAST-R50, from ResNet-50 v1 (3,4,6,3 units) and the merge branch.</summary>
    private static Dictionary<string, int> ExpectedOpCounts()
    {
        int[] units = [3, 4, 6, 3];
        var unitCount = units.Sum();                  // 16 bottlenecks
        var projections = 4;                          // first unit of each block changes depth
        var stridedSameDepth = 3;                     // last unit of blocks 1–3 (shortcut MaxPool)
        var backboneConvs = 1 + 3 * unitCount + projections;   // 53
        var mergeConvs = 3 * 2 + 1;                   // (1×1, 3×3) per unpool stage + Conv_6
        var headConvs = 3;                            // Conv_7, Conv_8, Conv_9
        var bn = backboneConvs + mergeConvs;
        var unpools = 3;
        var pads = 1 + 3;                             // conv1 + strided conv2 in blocks 1–3
        var vars = (backboneConvs + mergeConvs) * 5 + headConvs * 2;
        var consts = vars
            + 1 + 3 + 1                               // split_dim, 3 means, concat axis
            + pads                                    // paddings
            + unpools * 2 * (3 + 1) + unpools         // strided_slice stacks + mul/y, concat axes
            + 4 + 1;                                  // mul_6/y, sub/y, mul_7/y, truediv/y, concat_3 axis
        return new()
        {
            ["Placeholder"] = 1, ["Split"] = 1, ["Sub"] = 3 + 1, ["ConcatV2"] = 1 + unpools + 1,
            ["Conv2D"] = backboneConvs + mergeConvs + headConvs, ["FusedBatchNorm"] = bn, ["Identity"] = vars,
            ["Relu"] = 1 + 2 * unitCount + unitCount + mergeConvs, ["Add"] = unitCount, ["Pad"] = pads,
            ["MaxPool"] = 1 + stridedSameDepth, ["Shape"] = 2 * unpools, ["StridedSlice"] = 2 * unpools,
            ["Mul"] = 2 * unpools + 2, ["Pack"] = unpools, ["ResizeBilinear"] = unpools, ["BiasAdd"] = headConvs,
            ["Sigmoid"] = headConvs, ["RealDiv"] = 1, ["Const"] = consts,
        };
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public void OpCountsMatchArchitecture(int divisor)
    {
        var g = divisor == 8 ? W8.Value : EastModelGenerator.BuildGraphDef(new() { WidthDivisor = divisor });
        var actual = g.Node.GroupBy(n => n.Op).ToDictionary(x => x.Key, x => x.Count());
        var expected = ExpectedOpCounts();
        Assert.Equal(expected.OrderBy(k => k.Key), actual.OrderBy(k => k.Key));
        Assert.Equal(900, g.Node.Count);
        Assert.Equal(24, g.Versions.Producer);
    }

    [Fact]
    public void NamesInputsAndOutputsArePresent()
    {
        var nodes = W8.Value.Node.ToDictionary(n => n.Name);
        Assert.Equal(nodes.Count, W8.Value.Node.Count); // unique names
        foreach (var n in W8.Value.Node)
            foreach (var i in n.Input)
                Assert.True(nodes.ContainsKey(i.TrimStart('^').Split(':')[0]), $"{n.Name} reads missing {i}");
        string[] names =
        [
            "input_images", "split", "sub_2", "concat", "resnet_v1_50/Pad", "resnet_v1_50/conv1/Conv2D",
            "resnet_v1_50/conv1/BatchNorm/moving_variance/read", "resnet_v1_50/pool1/MaxPool",
            "resnet_v1_50/block1/unit_3/bottleneck_v1/shortcut/MaxPool", "resnet_v1_50/block1/unit_3/bottleneck_v1/Pad",
            "resnet_v1_50/block4/unit_1/bottleneck_v1/shortcut/Conv2D", "resnet_v1_50/block4/unit_3/bottleneck_v1/Relu",
            "feature_fusion/ResizeBilinear_2/size", "feature_fusion/Conv_6/Relu", "feature_fusion/Conv_7/Sigmoid",
            "feature_fusion/mul_6", "feature_fusion/truediv", "feature_fusion/concat_3",
        ];
        foreach (var name in names) Assert.True(nodes.ContainsKey(name), name);
        Assert.Equal(["feature_fusion/mul_6", "feature_fusion/truediv", "feature_fusion/concat_3/axis"], nodes["feature_fusion/concat_3"].Input);
        var input = nodes["input_images"];
        Assert.Equal(DataType.DtFloat, input.Attr["dtype"].Type);
        Assert.Equal([-1L, -1, -1, 3], input.Attr["shape"].Shape.Dim.Select(d => d.Size));
        // FusedBatchNorm reads gamma, beta, mean, variance through their /read Identity nodes.
        foreach (var bn in W8.Value.Node.Where(n => n.Op == "FusedBatchNorm"))
        {
            Assert.All(bn.Input.Skip(1), i => Assert.EndsWith("/read", i));
            Assert.False(bn.Attr["is_training"].B);
            Assert.Equal(1e-5f, bn.Attr["epsilon"].F);
        }
    }

    [Fact]
    public void WeightShapesFollowChannelCounts()
    {
        var consts = W8.Value.Node.Where(n => n.Op == "Const").ToDictionary(n => n.Name, n => n.Attr["value"].Tensor);
        long[] Shape(string n) => consts[n].TensorShape.Dim.Select(d => d.Size).ToArray();
        Assert.Equal([7L, 7, 3, 8], Shape("resnet_v1_50/conv1/weights"));
        Assert.Equal([1L, 1, 8, 32], Shape("resnet_v1_50/block1/unit_1/bottleneck_v1/shortcut/weights"));
        Assert.Equal([3L, 3, 64, 64], Shape("resnet_v1_50/block4/unit_2/bottleneck_v1/conv2/weights"));
        Assert.Equal([1L, 1, 64, 256], Shape("resnet_v1_50/block4/unit_3/bottleneck_v1/conv3/weights"));
        Assert.Equal([1L, 1, 256 + 64, 16], Shape("feature_fusion/Conv/weights"));
        Assert.Equal([1L, 1, 16 + 32, 8], Shape("feature_fusion/Conv_2/weights"));
        Assert.Equal([1L, 1, 8 + 8, 4], Shape("feature_fusion/Conv_4/weights"));
        Assert.Equal([1L, 1, 4, 1], Shape("feature_fusion/Conv_7/weights"));
        Assert.Equal([1L, 1, 4, 4], Shape("feature_fusion/Conv_8/weights"));
        Assert.Equal([4L], Shape("feature_fusion/Conv_8/biases"));
        // Every conv's filter input depth equals the channel count of its BN/weights producer chain.
        foreach (var conv in W8.Value.Node.Where(n => n.Op == "Conv2D"))
        {
            var w = Shape(conv.Input[1][..^"/read".Length]);
            Assert.Equal(w[0] * w[1] * w[2] * w[3] * 4, consts[conv.Input[1][..^"/read".Length]].TensorContent.Length);
            var bn = conv.Name[..^"Conv2D".Length] + "BatchNorm/gamma";
            if (consts.ContainsKey(bn)) Assert.Equal([w[3]], Shape(bn));
        }
    }

    [Fact]
    public void SmallIntConstantsUseIntVal()
    {
        var consts = W8.Value.Node.Where(n => n.Op == "Const").ToDictionary(n => n.Name, n => n.Attr["value"].Tensor);
        Assert.Equal([3], consts["split/split_dim"].IntVal);
        Assert.Equal([2], consts["feature_fusion/mul_3/y"].IntVal);
        Assert.Equal([512f], consts["feature_fusion/mul_6/y"].FloatVal);
        Assert.Equal(32, consts["resnet_v1_50/Pad/paddings"].TensorContent.Length);
    }

    /// <summary>With divisor 1 the graph matches the shared trained model node for node (all but weight values).</summary>
    [SharedFact("models/east_r50_ic15.pb")]
    public void FullWidthMatchesSharedModelStructure()
    {
        var real = GraphDef.Parser.ParseFrom(File.ReadAllBytes(SharedData.Path_("models/east_r50_ic15.pb")));
        var gen = EastModelGenerator.BuildGraphDef(new() { WidthDivisor = 1 });
        Assert.Equal(real.Node.Count, gen.Node.Count);
        Assert.Equal(real.Versions, gen.Versions);
        for (var i = 0; i < real.Node.Count; i++)
        {
            NodeDef r = real.Node[i].Clone(), o = gen.Node[i].Clone();
            foreach (var n in new[] { r, o })
                if (n.Attr.TryGetValue("value", out var v) && v.Tensor.Dtype == DataType.DtFloat && v.Tensor.TensorShape?.Dim.Count > 0)
                    v.Tensor.TensorContent = Google.Protobuf.ByteString.Empty; // weight values differ by design
            Assert.Equal(r, o);
        }
    }
}
