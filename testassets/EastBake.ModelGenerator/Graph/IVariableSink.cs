namespace EastBake.ModelGenerator.Graph;

/// <summary>
/// Where model weights go: a frozen graph stores them as Const nodes, a checkpoint graph as
/// VariableV2 nodes (values in the bundle). Either way consumers read them through "name/read".
/// </summary>
public interface IVariableSink
{
    /// <summary>Adds variable <paramref name="name"/> and returns the tensor to consume (its "/read" Identity).</summary>
    string Variable(string name, long[] shape, float[] values, VariableInit init);
}

/// <summary>The initializer a TF1 training graph would give the variable (used by checkpoint graphs only).</summary>
public enum VariableInit { Zeros, Ones }

/// <summary>Frozen form: Const + Identity "/read", as freeze_graph leaves them.</summary>
public sealed class FrozenVariableSink(GraphWriter g) : IVariableSink
{
    public string Variable(string name, long[] shape, float[] values, VariableInit init)
    {
        g.Const(name, TfTensors.Floats(shape, values));
        return g.FloatOp(name + "/read", "Identity", name);
    }
}
