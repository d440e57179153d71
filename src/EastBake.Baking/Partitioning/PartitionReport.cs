using System.Text;

namespace EastBake.Baking.Partitioning;

/// <summary>Human-readable partition report: every segment and every node left out, with the reason.</summary>
public static class PartitionReport
{
    public static string Format(PartitionResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Partition for engine '{r.Engine}' (MinimumSegmentSize {r.MinimumSegmentSize}): " +
                      $"{r.Segments.Count} segment(s), {r.HostNodes.Count} node(s) on the host path");
        foreach (var s in r.Segments)
        {
            sb.AppendLine($"  segment {s.Id}: {s.Nodes.Count} nodes ({s.EffectiveNodeCount} effective)");
            sb.AppendLine($"    ops:     {string.Join(", ", s.OpHistogram.Select(kv => $"{kv.Key}×{kv.Value}"))}");
            sb.AppendLine($"    inputs:  {string.Join(", ", s.Inputs.Select(v => $"{v.Name}{v.Shape}"))}");
            sb.AppendLine($"    outputs: {string.Join(", ", s.Outputs.Select(v => $"{v.Name}{v.Shape}"))}");
        }
        foreach (var h in r.HostNodes)
            sb.AppendLine($"  host: {h.Node.Name} ({h.Node.Op}): {h.Reason}");
        return sb.ToString();
    }
}
