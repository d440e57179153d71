using System.Runtime.InteropServices;
using EastBake.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace EastBake.Runtime.OnnxRuntime.Native;

/// <summary>
/// Points ONNX Runtime's managed API at a native ONNX Runtime in another folder
/// (<c>EASTBAKE_ONNXRUNTIME_PATH</c>): a baker that carries only the CPU build (the one in
/// EastBake.Build) can then build TensorRT engines with the GPU build installed elsewhere. ONNX
/// Runtime loads its provider libraries from the folder of the libonnxruntime it runs from, so
/// the folder must hold the whole GPU set (libonnxruntime.so, libonnxruntime_providers_shared.so,
/// libonnxruntime_providers_tensorrt.so, libonnxruntime_providers_cuda.so).
/// </summary>
public static class OnnxRuntimeLibrary
{
    private static readonly object Gate = new();
    private static string? _applied;

    /// <summary>
    /// Applies <see cref="NativeSearchPaths.OnnxRuntimeDirectory"/> of the environment once per
    /// process; a no-op when the variable is unset. Called before every first use of ONNX Runtime
    /// in this package. Fails with EB5040 when the folder has no ONNX Runtime library or ONNX
    /// Runtime was already loaded from elsewhere.
    /// </summary>
    public static void EnsureConfigured()
    {
        var dir = NativeSearchPaths.FromEnvironment().OnnxRuntimeDirectory;
        if (dir is null) return;
        lock (Gate)
        {
            if (_applied == dir) return;
            if (_applied is not null)
                throw new EastBakeException(ErrorCodes.OnnxRuntimeLibraryPathInvalid,
                    $"{NativeSearchPaths.OnnxRuntimeVariable} changed from {_applied} to {dir} after ONNX Runtime was loaded", dir);
            var library = Path.Combine(dir, NativeLibraryNames.OnnxRuntime);
            if (!File.Exists(library))
                throw new EastBakeException(ErrorCodes.OnnxRuntimeLibraryPathInvalid,
                    $"{NativeSearchPaths.OnnxRuntimeVariable} names a folder without {NativeLibraryNames.OnnxRuntime}", dir);
            try
            {
                // ORT's own resolver would look beside its managed assembly; ours must win.
                OrtEnv.DisableDllImportResolver = true;
                NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, (name, _, _) =>
                    name == "onnxruntime" ? NativeLibrary.Load(library) : IntPtr.Zero);
            }
            catch (InvalidOperationException)
            {
                throw new EastBakeException(ErrorCodes.OnnxRuntimeLibraryPathInvalid,
                    $"{NativeSearchPaths.OnnxRuntimeVariable} must be set before ONNX Runtime is first used in the process", dir);
            }
            _applied = dir;
        }
    }

    /// <summary>The native ONNX Runtime version (e.g. 1.31.0).</summary>
    public static string Version
    {
        get
        {
            EnsureConfigured();
            return OrtEnv.Instance().GetVersionString();
        }
    }
}
