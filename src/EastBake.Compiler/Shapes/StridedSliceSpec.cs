using EastBake.Compiler.Ir;
using EastBake.Diagnostics;

namespace EastBake.Compiler.Shapes;

/// <summary>The slice taken along one input dimension.</summary>
/// <param name="Begin">first index read (canonical, in range), valid when the dim is known</param>
/// <param name="Size">number of indices read; -1 when the input dim is unknown</param>
public readonly record struct SliceAxis(long Begin, long Stride, long Size, bool Shrink,
    bool BeginMasked, bool EndMasked, long RawBegin, long RawEnd);

/// <summary>
/// TensorFlow's StridedSlice index resolution: expands the sparse spec (ellipsis, new-axis
/// and shrink masks, implicit trailing ellipsis) into one <see cref="SliceAxis"/> per input
/// dimension, plus the output layout. Shared by shape inference and the reference interpreter.
/// </summary>
public sealed class StridedSliceSpec
{
    /// <summary>Marks a new axis (size 1) in <see cref="OutputAxes"/>.</summary>
    public const int NewAxis = -1;

    private StridedSliceSpec(SliceAxis[] axes, int[] outputAxes) => (Axes, OutputAxes) = (axes, outputAxes);

    /// <summary>One entry per input dimension.</summary>
    public SliceAxis[] Axes { get; }

    /// <summary>For each output dimension: the input dimension it comes from, or <see cref="NewAxis"/>.</summary>
    public int[] OutputAxes { get; }

    public readonly record struct Masks(long Begin, long End, long Ellipsis, long NewAxis, long Shrink);

    internal static Masks MasksOf(Node node) => new(
        NodeAttributes.Long(node, Attr.BeginMask, 0), NodeAttributes.Long(node, Attr.EndMask, 0),
        NodeAttributes.Long(node, Attr.EllipsisMask, 0), NodeAttributes.Long(node, Attr.NewAxisMask, 0),
        NodeAttributes.Long(node, Attr.ShrinkAxisMask, 0));

    /// <param name="dims">input dims, -1 where unknown</param>
    public static StridedSliceSpec Resolve(long[] dims, long[] begin, long[] end, long[] strides, Masks m, string? node = null)
    {
        if (begin.Length != end.Length || begin.Length != strides.Length)
            throw Error(node, $"begin/end/strides lengths differ ({begin.Length}, {end.Length}, {strides.Length})");
        var sparseDims = begin.Length;
        var ellipsis = m.Ellipsis;
        var addAxesAfterEllipsis = 0;
        var seenEllipsis = false;
        for (var i = 0; i < sparseDims; i++)
        {
            if (seenEllipsis && Bit(m.NewAxis, i)) addAxesAfterEllipsis++;
            if (Bit(ellipsis, i)) seenEllipsis = true;
        }
        if (!seenEllipsis)
        {
            ellipsis |= 1L << sparseDims; // implicit trailing ellipsis covers the remaining dims
            sparseDims++;
        }

        var rank = dims.Length;
        var axes = new SliceAxis[rank];
        var output = new List<int>();
        var full = 0;
        for (var i = 0; i < sparseDims; i++)
        {
            if (Bit(ellipsis, i))
            {
                var next = Math.Min(rank - (sparseDims - i) + 1 + addAxesAfterEllipsis, rank);
                for (; full < next; full++)
                {
                    axes[full] = Axis(dims[full], 0, 0, 1, beginMasked: true, endMasked: true, shrink: false, node);
                    output.Add(full);
                }
            }
            else if (Bit(m.NewAxis, i))
                output.Add(NewAxis);
            else
            {
                if (full >= rank) throw Error(node, $"slice spec has more dims than the input's rank {rank}");
                var shrink = Bit(m.Shrink, i);
                axes[full] = Axis(dims[full], begin[i], end[i], strides[i], Bit(m.Begin, i), Bit(m.End, i), shrink, node);
                if (!shrink) output.Add(full);
                full++;
            }
        }
        for (; full < rank; full++) // only reachable when the spec had an explicit ellipsis earlier
        {
            axes[full] = Axis(dims[full], 0, 0, 1, true, true, false, node);
            output.Add(full);
        }
        return new StridedSliceSpec(axes, output.ToArray());
    }

    /// <summary>Output dim of one input axis for a known or symbolic input dim.</summary>
    public static Dim OutputDim(SliceAxis a, Dim input)
    {
        if (a.Size >= 0) return a.Size;
        if (a.Stride == 1 && a.EndMasked && (a.BeginMasked || a.RawBegin == 0)) return input;
        if (a.Stride == 1 && a.EndMasked && a.RawBegin > 0) return input - a.RawBegin;
        if (!a.BeginMasked && !a.EndMasked && a.RawBegin >= 0 && a.RawEnd >= a.RawBegin && a.Stride > 0)
            return (a.RawEnd - a.RawBegin + a.Stride - 1) / a.Stride; // assumes the input reaches RawEnd
        return Dim.Unknown;
    }

    private static SliceAxis Axis(long dim, long b, long e, long s, bool beginMasked, bool endMasked, bool shrink, string? node)
    {
        if (s == 0) throw Error(node, "stride 0");
        if (shrink)
        {
            if (dim < 0) return new SliceAxis(b, 1, 1, true, false, false, b, b + 1);
            var x = b < 0 ? b + dim : b;
            if (x < 0 || x >= dim) throw Error(node, $"shrink index {b} out of range for a dim of {dim}");
            return new SliceAxis(x, 1, 1, true, false, false, b, b + 1);
        }
        if (dim < 0) return new SliceAxis(b, s, -1, false, beginMasked, endMasked, b, e);
        long lo = s > 0 ? 0 : -1, hi = s > 0 ? dim : dim - 1;
        long Canon(long v, bool masked, bool isBegin) =>
            masked ? (s > 0 == isBegin ? lo : hi) : Math.Clamp(v < 0 ? v + dim : v, lo, hi);
        var begin = Canon(b, beginMasked, true);
        var end = Canon(e, endMasked, false);
        var size = s > 0
            ? (end > begin ? (end - begin + s - 1) / s : 0)
            : (begin > end ? (begin - end - s - 1) / -s : 0);
        return new SliceAxis(begin, s, size, false, beginMasked, endMasked, b, e);
    }

    private static bool Bit(long mask, int i) => (mask & (1L << i)) != 0;

    private static EastBakeException Error(string? node, string what) =>
        new(ErrorCodes.BadAttribute, $"StridedSlice: {what}", node: node);
}
