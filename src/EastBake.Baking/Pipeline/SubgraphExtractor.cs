using EastBake.Baking.Partitioning;
using EastBake.Compiler.Ir;

namespace EastBake.Baking.Pipeline;

/// <summary>
/// Copies a segment into a standalone graph: its nodes, the Consts they read, and a Placeholder
/// for each segment input (named after the tensor it stands for, so plans can wire segments by name).
/// </summary>
public static class SubgraphExtractor
{
    public static Graph Extract(Graph source, Segment segment)
    {
        var g = new Graph(source.SourceFile);
        foreach (var (k, v) in source.Metadata) g.Metadata[k] = v;
        var map = new Dictionary<Value, Value>();
        foreach (var input in segment.Inputs)
        {
            var p = g.AddNode(input.Name.Replace(':', '_'), Ops.Placeholder, type: input.Type);
            p.Attrs[Attr.DType] = input.Type;
            p.Attrs[Attr.Shape] = input.Shape;
            p.Output.Shape = input.Shape;
            g.Inputs.Add(p.Output);
            map[input] = p.Output;
        }
        Value Map(Value v)
        {
            if (map.TryGetValue(v, out var m)) return m;
            if (!v.Producer.IsConst) throw new InvalidOperationException($"segment reads {v.Name} but does not declare it as an input");
            var c = g.AddConst(v.Producer.Name, v.Producer.ConstValue);
            map[v] = c.Output;
            return c.Output;
        }
        foreach (var n in segment.Nodes)
        {
            var copy = g.AddNode(n.Name, n.Op, n.Inputs.Select(Map).ToList(), 0);
            foreach (var (k, v) in n.Attrs) copy.Attrs[k] = v;
            copy.Origins.Clear();
            copy.Origins.AddRange(n.Origins);
            foreach (var o in n.Outputs)
            {
                var co = copy.AddOutput(o.Type);
                co.Shape = o.Shape;
                co.SymbolicValue = o.SymbolicValue;
                map[o] = co;
            }
        }
        g.Outputs.AddRange(segment.Outputs.Select(v => map[v]));
        g.TopologicalSort();
        return g;
    }
}
