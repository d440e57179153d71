namespace EastBake.Runtime.OnnxRuntime.Native;

/// <summary>
/// File names of the native libraries the CUDA and TensorRT execution providers need, per OS.
/// The versions are those the ONNX Runtime GPU package this project pins (1.31.0) was linked
/// against: its <c>libonnxruntime_providers_tensorrt.so</c> has DT_NEEDED entries
/// libnvinfer.so.10, libnvonnxparser.so.10, libcudart.so.13, libcublas.so.13 and libcudnn.so.9
/// (checked with <c>readelf -d</c>; a test re-checks the names against the binary when present).
/// </summary>
public static class NativeLibraryNames
{
    private static bool Windows => OperatingSystem.IsWindows();

    public static string OnnxRuntime => Windows ? "onnxruntime.dll" : OperatingSystem.IsMacOS() ? "libonnxruntime.dylib" : "libonnxruntime.so";
    public static string ProvidersShared => Windows ? "onnxruntime_providers_shared.dll" : "libonnxruntime_providers_shared.so";
    public static string TensorRtProvider => Windows ? "onnxruntime_providers_tensorrt.dll" : "libonnxruntime_providers_tensorrt.so";
    public static string CudaProvider => Windows ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so";

    /// <summary>The CUDA driver (installed with the NVIDIA driver, not the toolkit).</summary>
    public static string CudaDriver => Windows ? "nvcuda.dll" : "libcuda.so.1";

    public static string TensorRt => Windows ? "nvinfer_10.dll" : "libnvinfer.so.10";
    public static string TensorRtOnnxParser => Windows ? "nvonnxparser_10.dll" : "libnvonnxparser.so.10";

    /// <summary>CUDA 13 toolkit and cuDNN 9 libraries both GPU providers load.</summary>
    public static IReadOnlyList<string> CudaRuntime => Windows
        ? ["cudart64_13.dll", "cublas64_13.dll", "cudnn64_9.dll"]
        : ["libcudart.so.13", "libcublas.so.13", "libcudnn.so.9"];
}
