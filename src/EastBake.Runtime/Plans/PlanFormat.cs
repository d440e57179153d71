namespace EastBake.Runtime.Plans;

/// <summary>Constants of the <c>.eastplan</c> container (docs/PLAN_FORMAT.md).</summary>
public static class PlanFormat
{
    /// <summary>File magic: ASCII "EASTPLAN".</summary>
    public static ReadOnlySpan<byte> Magic => "EASTPLAN"u8;

    /// <summary>Major version: readers refuse other majors.</summary>
    public const ushort MajorVersion = 1;

    /// <summary>Minor version: additive changes only; readers accept any minor.</summary>
    public const ushort MinorVersion = 1;

    public const string Extension = ".eastplan";

    /// <summary>Header: magic (8) + major (2) + minor (2) + section count (4) + total file length (8).</summary>
    public const int HeaderSize = 24;

    /// <summary>Trailer: SHA-256 over every byte before it.</summary>
    public const int ChecksumSize = 32;

    // Section tags (4 ASCII bytes read as a little-endian uint32).
    public const uint TagMeta = 0x4154454D;    // "META"
    public const uint TagSegment = 0x544D4753; // "SGMT"
    public const uint TagCalibration = 0x424C4143; // "CALB" (since 1.1)
}
