using EastBake.Compiler.Ir;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>An in-graph mean subtraction right after the input, folded into the input conversion.</summary>
internal sealed record InputMean(float[] Mean, Value Result, IReadOnlyList<Node> Covered);

/// <summary>
/// Finds <c>ConcatV2(Sub(Split(x)[0], m0), …, Sub(Split(x)[C−1], mC−1))</c> on the channel axis
/// (the EAST training code's form) or <c>Sub(x, m)</c>, where x is the input and nothing else
/// reads it. The input conversion then computes x − m before any layer zero-pads, exactly as the
/// graph does (folding the means into the first conv's bias instead would be wrong at the borders).
/// </summary>
internal static class InputMeanMatcher
{
    public static InputMean? Match(GraphIndex g, Value input, int channels)
    {
        if (g.SoleReader(input) is not { } reader) return null;
        if (reader.Op == Ops.Sub && reader.Inputs[0] == input && Means(reader.Inputs[1], channels) is { } direct)
            return new InputMean(direct, reader.Output, [reader]);
        if (reader.Op != Ops.Split || reader.Inputs.Count != 2 || reader.Inputs[1] != input || !IsChannelAxis(reader.Inputs[0]) ||
            reader.Outputs.Count != channels)
            return null;
        var mean = new float[channels];
        var subs = new List<Node>();
        for (int c = 0; c < channels; c++)
        {
            if (g.SoleReader(reader.Outputs[c]) is not { Op: Ops.Sub } sub || sub.Inputs[0] != reader.Outputs[c] ||
                Means(sub.Inputs[1], 1) is not [var m])
                return null;
            mean[c] = m;
            subs.Add(sub);
        }
        if (g.SoleReader(subs[0].Output) is not { Op: Ops.ConcatV2 } concat || concat.Inputs.Count != channels + 1 ||
            !IsChannelAxis(concat.Inputs[^1]) || Enumerable.Range(0, channels).Any(c => concat.Inputs[c] != subs[c].Output) ||
            subs.Any(s => g.SoleReader(s.Output) != concat))
            return null;
        return new InputMean(mean, concat.Output, [reader, .. subs, concat]);
    }

    /// <summary>A float constant with one value per channel (or one for all).</summary>
    private static float[]? Means(Value v, int channels)
    {
        if (GraphIndex.ConstOf(v) is not { Floats: { } f } t || t.Shape.Take(Math.Max(0, t.Rank - 1)).Any(d => d != 1)) return null;
        if (f.Length == channels) return f;
        return f.Length == 1 ? Enumerable.Repeat(f[0], channels).ToArray() : null;
    }

    internal static bool IsChannelAxis(Value axis) => GraphIndex.ConstOf(axis) is { Ints: [var a] } && a is 3 or -1;
}
