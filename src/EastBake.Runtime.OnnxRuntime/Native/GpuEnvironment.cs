using System.Runtime.InteropServices;

namespace EastBake.Runtime.OnnxRuntime.Native;

/// <summary>Whether an execution provider can load here; when not, why and (when it is one) which library is missing.</summary>
public sealed record EpAvailability(bool Available, string Reason, string? MissingLibrary = null)
{
    public static readonly EpAvailability Yes = new(true, "");

    public static EpAvailability Missing(string library, string where) =>
        new(false, $"{library} was not found ({where})", library);

    public static EpAvailability No(string reason) => new(false, reason);
}

/// <summary>
/// What this machine offers the GPU execution providers, found the way ONNX Runtime finds it
/// (TensorRT and CUDA on the loader path, the provider libraries beside libonnxruntime) but
/// probed explicitly first, so that a missing piece is named once instead of surfacing as an
/// ONNX Runtime load error. Probing has no side effect except keeping the libraries it found
/// loaded (which is what lets the TensorRT provider find a TensorRT preloaded from
/// <see cref="NativeSearchPaths.TensorRtDirectory"/>).
/// </summary>
public sealed record GpuEnvironment(
    string? OnnxRuntimeDirectory,
    CudaDevice? Device,
    string? TensorRtVersion,
    EpAvailability Cuda,
    EpAvailability TensorRt)
{
    private static readonly Lazy<GpuEnvironment> Default = new(() => Probe(NativeSearchPaths.FromEnvironment()));

    /// <summary>This process's environment (probed once, with the EASTBAKE_* variables).</summary>
    public static GpuEnvironment Current => Default.Value;

    /// <summary>A machine with nothing: every GPU provider unavailable for <paramref name="reason"/> (tests, CPU-only hosts).</summary>
    public static GpuEnvironment None(string reason) =>
        new(null, null, null, EpAvailability.No(reason), EpAvailability.No(reason));

    public static GpuEnvironment Probe(NativeSearchPaths paths)
    {
        var ortDir = paths.OnnxRuntimeCandidates().FirstOrDefault(d => File.Exists(Path.Combine(d, NativeLibraryNames.OnnxRuntime)));
        var device = CudaDriver.Probe(out var deviceReason);
        var trtLibs = LoadTensorRt(paths, out var trtVersion);
        var cudaLibs = LoadCudaRuntime(paths);

        var noOrt = ortDir is null
            ? EpAvailability.Missing(NativeLibraryNames.OnnxRuntime, "looked in " + string.Join(", ", paths.OnnxRuntimeCandidates().Distinct()))
            : null;
        EpAvailability Provider(string library) =>
            noOrt ?? (File.Exists(Path.Combine(ortDir!, library)) && File.Exists(Path.Combine(ortDir!, NativeLibraryNames.ProvidersShared))
                ? EpAvailability.Yes
                : EpAvailability.Missing(library,
                    $"not beside {NativeLibraryNames.OnnxRuntime} in {ortDir}: that is the CPU build of ONNX Runtime; use the GPU flavour " +
                    $"(EastBakeOnnxRuntimeFlavor=Gpu) or point {NativeSearchPaths.OnnxRuntimeVariable} at the GPU build"));
        var noDevice = device is null ? EpAvailability.No(deviceReason) : null;

        // Order: the first missing piece is the one reported.
        var cuda = FirstMissing(Provider(NativeLibraryNames.CudaProvider), cudaLibs, noDevice);
        var trt = FirstMissing(trtLibs, Provider(NativeLibraryNames.TensorRtProvider), cudaLibs, noDevice);
        return new GpuEnvironment(ortDir, device, trtVersion, cuda, trt);
    }

    private static EpAvailability FirstMissing(params EpAvailability?[] checks) =>
        checks.FirstOrDefault(c => c is { Available: false }) ?? EpAvailability.Yes;

    private static unsafe EpAvailability LoadTensorRt(NativeSearchPaths paths, out string? version)
    {
        version = null;
        var where = paths.TensorRtDirectory is { } dir
            ? $"in {dir} ({NativeSearchPaths.TensorRtVariable})"
            : $"on the loader path; install TensorRT 10 or set {NativeSearchPaths.TensorRtVariable} to its lib folder";
        var handles = new List<IntPtr>();
        foreach (var name in new[] { NativeLibraryNames.TensorRt, NativeLibraryNames.TensorRtOnnxParser })
        {
            var path = paths.TensorRtDirectory is { } d ? Path.Combine(d, name) : name;
            if (!NativeLibrary.TryLoad(path, out var h)) return EpAvailability.Missing(name, where);
            handles.Add(h);
        }
        if (NativeLibrary.TryGetExport(handles[0], "getInferLibVersion", out var fn))
            version = Native.TensorRtVersion.Decode(((delegate* unmanaged<int>)fn)());
        return EpAvailability.Yes;
    }

    private static EpAvailability LoadCudaRuntime(NativeSearchPaths paths)
    {
        foreach (var name in NativeLibraryNames.CudaRuntime)
        {
            var found = (paths.TensorRtDirectory is { } d && NativeLibrary.TryLoad(Path.Combine(d, name), out _)) ||
                        NativeLibrary.TryLoad(name, out _);
            if (!found) return EpAvailability.Missing(name, "on the loader path; the GPU providers need the CUDA 13 runtime and cuDNN 9");
        }
        return EpAvailability.Yes;
    }
}

/// <summary>TensorRT's version integer (<c>getInferLibVersion</c>) as <c>major.minor.patch</c>.</summary>
public static class TensorRtVersion
{
    /// <summary>TensorRT 10+ encodes major·10000 + minor·100 + patch; TensorRT 8 and older major·1000 + minor·100 + patch.</summary>
    public static string Decode(int v) => v >= 10000
        ? $"{v / 10000}.{v / 100 % 100}.{v % 100}"
        : $"{v / 1000}.{v / 100 % 10}.{v % 100}";
}
