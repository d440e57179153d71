using EastBake.Runtime.Engine;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>What a graph value became in the engine program.</summary>
internal abstract record Lowered;

/// <summary>
/// An activation held in engine memory: <see cref="Channels"/> real channels starting at
/// <see cref="Ref"/>; channels [Channels, Readable) after them are exact zeros that a reader may
/// include (alignment padding).
/// </summary>
internal sealed record ActValue(TensorRef Ref, int Channels, int Readable, SpatialScale Scale) : Lowered;

/// <summary>
/// Elementwise arithmetic not emitted yet: y = act(Source) · Scale[c] + Shift[c]. Chains of such
/// ops compose into one <see cref="ScaleShiftLayer"/>, emitted when a reader needs memory.
/// </summary>
internal sealed record PointwiseValue(ActValue Source, EngineActivation Activation, double[] Scale, double[] Shift) : Lowered
{
    public static PointwiseValue Identity(ActValue a) =>
        new(a, EngineActivation.None, Enumerable.Repeat(1.0, a.Channels).ToArray(), new double[a.Channels]);

    public bool IsIdentity => Activation == EngineActivation.None && Scale.All(s => s == 1) && Shift.All(b => b == 0);

    /// <summary>(act(x)·s + b)·a + c.</summary>
    public PointwiseValue ThenAffine(double[] a, double[] c) => this with
    {
        Scale = Scale.Select((s, i) => s * a[i]).ToArray(),
        Shift = Shift.Select((b, i) => b * a[i] + c[i]).ToArray(),
    };
}
