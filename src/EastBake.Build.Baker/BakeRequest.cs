namespace EastBake.Build.Baker;

/// <summary>
/// What the BakeEastModels task sends on the baker's standard input (one JSON object): the
/// model item, where its plan goes, and the item's custom metadata exactly as written in the
/// project (Precision, InputShape, Checkpoint…; see <see cref="EastModelMetadata"/>).
/// </summary>
public sealed record BakeRequest
{
    public required string Model { get; init; }
    public required string Plan { get; init; }

    /// <summary>The project file, named in errors about the item's metadata.</summary>
    public string? ProjectFile { get; init; }

    /// <summary>Relative Checkpoint and CalibrationImages paths resolve against it.</summary>
    public string? ProjectDirectory { get; init; }

    /// <summary>Metadata names as MSBuild reports them; compare them case-insensitively.</summary>
    public Dictionary<string, string> Metadata { get; init; } = new();
}
