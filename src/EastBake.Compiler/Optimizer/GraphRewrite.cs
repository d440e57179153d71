using EastBake.Compiler.Ir;

namespace EastBake.Compiler.Optimizer;

/// <summary>Small queries and edits the passes share.</summary>
internal static class GraphRewrite
{
    /// <summary>The constant behind <paramref name="v"/> (through Identity chains), or null.</summary>
    public static Tensor? ConstOf(Value v)
    {
        var n = v.Producer;
        while (n.Op == Ops.Identity && n.Inputs.Count == 1) n = n.Inputs[0].Producer;
        return n.IsConst ? n.ConstValue : null;
    }

    /// <summary>The only reader of <paramref name="v"/>, or null when it has several or is a graph output.</summary>
    public static Node? SoleReader(Graph g, Value v)
    {
        if (g.Outputs.Contains(v)) return null;
        Node? only = null;
        foreach (var (n, _) in g.Consumers(v))
        {
            if (only is not null) return null;
            only = n;
        }
        return only;
    }

    /// <summary>True when no node reads <paramref name="v"/> and it is not a graph output.</summary>
    public static bool Unused(Graph g, Value v) => g.UseCount(v) == 0;

    /// <summary>
    /// Folds <paramref name="tail"/> into <paramref name="head"/>: readers of the tail's output read
    /// the head's instead and the tail is removed. When the tail's output was a graph output the
    /// head takes the tail's name, so output tensor names survive optimization.
    /// </summary>
    public static void Absorb(Graph g, Node head, Node tail)
    {
        var wasOutput = g.Outputs.Contains(tail.Output);
        g.ReplaceAllUses(tail.Output, head.Output);
        head.Origins.AddRange(tail.Origins);
        g.Remove(tail);
        if (wasOutput && g.Find(tail.Name) is null) g.Rename(head, tail.Name);
    }

    /// <summary>Normalizes a possibly negative axis.</summary>
    public static int Axis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);
}
