using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>Where a producer writes: a fresh aligned tensor, or a channel slice of a concat buffer.</summary>
internal sealed record Destination(TensorRef Ref, int Count, ActValue Value, Action? OnWritten = null);

/// <summary>
/// The engine program under construction: aligned tensors, weights in the plan's precision and
/// kernel layout, and the small generic emitters (padded copies, scale-shift materialization).
/// </summary>
internal sealed class ProgramBuilder
{
    public ProgramBuilder(ShapeProfile profile, int inputChannels, EngineDataType type, int alignment)
    {
        if (alignment < 1) throw new ArgumentOutOfRangeException(nameof(alignment), "channel alignment must be at least 1");
        Program = new EngineProgram { Profile = profile, InputChannels = inputChannels };
        Type = type;
        Alignment = alignment;
    }

    public EngineProgram Program { get; }
    public EngineDataType Type { get; }
    public int Alignment { get; }

    public int Align(int channels) => (channels + Alignment - 1) / Alignment * Alignment;

    public T Add<T>(T layer) where T : EngineLayer
    {
        Program.Layers.Add(layer);
        return layer;
    }

    /// <summary>A new tensor for <paramref name="channels"/> real channels, padded to the alignment.</summary>
    public Destination Fresh(string name, int channels, SpatialScale scale)
    {
        int padded = Align(channels);
        int t = Program.AddTensor(new EngineTensor(name, padded, scale.H.Den, Type, scale.H.Num, scale.W.Num, scale.W.Den));
        return new Destination(new TensorRef(t), padded, new ActValue(new TensorRef(t), channels, padded, scale));
    }

    /// <summary>HWIO filter [kh][kw][cin][cout] in the program's precision (FP16: round to nearest even).</summary>
    public int Filter(string name, float[] hwio) =>
        Program.AddWeight(EngineWeight.FromFloats(name, hwio, Type, WeightLayout.Hwio));

    public int Vector(string name, float[] values) => Program.AddWeight(EngineWeight.FromFloats(name, values));

    /// <summary>Whether <see cref="Readable"/> can give <paramref name="count"/> channels of <paramref name="a"/>.</summary>
    public bool CanRead(ActValue a, int count) => count <= Math.Max(a.Readable, Align(a.Channels));

    /// <summary>
    /// <paramref name="a"/> with at least <paramref name="count"/> readable channels: itself, or a
    /// zero-padded copy when its slice is too narrow (e.g. a Split output).
    /// </summary>
    public ActValue Readable(ActValue a, int count, string name)
    {
        if (a.Readable >= count) return a;
        var dst = Fresh(name + "/padded", a.Channels, a.Scale);
        if (dst.Count < count) throw new InvalidOperationException($"cannot make {count} channels of '{name}' readable");
        Add(new ConcatLayer { Name = name + "/padded", Inputs = [(a.Ref, a.Channels)], Output = dst.Ref, ZeroChannels = dst.Count - a.Channels });
        return dst.Value;
    }

    /// <summary>Emits the scale-shift of <paramref name="p"/> into <paramref name="dst"/> (padding channels: scale 0, shift 0).</summary>
    public ActValue Materialize(PointwiseValue p, Destination dst, string name)
    {
        var source = Readable(p.Source, dst.Count, name);
        var scale = new float[dst.Count];
        var shift = new float[dst.Count];
        for (int c = 0; c < p.Source.Channels; c++)
        {
            scale[c] = (float)p.Scale[c];
            shift[c] = (float)p.Shift[c];
        }
        Add(new ScaleShiftLayer
        {
            Name = name, Input = source.Ref, Output = dst.Ref, Channels = dst.Count, Activation = p.Activation,
            Scale = Vector(name + "/scale", scale), Shift = Vector(name + "/shift", shift),
        });
        dst.OnWritten?.Invoke();
        return dst.Value;
    }
}
