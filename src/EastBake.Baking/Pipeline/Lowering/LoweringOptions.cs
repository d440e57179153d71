namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>How an optimized ILGPU segment is lowered into an engine program.</summary>
public sealed record LoweringOptions
{
    public static LoweringOptions Default { get; } = new();

    /// <summary>
    /// Every engine tensor's channel count is rounded up to a multiple of this (the tensor-core
    /// kernels need Cin and Cout multiples of 8). Padding channels always hold exact zeros.
    /// </summary>
    public int ChannelAlignment { get; init; } = 8;

    /// <summary>Fold the in-graph mean subtraction (Split → Sub → ConcatV2 after the input) into the input conversion.</summary>
    public bool FoldInputMean { get; init; } = true;

    /// <summary>Merge EAST's three 1×1 head convs into one conv with the EastHead epilogue.</summary>
    public bool MergeEastHead { get; init; } = true;

    /// <summary>Fuse a residual Add(+ReLU) into the conv that produces one of its operands.</summary>
    public bool FuseResidual { get; init; } = true;

    /// <summary>Let concat inputs' producers write straight into their channel slice of the concat buffer.</summary>
    public bool ConcatSlices { get; init; } = true;
}
