using System.Text;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Diagnostics;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;

namespace EastBake.Tests.Import;

/// <summary>Imports every real TF-written graph in ../shared/tf/opencv and the trained EAST model.</summary>
public class RealGraphImportTests(ITestOutputHelper output)
{
    /// <summary>Graphs that must fail, with the code: they use what the importer deliberately rejects.</summary>
    private static readonly Dictionary<string, string> ExpectedFailures = new()
    {
        ["conv_pool_nchw_net.pb"] = ErrorCodes.BadAttribute,         // data_format NCHW
        ["uint8_single_conv_net.pb"] = ErrorCodes.UnsupportedDataType, // quantized uint8 weights
    };

    public static IEnumerable<object[]> OpenCvGraphs() => SharedData.Root is null ? [["(none)"]]
        : Directory.GetFiles(SharedData.Path_("tf/opencv"))
            .Select(Path.GetFileName)
            .Where(f => f!.EndsWith("_net.pb", StringComparison.Ordinal) || f.EndsWith(".pbtxt", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { f! });

    /// <summary>OpenCV's text graphs are configs over the binary graph of the same name (when there is one).</summary>
    private static ImportOptions OptionsFor(string path)
    {
        var binary = Path.ChangeExtension(path, ".pb");
        return path.EndsWith(".pbtxt", StringComparison.Ordinal) && File.Exists(binary)
            ? new ImportOptions { ConstantsFrom = binary }
            : new ImportOptions();
    }

    [SharedTheory("tf/opencv")]
    [MemberData(nameof(OpenCvGraphs))]
    public void OpenCvGraphImports(string file)
    {
        var path = SharedData.Path_(Path.Combine("tf/opencv", file));
        if (ExpectedFailures.TryGetValue(file, out var code))
        {
            var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(path, OptionsFor(path)));
            Assert.Equal(code, e.Code);
            Assert.NotNull(e.Node);
            Assert.Equal(path, e.File);
            return;
        }
        var g = ModelLoader.Load(path, OptionsFor(path));
        Assert.NotEmpty(g.Outputs);
        Assert.NotEmpty(g.Inputs);
        Assert.Equal(path, g.SourceFile);
    }

    [SharedFact("tf/opencv")]
    public void OpenCvOpHistogramTable()
    {
        var table = new StringBuilder();
        table.AppendLine($"{"graph",-44} {"nodes",5}  ops");
        foreach (var file in OpenCvGraphs().Select(o => (string)o[0]))
        {
            var path = SharedData.Path_(Path.Combine("tf/opencv", file));
            string ops;
            int count;
            try
            {
                var g = ModelLoader.Load(path, OptionsFor(path));
                count = g.Nodes.Count;
                ops = string.Join(" ", g.Nodes.GroupBy(n => n.Op).OrderByDescending(x => x.Count()).ThenBy(x => x.Key)
                    .Select(x => $"{x.Key}×{x.Count()}"));
            }
            catch (EastBakeException e)
            {
                Assert.Equal(ExpectedFailures[file], e.Code);
                count = 0;
                ops = $"({e.Code}: {e.Message})";
            }
            table.AppendLine($"{file,-44} {count,5}  {ops}");
        }
        output.WriteLine(table.ToString());
    }

    [SharedFact("tf/opencv/two_inputs_net.pbtxt")]
    public void TextGraphTwoInputs()
    {
        var g = ModelLoader.Load(SharedData.Path_("tf/opencv/two_inputs_net.pbtxt"));
        Assert.Equal(new[] { "first_input", "second_input" }, g.Inputs.Select(i => i.Name));
        Assert.Equal("add", g.Outputs.Single().Name);
        Assert.Equal(new[] { g.Inputs[0], g.Inputs[1] }, g["add"].Inputs);
    }

    [SharedFact("tf/opencv/batch_norm_text_net.pbtxt", "tf/opencv/batch_norm_text_net.pb")]
    public void TextGraphAloneLacksItsConstants()
    {
        var path = SharedData.Path_("tf/opencv/batch_norm_text_net.pbtxt");
        var e = Assert.Throws<EastBakeException>(() => ModelLoader.Load(path));
        Assert.Equal(ErrorCodes.MissingInput, e.Code);
        Assert.Equal("batch_norm", e.Node);

        var g = ModelLoader.Load(path, OptionsFor(path));
        var bn = g["batch_norm"];
        Assert.Equal(0.0010000000475f, bn.Get<float>(Attr.Epsilon));
        Assert.All(bn.Inputs.Skip(1), v => Assert.True(v.Producer.IsConst));
    }

    private const string East = "models/east_r50_ic15.pb";

    [SharedFact(East)]
    public void EastR50Imports()
    {
        var g = ModelLoader.Load(SharedData.Path_(East));
        Assert.Equal(900, g.Nodes.Count);
        Assert.Equal(new[] { "feature_fusion/Conv_7/Sigmoid", "feature_fusion/concat_3" }, g.Outputs.Select(o => o.Name));
        Assert.Equal("input_images", g.Inputs.Single().Name);
        Assert.Equal("[?,?,?,3]", g.Inputs[0].Shape.ToString());
        Assert.Equal("true", g.Metadata[MetadataKeys.InGraphMeanSubtraction]);
        Assert.Equal("123.68,116.78,103.94", g.Metadata[MetadataKeys.InGraphMeans]);
        Assert.Equal("input_images", g.Metadata[MetadataKeys.InputName]);

        // The op list of shared/models/README.md.
        string[] readmeOps = ["Placeholder", "Const", "Identity", "Split", "Sub", "ConcatV2", "Pad", "Conv2D",
            "FusedBatchNorm", "Relu", "MaxPool", "Add", "Shape", "StridedSlice", "Mul", "Pack", "ResizeBilinear",
            "BiasAdd", "Sigmoid", "RealDiv"];
        var histogram = g.Nodes.GroupBy(n => n.Op).ToDictionary(x => x.Key, x => x.Count());
        output.WriteLine(string.Join("\n", histogram.OrderByDescending(x => x.Value).Select(x => $"{x.Key,-16} {x.Value}")));
        Assert.Equal(readmeOps.Order(), histogram.Keys.Order());

        // ResNet-50 v1 has 53 convs (1 + 16×3 + 4 projection shortcuts) and the feature merge 7
        // (3 stages × (1×1 + 3×3) + Conv_6), each with a BatchNorm; the 3 heads have BiasAdd + Sigmoid.
        Assert.Equal(53 + 7, histogram["FusedBatchNorm"]);
        Assert.Equal(53 + 7 + 3, histogram["Conv2D"]);
        Assert.Equal(3, histogram["BiasAdd"]);
        Assert.Equal(3, histogram["Sigmoid"]);
        Assert.Equal(5, g["resnet_v1_50/conv1/BatchNorm/FusedBatchNorm"].Outputs.Count);
        Assert.Equal(3, g["split"].Outputs.Count);
        var conv1 = g["resnet_v1_50/conv1/Conv2D"];
        Assert.Equal("VALID", conv1.Get<string>(Attr.Padding));
        Assert.Equal(new long[] { 1, 2, 2, 1 }, conv1.Get<long[]>(Attr.Strides));
        Assert.Equal(new long[] { 7, 7, 3, 64 }, conv1.Inputs[1].Producer.Op == Ops.Identity
            ? conv1.Inputs[1].Producer.Inputs[0].Producer.ConstValue.Shape
            : conv1.Inputs[1].Producer.ConstValue.Shape);
    }
}

/// <summary>The migraphx single-op graphs: each imports, or fails with a coded error (never a crash).</summary>
public class MigraphxGraphTests(ITestOutputHelper output)
{
    [SharedFact("tf/migraphx")]
    public void EveryGraphImportsOrGivesACodedError()
    {
        var failures = new List<string>();
        foreach (var path in Directory.GetFiles(SharedData.Path_("tf/migraphx"), "*.pb").Order(StringComparer.Ordinal))
        {
            try
            {
                ModelLoader.Load(path);
            }
            catch (EastBakeException e)
            {
                failures.Add($"{Path.GetFileName(path)}: {e.Code} {e.Message}");
            }
        }
        output.WriteLine(string.Join("\n", failures));
        // Deliberate rejections only: NCHW layouts and types the IR does not hold.
        Assert.All(failures, f => Assert.True(f.Contains(ErrorCodes.BadAttribute) || f.Contains(ErrorCodes.UnsupportedDataType), f));
    }
}
