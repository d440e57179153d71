using System.Globalization;
using EastBake.Compiler.Ir;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Calibration;

/// <summary>
/// Which convolutions of an INT8 plan run in INT8, as TensorRT decides per layer: INT8 where it
/// is allowed and pays, a higher precision where INT8 hurts accuracy or cannot run. The first
/// convolution (it sees the image itself, whose range and detail INT8 would crush) runs in FP16;
/// the heads (convolutions that reach a graph output without another convolution: EAST's score
/// and geometry) run in FP32, because the geometry is scaled to pixels after them; a convolution
/// whose filter is not a constant, or whose input channels are not a multiple of 4 (INT8 kernels
/// pack 4 channels into one 32-bit dot product), runs in FP16. Layers that are not convolutions
/// run at FP16 in an INT8 plan.
/// </summary>
public static class LayerPrecisionPolicy
{
    public static IReadOnlyList<LayerPrecision> Choose(Graph graph)
    {
        graph.TopologicalSort();
        var afterConv = new HashSet<Node>(); // nodes with a Conv2D upstream
        foreach (var n in graph.Nodes)
            if (n.Inputs.Any(v => v.Producer.Op == Ops.Conv2D || afterConv.Contains(v.Producer))) afterConv.Add(n);

        // Nodes from which a graph output is reached without passing through a Conv2D.
        var outputs = graph.Outputs.ToHashSet();
        var consumers = new Dictionary<Node, List<Node>>();
        foreach (var n in graph.Nodes)
            foreach (var v in n.Inputs)
                (consumers.TryGetValue(v.Producer, out var list) ? list : consumers[v.Producer] = []).Add(n);
        var reachesOutput = new HashSet<Node>();
        for (var k = graph.Nodes.Count - 1; k >= 0; k--)
        {
            var n = graph.Nodes[k];
            if (n.Outputs.Any(outputs.Contains) ||
                consumers.GetValueOrDefault(n, []).Any(c => c.Op != Ops.Conv2D && reachesOutput.Contains(c)))
                reachesOutput.Add(n);
        }

        var layers = new List<LayerPrecision>();
        foreach (var n in graph.Nodes.Where(n => n.Op == Ops.Conv2D))
        {
            var filter = n.Inputs.Count > 1 ? n.Inputs[1].Producer : null;
            var cin = filter is { IsConst: true } && filter.ConstValue.Rank == 4 ? filter.ConstValue.Shape[2] : -1;
            LayerPrecision choice;
            if (!afterConv.Contains(n))
                choice = new(n.Name, Precision.FP16, "first convolution: reads the image");
            else if (reachesOutput.Contains(n))
                choice = new(n.Name, Precision.FP32, "head: its output reaches a network output without another convolution");
            else if (cin < 0)
                choice = new(n.Name, Precision.FP16, "filter is not a constant 4-D tensor");
            else if (cin % 4 != 0)
                choice = new(n.Name, Precision.FP16, $"{cin.ToString(CultureInfo.InvariantCulture)} input channels: not a multiple of 4");
            else
                choice = new(n.Name, Precision.INT8, "INT8");
            layers.Add(choice);
        }
        return layers;
    }
}
