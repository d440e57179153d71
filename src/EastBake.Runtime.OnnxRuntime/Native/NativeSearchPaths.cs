using System.Runtime.InteropServices;

namespace EastBake.Runtime.OnnxRuntime.Native;

/// <summary>
/// Where to look for the native libraries. Null entries mean "the default": the loader path for
/// TensorRT and CUDA (LD_LIBRARY_PATH, the ldconfig cache, PATH on Windows), and the app's own
/// native folders for ONNX Runtime.
/// </summary>
/// <param name="TensorRtDirectory">
/// A folder holding libnvinfer.so.10 and libnvonnxparser.so.10 (nvinfer_10.dll, …). When set,
/// TensorRT is looked for there only, and preloaded from there so the TensorRT provider finds it.
/// Environment variable <c>EASTBAKE_TENSORRT_PATH</c>.
/// </param>
/// <param name="OnnxRuntimeDirectory">
/// A folder holding the GPU build of ONNX Runtime (libonnxruntime.so with its
/// libonnxruntime_providers_* beside it), used instead of the one the app carries. Environment
/// variable <c>EASTBAKE_ONNXRUNTIME_PATH</c>; see <see cref="OnnxRuntimeLibrary"/>.
/// </param>
public sealed record NativeSearchPaths(string? TensorRtDirectory = null, string? OnnxRuntimeDirectory = null)
{
    public const string TensorRtVariable = "EASTBAKE_TENSORRT_PATH";
    public const string OnnxRuntimeVariable = "EASTBAKE_ONNXRUNTIME_PATH";

    public static NativeSearchPaths FromEnvironment() =>
        new(Variable(TensorRtVariable), Variable(OnnxRuntimeVariable));

    private static string? Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? Path.GetFullPath(v) : null;

    /// <summary>Folders that may hold the ONNX Runtime native library, most specific first.</summary>
    internal IEnumerable<string> OnnxRuntimeCandidates()
    {
        if (OnnxRuntimeDirectory is not null)
        {
            yield return OnnxRuntimeDirectory;
            yield break;
        }
        // The host's list of folders from the app's deps.json (runtimes/<rid>/native, NuGet cache…).
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string dirs)
            foreach (var d in dirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                yield return d;
        yield return AppContext.BaseDirectory;
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", PortableRid, "native");
    }

    private static string PortableRid =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
}
