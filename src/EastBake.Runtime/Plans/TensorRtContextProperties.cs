namespace EastBake.Runtime.Plans;

/// <summary>Property keys of <c>trt-epcontext</c> segments (docs/PLAN_FORMAT.md), shared by the baker and the runtime.</summary>
public static class TensorRtContextProperties
{
    /// <summary>Id of the ONNX segment the engine was built from and replaces (its twin).</summary>
    public const string OnnxTwin = "onnx.segment";

    /// <summary>TensorRT version that built the engine (<c>10.9.0</c>); engines run only on the same version.</summary>
    public const string TensorRtVersion = "tensorrt.version";

    public const string OnnxRuntimeVersion = "onnxruntime.version";

    /// <summary>Name of the GPU the engine was built on.</summary>
    public const string GpuName = "gpu.name";
}
