using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.ModelGenerator;
using EastBake.Tests.TestSupport;

namespace EastBake.Tests.Generator;

/// <summary>The importer (written independently) reads the generated models as the generator meant them.</summary>
public class ImporterInteropTests
{
    [Fact]
    public void CommittedW8ModelImports()
    {
        var path = SharedData.Repo("testassets/models/east_r50_w8.pb");
        var g = ModelLoader.Load(path);
        Assert.Equal(["input_images"], g.Inputs.Select(v => v.Name));
        Assert.Equal(ImportOptions.EastOutputs, g.Outputs.Select(v => v.Name));
        Assert.Equal("true", g.Metadata.GetValueOrDefault(MetadataKeys.InGraphMeanSubtraction)?.ToLowerInvariant());

        // Every weight Const arrives with the generator's exact values.
        var frozen = EastModelGenerator.BuildGraphDef(new() { WidthDivisor = 8, Seed = 1 }).Node
            .Where(n => n.Op == "Const" && n.Attr["value"].Tensor.TensorContent.Length > 0 && n.Attr["dtype"].Type == Compiler.Protos.Tf.DataType.DtFloat);
        foreach (var c in frozen)
        {
            var t = g[c.Name].ConstValue;
            Assert.Equal(c.Attr["value"].Tensor.TensorShape.Dim.Select(d => d.Size), t.Shape);
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Floats.AsSpan()).SequenceEqual(c.Attr["value"].Tensor.TensorContent.Span), c.Name);
        }
        Assert.Equal(63, g.Nodes.Count(n => n.Op == "Conv2D"));
        Assert.Equal(60, g.Nodes.Count(n => n.Op == "FusedBatchNorm"));
    }
}
