using System.Numerics;
using System.Runtime.InteropServices;

namespace EastBake.Baking.Calibration;

/// <summary>
/// Histogram of |x| over 2048 equal bins starting at 0, filled batch by batch.
/// </summary>
/// <remarks>
/// Widening rule. The first batch with a non-zero value fixes a base width
/// <c>w0 = max·(1 + 2⁻¹⁰) / 2048</c> (so that max lands inside the last bins). The bin width is
/// always <c>w0·2^k</c>: a value goes to bin <c>floor(|x| / w0) &gt;&gt; k</c>. When a later batch
/// holds a value whose bin would be ≥ 2048, k grows by one as often as needed, each step merging
/// bins (2j, 2j+1) into bin j. Because <c>floor(floor(q) / 2^k) = floor(q / 2^k)</c>, the merged
/// counts are exactly those of binning every value seen so far directly at the final width: no
/// count is split or interpolated, and the range is at most twice the largest |x| seen.
/// Zeros always fall in bin 0 (also before the width is known).
/// </remarks>
public sealed class ActivationHistogram
{
    public const int BinCount = 2048;
    private const double Headroom = 1.0 + 1.0 / 1024;
    private readonly long[] _bins = new long[BinCount];
    private double _baseWidth;
    private int _shift;

    public ReadOnlySpan<long> Bins => _bins;

    /// <summary>Values added (zeros included).</summary>
    public long Count { get; private set; }

    /// <summary>Largest |x| added.</summary>
    public float ObservedMax { get; private set; }

    /// <summary>Width of one bin (0 while only zeros were seen).</summary>
    public double BinWidth => _baseWidth * Math.ScaleB(1.0, _shift);

    /// <summary>Upper edge of the last bin.</summary>
    public double Range => BinWidth * BinCount;

    /// <summary>Times the bins were merged pairwise because a batch exceeded the range.</summary>
    public int Widenings => _shift;

    /// <summary>
    /// Adds a batch. Returns false, adding nothing, when the batch holds a NaN or an infinity.
    /// </summary>
    public bool Add(ReadOnlySpan<float> values)
    {
        if (!MaxAbs(values, out var max)) return false;
        if (max > 0)
        {
            if (_baseWidth == 0) _baseWidth = max * Headroom / BinCount;
            if (Math.Floor(max / _baseWidth) >= 4.611686018427387904e18) // 2^62
                throw new InvalidOperationException($"|x| up to {max} after a first batch with max {_baseWidth * BinCount:G3}: dynamic range beyond 2^51 bins");
            while (((long)Math.Floor(max / _baseWidth) >> _shift) >= BinCount) Widen();
            if (max > ObservedMax) ObservedMax = max;
        }
        var bins = _bins;
        double w0 = _baseWidth;
        int shift = _shift;
        long zeros = 0;
        foreach (var v in values)
        {
            var a = Math.Abs(v);
            if (a == 0) { zeros++; continue; }
            bins[(long)(a / w0) >> shift]++;
        }
        bins[0] += zeros;
        Count += values.Length;
        return true;
    }

    /// <summary>A histogram with given counts and bin width (for calibrator tests and cached statistics).</summary>
    public static ActivationHistogram FromBins(ReadOnlySpan<long> bins, double binWidth, float observedMax)
    {
        if (bins.Length != BinCount) throw new ArgumentException($"{BinCount} bins expected, got {bins.Length}", nameof(bins));
        var h = new ActivationHistogram { _baseWidth = binWidth, ObservedMax = observedMax };
        bins.CopyTo(h._bins);
        foreach (var b in bins) h.Count += b;
        return h;
    }

    private void Widen()
    {
        for (var j = 0; j < BinCount / 2; j++) _bins[j] = _bins[2 * j] + _bins[2 * j + 1];
        Array.Clear(_bins, BinCount / 2, BinCount / 2);
        _shift++;
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
