namespace EastBake.Compiler.Onnx;

/// <summary>
/// Element order of an exported tensor. <see cref="Tf"/> is TensorFlow's own order (NHWC for 4-D,
/// and the only order of other ranks); <see cref="Nchw"/> is ONNX's channel-first order of a
/// 4-D activation.
/// </summary>
public enum Layout
{
    Tf,
    Nchw,
}

/// <summary>Axis arithmetic between NHWC (TF) and NCHW (ONNX) for 4-D tensors.</summary>
public static class LayoutAxes
{
    public static readonly long[] ToNchw = [0, 3, 1, 2];
    public static readonly long[] ToNhwc = [0, 2, 3, 1];

    /// <summary>Position in NCHW of NHWC axis <paramref name="nhwcAxis"/> (already non-negative).</summary>
    public static int NchwAxis(int nhwcAxis) => nhwcAxis switch { 0 => 0, 1 => 2, 2 => 3, 3 => 1, _ => throw new ArgumentOutOfRangeException(nameof(nhwcAxis)) };

    /// <summary>
    /// Whether removing <paramref name="removedNhwcAxes"/> from an NCHW tensor leaves the remaining
    /// dims in TF's order (e.g. reducing H and W: [N,C] either way; reducing N alone: not).
    /// </summary>
    public static bool RemovalKeepsTfOrder(IEnumerable<int> removedNhwcAxes)
    {
        var removed = removedNhwcAxes.ToHashSet();
        var positions = Enumerable.Range(0, 4).Where(a => !removed.Contains(a)).Select(NchwAxis).ToList();
        return positions.SequenceEqual(positions.Order());
    }
}
