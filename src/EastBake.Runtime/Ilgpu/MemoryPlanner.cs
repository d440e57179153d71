using EastBake.Runtime.Engine;

namespace EastBake.Runtime.Ilgpu;

/// <summary>Where each tensor lives in the activation arena, and what sharing saved.</summary>
public sealed class MemoryPlan
{
    internal MemoryPlan(long[] offsets, long[] sizes, long peakBytes)
    {
        Offsets = offsets;
        Sizes = sizes;
        PeakBytes = peakBytes;
        NaiveBytes = sizes.Sum();
    }

    /// <summary>Byte offset of each tensor in the arena.</summary>
    public IReadOnlyList<long> Offsets { get; }
    /// <summary>Byte size of each tensor at the largest profile shape (0 for unused tensors).</summary>
    public IReadOnlyList<long> Sizes { get; }
    /// <summary>Arena size: the memory the activations actually take.</summary>
    public long PeakBytes { get; }
    /// <summary>Sum of all tensor sizes: what one buffer per tensor would take.</summary>
    public long NaiveBytes { get; }

    public override string ToString() => $"activations {PeakBytes:N0} bytes (naive {NaiveBytes:N0}, {(double)PeakBytes / Math.Max(1, NaiveBytes):P0})";
}

/// <summary>
/// Static offset assignment for activations: tensors are placed, largest first, at the lowest
/// aligned offset that does not collide with any already-placed tensor whose lifetime
/// [first write, last read] (in layer indices, both inclusive) overlaps. A layer's inputs and
/// outputs are live at the same index, so a layer never aliases its own operands.
/// </summary>
public static class MemoryPlanner
{
    public const int DefaultAlignment = 256;

    public static MemoryPlan Plan(IReadOnlyList<long> sizes, IReadOnlyList<(int First, int Last)> lifetimes, int alignment = DefaultAlignment)
    {
        int n = sizes.Count;
        var offsets = new long[n];
        var order = Enumerable.Range(0, n).Where(i => sizes[i] > 0)
            .OrderByDescending(i => sizes[i]).ThenBy(i => lifetimes[i].First).ToArray();
        var placed = new List<int>();
        long peak = 0;
        foreach (int i in order)
        {
            var conflicts = placed
                .Where(j => lifetimes[j].First <= lifetimes[i].Last && lifetimes[i].First <= lifetimes[j].Last)
                .OrderBy(j => offsets[j]);
            long candidate = 0;
            foreach (int j in conflicts)
            {
                if (candidate + sizes[i] <= offsets[j]) break;
                candidate = Math.Max(candidate, AlignUp(offsets[j] + sizes[j], alignment));
            }
            offsets[i] = candidate;
            placed.Add(i);
            peak = Math.Max(peak, candidate + sizes[i]);
        }
        return new MemoryPlan(offsets, sizes.ToArray(), AlignUp(peak, alignment));
    }

    /// <summary>Plans the program's activations at the largest shape of its profile.</summary>
    public static MemoryPlan Plan(EngineProgram program, int alignment = DefaultAlignment)
    {
        var (first, last) = Lifetimes(program);
        var sizes = new long[program.Tensors.Count];
        for (int t = 0; t < sizes.Length; t++)
            if (first[t] >= 0) sizes[t] = AlignUp(program.Tensors[t].ByteCount(program.Profile.MaxHeight, program.Profile.MaxWidth), alignment);
        return Plan(sizes, first.Zip(last).ToArray(), alignment);
    }

    /// <summary>Per tensor: index of the first layer writing it (−1 if none) and of the last layer reading it.</summary>
    public static (int[] First, int[] Last) Lifetimes(EngineProgram program)
    {
        int n = program.Tensors.Count;
        var first = Enumerable.Repeat(-1, n).ToArray();
        var last = Enumerable.Repeat(-1, n).ToArray();
        for (int l = 0; l < program.Layers.Count; l++)
        {
            foreach (var (r, _) in program.Layers[l].Writes())
            {
                if (first[r.Tensor] < 0) first[r.Tensor] = l;
                last[r.Tensor] = Math.Max(last[r.Tensor], l);
            }
            foreach (var (r, _) in program.Layers[l].Reads()) last[r.Tensor] = Math.Max(last[r.Tensor], l);
        }
        foreach (var o in program.Outputs) last[o.Source.Tensor] = program.Layers.Count; // read after the last layer
        return (first, last);
    }

    internal static long AlignUp(long v, long a) => (v + a - 1) / a * a;
}
