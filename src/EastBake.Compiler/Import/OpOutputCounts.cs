using EastBake.Compiler.Protos.Tf;

namespace EastBake.Compiler.Import;

/// <summary>How many outputs a TF op has (NodeDefs do not say; the op registry does).</summary>
internal static class OpOutputCounts
{
    /// <param name="referenced">1 + the highest output index any consumer reads (0 when unread).</param>
    public static int Of(NodeDef n, int referenced)
    {
        int known = n.Op switch
        {
            "Split" or "SplitV" => n.Attr.TryGetValue("num_split", out var s) ? (int)s.I : 1,
            "Unpack" => n.Attr.TryGetValue("num", out var u) ? (int)u.I : 1,
            "FusedBatchNorm" or "FusedBatchNormV2" => 5,
            "FusedBatchNormV3" => 6,
            _ => 1,
        };
        // Unknown ops: as many as consumers reference.
        return Math.Max(known, referenced);
    }
}
