using EastBake.Diagnostics;

namespace EastBake.Baking.Partitioning;

/// <summary>
/// The ONNX engine is the plan's host path: a node its partition leaves out has nowhere to run at
/// load time (EastBake has no host executor). Such a bake fails here, naming the nodes, their ops
/// and the segments the graph would have been split into, instead of writing a plan the runtime
/// cannot execute.
/// </summary>
public static class HostPathCheck
{
    public static void RequireNoHostNodes(PartitionResult partition, string? file)
    {
        if (partition.HostNodes.Count == 0) return;
        const int listed = 5;
        var nodes = string.Join("; ", partition.HostNodes.Take(listed).Select(h => $"'{h.Node.Name}' ({h.Node.Op}): {h.Reason}"));
        var more = partition.HostNodes.Count > listed ? $"; and {partition.HostNodes.Count - listed} more" : "";
        throw new EastBakeException(ErrorCodes.HostNodesUnsupported,
            $"{partition.HostNodes.Count} node(s) cannot run on the {partition.Engine} engine: {nodes}{more}. " +
            $"They would split the graph into {partition.Segments.Count} {partition.Engine} segment(s) with host work between them, " +
            "and EastBake has no host executor, so no plan is written (see the partition report above; " +
            "replace the op in the model, or lower MinimumSegmentSize if the reason is the segment size)",
            file, partition.HostNodes[0].Node.Name);
    }
}
