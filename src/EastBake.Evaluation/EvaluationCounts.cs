namespace EastBake.Evaluation;

/// <summary>
/// Cared GT, cared detections and matches, with the official derived figures. Over a whole set
/// the counts are summed first and the figures computed from the sums.
/// </summary>
public readonly record struct EvaluationCounts(int CaredGroundTruth, int CaredDetections, int Matches)
{
    /// <summary>Set-level recall (0 when there is no cared GT).</summary>
    public double Recall => CaredGroundTruth == 0 ? 0 : (double)Matches / CaredGroundTruth;

    /// <summary>Set-level precision (0 when there is no cared detection).</summary>
    public double Precision => CaredDetections == 0 ? 0 : (double)Matches / CaredDetections;

    public double Hmean => Harmonic(Precision, Recall);

    public static EvaluationCounts operator +(EvaluationCounts a, EvaluationCounts b) =>
        new(a.CaredGroundTruth + b.CaredGroundTruth, a.CaredDetections + b.CaredDetections, a.Matches + b.Matches);

    internal static double Harmonic(double p, double r) => p + r == 0 ? 0 : 2 * p * r / (p + r);

    public override string ToString() =>
        $"GT {CaredGroundTruth}, det {CaredDetections}, matches {Matches}: R {Recall:0.0000} P {Precision:0.0000} H {Hmean:0.0000}";
}

/// <summary>
/// One image's outcome. Its precision and recall follow the official per-sample rules: with no
/// cared GT, recall is 1 and precision is 1 only when there is no cared detection either.
/// </summary>
public sealed record ImageEvaluation(
    int ImageId,
    EvaluationCounts Counts,
    IReadOnlyList<(int Gt, int Det)> Pairs,
    IReadOnlyList<int> DontCareGroundTruth,
    IReadOnlyList<int> DontCareDetections)
{
    public double Recall => Counts.CaredGroundTruth == 0 ? 1 : (double)Counts.Matches / Counts.CaredGroundTruth;

    public double Precision => Counts.CaredGroundTruth == 0
        ? (Counts.CaredDetections > 0 ? 0 : 1)
        : Counts.CaredDetections == 0 ? 0 : (double)Counts.Matches / Counts.CaredDetections;

    public double Hmean => EvaluationCounts.Harmonic(Precision, Recall);
}

/// <summary>A whole set: per-image results (by image id) and the summed totals.</summary>
public sealed record EvaluationReport(IReadOnlyList<ImageEvaluation> Images, EvaluationCounts Totals);
