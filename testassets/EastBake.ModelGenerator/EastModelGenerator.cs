using EastBake.Compiler.Protos.Tf;
using EastBake.ModelGenerator.Checkpoint;
using EastBake.ModelGenerator.Graph;
using Google.Protobuf;

namespace EastBake.ModelGenerator;

/// <summary>Library entry points: build or write an EAST-R50 test model (frozen graph or TF1 checkpoint).</summary>
public static class EastModelGenerator
{
    /// <summary>The frozen inference GraphDef (weights as Const + "/read" Identity).</summary>
    public static GraphDef BuildGraphDef(EastModelOptions options)
    {
        var g = new GraphWriter();
        new EastGraphBuilder(g, new FrozenVariableSink(g), options).Build();
        return g.Graph;
    }

    /// <summary>Serialized frozen GraphDef bytes (deterministic).</summary>
    public static byte[] FrozenBytes(EastModelOptions options) => BuildGraphDef(options).ToByteArray();

    public static void WriteFrozen(string path, EastModelOptions options) => WriteAllBytes(path, FrozenBytes(options));

    /// <summary>Writes prefix.meta, prefix.index and prefix.data-00000-of-00001 (TF1 V2 checkpoint).</summary>
    public static void WriteCheckpoint(string prefix, EastModelOptions options)
    {
        var (meta, index, data) = BuildCheckpoint(options);
        WriteAllBytes(prefix + ".meta", meta.ToByteArray());
        WriteAllBytes(TensorBundleWriter.IndexFileName(prefix), index);
        WriteAllBytes(TensorBundleWriter.DataFileName(prefix), data);
    }

    /// <summary>The checkpoint form in memory: MetaGraphDef (VariableV2 graph + Saver), .index and .data bytes.</summary>
    public static (MetaGraphDef Meta, byte[] Index, byte[] Data) BuildCheckpoint(EastModelOptions options, int indexBlockSize = 256 * 1024)
    {
        var g = new GraphWriter();
        var bundle = new TensorBundleWriter();
        var sink = new CheckpointVariableSink(g, bundle);
        new EastGraphBuilder(g, sink, options).Build();
        var meta = SaverGraph.Build(g, sink.Variables);
        var (index, data) = bundle.Build(indexBlockSize);
        return (meta, index, data);
    }

    internal static void WriteAllBytes(string path, byte[] bytes)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, bytes);
    }
}
