using System.Numerics;
using System.Runtime.InteropServices;

namespace EastBake.Baking.Calibration;

/// <summary>
/// Histogram of |x| starting at 0, filled batch by batch, seen by the calibrators as 2048 equal
/// bins that cover the largest |x| observed.
/// </summary>
/// <remarks>
/// Widening rule. Counts are kept in 16 × 2048 fine bins. The first batch with a non-zero value
/// fixes a base width <c>w0 = max·(1 + 2⁻¹⁰) / 32768</c>. The fine bin width is always
/// <c>w0·2^k</c>: a value goes to fine bin <c>floor(|x| / w0) &gt;&gt; k</c>. When a later batch
/// holds a value whose fine bin would be ≥ 32768, k grows by one as often as needed, each step
/// merging fine bins (2j, 2j+1) into j. Because <c>floor(floor(q) / 2^k) = floor(q / 2^k)</c>,
/// the counts are exactly those of binning every value seen so far directly at the final width;
/// no count is ever split or interpolated. The 2048 bins the calibrators see merge
/// <c>m = ⌈(last non-empty fine bin + 1) / 2048⌉</c> fine bins each (m ≤ 16), so they reach just
/// past the largest |x|: at most 8/7 of it once widened (about 1.001 before), where TensorRT's
/// histograms end at the maximum. Zeros always fall in bin 0, also before the width is known.
/// </remarks>
public sealed class ActivationHistogram
{
    public const int BinCount = 2048;
    internal const int Resolution = 16;
    internal const int FineBinCount = BinCount * Resolution;
    private const double Headroom = 1.0 + 1.0 / 1024;
    private readonly long[] _fine = new long[FineBinCount];
    private double _baseWidth;
    private int _shift;
    private long[]? _bins;
    private int _merge = 1;

    /// <summary>Values added (zeros included).</summary>
    public long Count { get; private set; }

    /// <summary>Largest |x| added.</summary>
    public float ObservedMax { get; private set; }

    /// <summary>The 2048 bins (see the remarks for how they are made from the fine bins).</summary>
    public ReadOnlySpan<long> Bins
    {
        get
        {
            if (_bins is null) Coarsen();
            return _bins;
        }
    }

    /// <summary>Width of one of the 2048 bins (0 while only zeros were seen).</summary>
    public double BinWidth
    {
        get
        {
            if (_bins is null) Coarsen();
            return FineBinWidth * _merge;
        }
    }

    /// <summary>Upper edge of the last of the 2048 bins.</summary>
    public double Range => BinWidth * BinCount;

    /// <summary>Times the fine bins were merged pairwise because a batch exceeded their range.</summary>
    public int Widenings => _shift;

    internal ReadOnlySpan<long> FineBins => _fine;
    internal double FineBinWidth => _baseWidth * Math.ScaleB(1.0, _shift);
    internal double BaseWidth => _baseWidth;

    /// <summary>Adds a batch. Returns false, adding nothing, when the batch holds a NaN or an infinity.</summary>
    public bool Add(ReadOnlySpan<float> values)
    {
        if (!MaxAbs(values, out var max)) return false;
        _bins = null;
        if (max > 0)
        {
            if (_baseWidth == 0) _baseWidth = max * Headroom / FineBinCount;
            if (max / _baseWidth >= 4.611686018427387904e18) // 2^62
                throw new InvalidOperationException($"|x| up to {max} after a first non-zero batch of max {_baseWidth * FineBinCount:G3}: dynamic range too large");
            while (((long)(max / _baseWidth) >> _shift) >= FineBinCount) Widen();
            if (max > ObservedMax) ObservedMax = max;
        }
        var fine = _fine;
        double w0 = _baseWidth;
        int shift = _shift;
        long zeros = 0;
        foreach (var v in values)
        {
            var a = Math.Abs(v);
            if (a == 0) { zeros++; continue; }
            fine[(long)(a / w0) >> shift]++;
        }
        fine[0] += zeros;
        Count += values.Length;
        return true;
    }

    /// <summary>A histogram whose 2048 bins are exactly <paramref name="bins"/> (calibrator tests).</summary>
    public static ActivationHistogram FromBins(ReadOnlySpan<long> bins, double binWidth, float observedMax)
    {
        if (bins.Length != BinCount) throw new ArgumentException($"{BinCount} bins expected, got {bins.Length}", nameof(bins));
        var h = new ActivationHistogram { _baseWidth = binWidth, ObservedMax = observedMax };
        bins.CopyTo(h._fine);
        foreach (var b in bins) h.Count += b;
        return h;
    }

    private void Widen()
    {
        for (var j = 0; j < FineBinCount / 2; j++) _fine[j] = _fine[2 * j] + _fine[2 * j + 1];
        Array.Clear(_fine, FineBinCount / 2, FineBinCount / 2);
        _shift++;
    }

    private void Coarsen()
    {
        var last = Array.FindLastIndex(_fine, c => c != 0);
        _merge = Math.Max(1, (last + BinCount) / BinCount);
        var bins = new long[BinCount];
        for (var j = 0; j < BinCount; j++)
        {
            long s = 0;
            for (int f = j * _merge, end = f + _merge; f < end; f++) s += _fine[f];
            bins[j] = s;
        }
        _bins = bins;
    }

    /// <summary>max |x| (vectorized); false when any value is NaN or infinite.</summary>
    private static bool MaxAbs(ReadOnlySpan<float> values, out float max)
    {
        var vm = Vector<float>.Zero;
        var nan = Vector<int>.Zero;
        var i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var vs = MemoryMarshal.Cast<float, Vector<float>>(values);
            foreach (var v in vs)
            {
                vm = Vector.Max(vm, Vector.Abs(v));
                nan |= ~Vector.Equals(v, v);
            }
            i = vs.Length * Vector<float>.Count;
        }
        max = 0;
        for (var k = 0; k < Vector<float>.Count; k++) max = Math.Max(max, vm[k]);
        var bad = nan != Vector<int>.Zero;
        for (; i < values.Length; i++)
        {
            var a = Math.Abs(values[i]);
            if (float.IsNaN(a)) bad = true;
            else if (a > max) max = a;
        }
        return !bad && float.IsFinite(max);
    }
}
