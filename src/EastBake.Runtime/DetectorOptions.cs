using EastBake.Runtime.Backends;
using EastBake.Runtime.Detection;

namespace EastBake.Runtime;

/// <summary>How an <see cref="EastDetector"/> runs: backends, thresholds, input sizing, logging.</summary>
public sealed class DetectorOptions
{
    /// <summary>Backend providers, tried by descending priority. Packages add theirs (e.g. <c>UseOnnxRuntime()</c>).</summary>
    public List<IBackendProvider> Providers { get; } = new();

    /// <summary>Use only the provider with this name (e.g. <c>onnxruntime:cpu</c>); null picks the best available.</summary>
    public string? Backend { get; set; }

    /// <summary>Score, NMS and box thresholds (argman/EAST defaults 0.8, 0.2, 0.1).</summary>
    public DetectionOptions Detection { get; set; } = DetectionOptions.Default;

    /// <summary>Longer-side limit of the reference resize rule (dynamic-shape plans).</summary>
    public int MaxSide { get; set; } = 2400;

    /// <summary>Receives one line per decision (which backend and device was chosen, and why others were not).</summary>
    public Action<string>? Log { get; set; }
}
