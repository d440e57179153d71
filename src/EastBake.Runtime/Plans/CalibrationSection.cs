using EastBake.Runtime.Calibration;

namespace EastBake.Runtime.Plans;

/// <summary>
/// The <c>CALB</c> section (plan format 1.1): an INT8 plan's calibration table. Layout: method,
/// model hash, image-set hash (strings), image count, skipped count (i32), tensor count, then
/// per tensor its name (string), amax and observed max (float32 bits as i32); layer count, then
/// per layer name, precision, reason (strings). Tensors are sorted by name.
/// </summary>
internal static class CalibrationSection
{
    public static byte[] Encode(CalibrationTable t)
    {
        var w = new PlanBinaryWriter();
        w.WriteString(t.Method);
        w.WriteString(t.ModelHash);
        w.WriteString(t.ImageSetHash);
        w.WriteInt32(t.ImageCount);
        w.WriteInt32(t.SkippedImages);
        var tensors = t.Tensors.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        w.WriteInt32(tensors.Count);
        foreach (var (name, r) in tensors)
        {
            w.WriteString(name);
            w.WriteInt32(BitConverter.SingleToInt32Bits(r.Amax));
            w.WriteInt32(BitConverter.SingleToInt32Bits(r.ObservedMax));
        }
        w.WriteInt32(t.Layers.Count);
        foreach (var l in t.Layers)
        {
            w.WriteString(l.Layer);
            w.WriteString(l.Precision.ToString());
            w.WriteString(l.Reason);
        }
        return w.ToArray();
    }

    public static CalibrationTable Decode(PlanBinaryReader r)
    {
        var method = r.ReadString();
        var modelHash = r.ReadString();
        var imageSetHash = r.ReadString();
        var images = r.ReadInt32();
        var skipped = r.ReadInt32();
        var n = r.ReadInt32();
        if (n < 0) throw r.Malformed("negative calibration tensor count");
        var tensors = new SortedDictionary<string, TensorRange>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var name = r.ReadString();
            tensors[name] = new TensorRange(BitConverter.Int32BitsToSingle(r.ReadInt32()), BitConverter.Int32BitsToSingle(r.ReadInt32()));
        }
        var m = r.ReadInt32();
        if (m < 0) throw r.Malformed("negative calibration layer count");
        var layers = new List<LayerPrecision>(Math.Min(m, 4096));
        for (var i = 0; i < m; i++)
        {
            var layer = r.ReadString();
            if (!Enum.TryParse<Precision>(r.ReadString(), out var p)) throw r.Malformed($"layer '{layer}' has an unknown precision");
            layers.Add(new LayerPrecision(layer, p, r.ReadString()));
        }
        if (!r.AtEnd) throw r.Malformed("CALB has trailing bytes");
        return new CalibrationTable
        {
            Method = method, ModelHash = modelHash, ImageSetHash = imageSetHash, ImageCount = images,
            SkippedImages = skipped, Tensors = tensors, Layers = layers,
        };
    }
}
