namespace EastBake.Compiler.Onnx;

public sealed class OnnxExportOptions
{
    /// <summary>Default ONNX opset. 18 is the lowest the exporter supports (Resize <c>axes</c>, ReduceMean axes input, Split num_outputs).</summary>
    public const int MinOpset = 18;

    public int Opset { get; set; } = MinOpset;

    /// <summary>GraphProto name; defaults to the source file name.</summary>
    public string? GraphName { get; set; }

    /// <summary>
    /// Export float16 tensors and computations as float32 (the default: ONNX Runtime's CPU
    /// provider lacks float16 kernels for most ops). When false they stay FLOAT16.
    /// </summary>
    public bool Float16AsFloat32 { get; set; } = true;

    public string ProducerName { get; set; } = "EastBake";

    public static OnnxExportOptions Default => new();
}
