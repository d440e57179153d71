namespace EastBake.Compiler.Import;

/// <summary>What to import from a TensorFlow model.</summary>
public sealed class ImportOptions
{
    /// <summary>
    /// Node names to treat as graph inputs. Each named node becomes a Placeholder (its own inputs are
    /// cut). Null: the graph's Placeholders.
    /// </summary>
    public IReadOnlyList<string>? Inputs { get; init; }

    /// <summary>
    /// Output tensor names (<c>node</c> or <c>node:i</c>). Null: EAST's
    /// <c>feature_fusion/Conv_7/Sigmoid</c> and <c>feature_fusion/concat_3</c> when present,
    /// otherwise the graph's sink nodes (for SavedModels: the outputs of signature "serving_default").
    /// </summary>
    public IReadOnlyList<string>? Outputs { get; init; }

    /// <summary>
    /// OpenCV's model + config convention: a binary GraphDef whose Const nodes supply the inputs a
    /// text (.pbtxt) graph names but does not define.
    /// </summary>
    public string? ConstantsFrom { get; init; }

    /// <summary>The EAST output pair used when <see cref="Outputs"/> is null and both exist.</summary>
    public static IReadOnlyList<string> EastOutputs { get; } = ["feature_fusion/Conv_7/Sigmoid", "feature_fusion/concat_3"];
}
