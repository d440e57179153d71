using EastBake.Compiler.Ir;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Calibration;

/// <summary>
/// The activation tensors to calibrate, by their names in the exported ONNX graph: for every
/// INT8 convolution its input, its output before a fused activation (<c>…/preact</c>, a tensor
/// of the ONNX graph that TensorRT also sees) and its output. The names are found on the
/// exported model itself, so they are exactly what TensorRT and ONNX Runtime will look up.
/// </summary>
public static class CalibrationTargets
{
    public static IReadOnlyList<string> Find(Graph graph, ModelProto model, IReadOnlyList<LayerPrecision> layers)
    {
        var convByName = model.Graph.Node.Where(n => n.OpType == "Conv").ToDictionary(n => n.Name, StringComparer.Ordinal);
        var produced = model.Graph.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name)
        {
            if (seen.Add(name)) names.Add(name);
        }
        foreach (var layer in layers.Where(l => l.Precision == Precision.INT8))
        {
            if (!convByName.TryGetValue(layer.Layer, out var conv))
                throw new InvalidOperationException($"the ONNX export has no Conv node named '{layer.Layer}'");
            var final = graph[layer.Layer].Output.Name;
            if (!produced.Contains(final))
                throw new InvalidOperationException($"the ONNX export has no tensor '{final}' (output of '{layer.Layer}')");
            Add(conv.Input[0]);
            if (conv.Output[0] != final) Add(conv.Output[0]);
            Add(final);
        }
        return names;
    }
}
