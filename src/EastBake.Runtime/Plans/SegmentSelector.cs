using EastBake.Diagnostics;

namespace EastBake.Runtime.Plans;

/// <summary>
/// Picks the segments one backend runs on one device, so that no backend ever runs a payload
/// specialized for another architecture. For each group (in plan order), among the segments of
/// the backend's engine: those built for the device's architecture; failing that, the portable
/// ones, with warning EB4006; failing that, EB4051 (the plan was baked for other devices only).
/// Every backend (ONNX Runtime, ILGPU, TensorRT) calls this with its device's architecture string
/// (e.g. <c>sm_90</c>; <see cref="PlanTarget.Portable"/> for devices that only run portable payloads).
/// </summary>
public static class SegmentSelector
{
    /// <param name="warn">receives one canonical warning line per group that falls back</param>
    /// <returns>the segments to run, in plan order; empty when the plan has none for <paramref name="engine"/></returns>
    public static IReadOnlyList<PlanSegment> Select(Plan plan, string engine, string deviceArchitecture,
        Action<string>? warn = null, string? planFile = null)
    {
        var picked = new HashSet<PlanSegment>();
        foreach (var group in plan.Segments.Where(s => s.Engine == engine).GroupBy(s => s.Group))
        {
            var exact = group.Where(s => Same(s.Architecture, deviceArchitecture)).ToList();
            if (exact.Count > 0)
            {
                picked.UnionWith(exact);
                continue;
            }
            var others = string.Join(", ", group.Select(s => s.Architecture)
                .Where(a => !Same(a, PlanTarget.Portable)).Distinct(StringComparer.OrdinalIgnoreCase));
            var portable = group.Where(s => Same(s.Architecture, PlanTarget.Portable)).ToList();
            if (portable.Count == 0)
                throw new EastBakeException(ErrorCodes.PlanNoSegmentForDevice,
                    $"the plan's {engine} segments of group {group.Key} are built for {others}, not for this device ({deviceArchitecture}), " +
                    "and it has no portable twin: rebake the model for this device, or with a portable backend (Onnx)", planFile);
            warn?.Invoke(new EastBakeException(ErrorCodes.PlanTargetMismatch,
                $"the plan's {engine} segments of group {group.Key} are built for {others}, not for this device ({deviceArchitecture}); " +
                "running the portable twin instead (slower; rebake for this device to use its tuned engine)", planFile).Format("warning"));
            picked.UnionWith(portable);
        }
        return plan.Segments.Where(picked.Contains).ToList();
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
