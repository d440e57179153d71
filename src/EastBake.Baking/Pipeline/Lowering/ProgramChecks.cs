using EastBake.Runtime.Engine;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>Invariants the lowering guarantees beyond <see cref="EngineProgram.Validate"/>.</summary>
internal static class ProgramChecks
{
    /// <summary>Every channel of every tensor in use is written (so alignment padding is defined: exact zeros by construction).</summary>
    public static void EveryChannelWritten(EngineProgram p)
    {
        var written = p.Tensors.Select(t => new bool[t.Channels]).ToArray();
        foreach (var layer in p.Layers)
            foreach (var (r, c) in layer.Writes())
                for (int k = 0; k < c; k++) written[r.Tensor][r.ChannelOffset + k] = true;
        for (int t = 0; t < written.Length; t++)
            if (written[t].Any(w => w) && written[t].Any(w => !w))
                throw new InvalidOperationException(
                    $"lowering bug: tensor '{p.Tensors[t].Name}' has channels that no layer writes ({Array.IndexOf(written[t], false)} first)");
    }
}
