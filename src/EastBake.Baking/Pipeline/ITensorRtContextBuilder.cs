using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline;

/// <summary>
/// Builds TensorRT engines for the baker, as ONNX EPContext models with the engine embedded.
/// Implemented where ONNX Runtime is referenced (the east-bake tool's
/// <c>OnnxRuntimeTensorRtBuilder</c>), so this project stays free of ONNX Runtime and its GPU
/// natives.
/// </summary>
public interface ITensorRtContextBuilder
{
    /// <summary>Whether engines can be built here (probed once per process).</summary>
    TensorRtAvailability Probe();

    /// <summary>Builds one segment's engine; failures are <c>EastBakeException</c>s with code EB2040.</summary>
    TensorRtContext Build(TensorRtContextRequest request);
}

/// <param name="Target">What built engines are tied to, e.g. <c>sm_90 TensorRT 10.9.0</c> (part of the input hash).</param>
/// <param name="MissingLibrary">When unavailable for a missing library: its file name.</param>
public sealed record TensorRtAvailability(bool Available, string Reason, string Target, string? MissingLibrary = null);

/// <summary>One engine input's profile: its ONNX input name and min/opt/max dims.</summary>
public sealed record TensorRtInputProfile(string Name, long[] Min, long[] Opt, long[] Max);

public sealed record TensorRtContextRequest(
    byte[] OnnxModel,
    Precision Precision,
    IReadOnlyList<TensorRtInputProfile> Inputs,
    int MinimumSubgraphSize,
    string? CalibrationTablePath);

/// <param name="Properties">Facts for the plan segment (TensorRT and ONNX Runtime versions, GPU name, build time).</param>
public sealed record TensorRtContext(byte[] ContextModel, string Architecture, IReadOnlyDictionary<string, string> Properties);
