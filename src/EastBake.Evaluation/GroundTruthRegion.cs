using EastBake.Runtime.Detection;

namespace EastBake.Evaluation;

/// <summary>One ground-truth text region: its quad and transcription; <c>###</c> means don't care.</summary>
public sealed record GroundTruthRegion(Quad Quad, string Transcription)
{
    public const string DontCareMark = "###";
    public bool IsDontCare => Transcription == DontCareMark;
}

/// <summary>One submitted detection (integer coordinates in the file), with its score when given.</summary>
public sealed record IcdarDetection(Quad Quad, double? Score = null);
