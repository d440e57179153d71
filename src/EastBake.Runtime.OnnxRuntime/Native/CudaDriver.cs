using System.Runtime.InteropServices;
using System.Text;

namespace EastBake.Runtime.OnnxRuntime.Native;

/// <summary>The first CUDA device as the driver reports it.</summary>
/// <param name="Architecture"><c>sm_XY</c> from the compute capability X.Y.</param>
public sealed record CudaDevice(string Name, int Major, int Minor, int DriverVersion)
{
    public string Architecture => $"sm_{Major}{Minor}";
}

/// <summary>
/// Queries the CUDA driver API (libcuda.so.1 / nvcuda.dll) through function pointers, so that a
/// machine without the driver gives a reason instead of a DllNotFoundException and nothing is
/// found by reflection.
/// </summary>
public static unsafe class CudaDriver
{
    // CUdevice_attribute values from cuda.h.
    private const int ComputeCapabilityMajor = 75;
    private const int ComputeCapabilityMinor = 76;

    /// <summary>Device 0, or null with the reason there is none.</summary>
    public static CudaDevice? Probe(out string reason)
    {
        if (!NativeLibrary.TryLoad(NativeLibraryNames.CudaDriver, out var lib))
        {
            reason = $"the CUDA driver ({NativeLibraryNames.CudaDriver}) is not installed";
            return null;
        }
        try
        {
            var init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(lib, "cuInit");
            var driverVersion = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(lib, "cuDriverGetVersion");
            var count = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(lib, "cuDeviceGetCount");
            var get = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(lib, "cuDeviceGet");
            var attr = (delegate* unmanaged<int*, int, int, int>)NativeLibrary.GetExport(lib, "cuDeviceGetAttribute");
            var name = (delegate* unmanaged<byte*, int, int, int>)NativeLibrary.GetExport(lib, "cuDeviceGetName");
            int rc = init(0);
            if (rc != 0)
            {
                reason = $"cuInit failed with CUDA error {rc} (no usable GPU or driver)";
                return null;
            }
            int n = 0, dev = 0, major = 0, minor = 0, version = 0;
            if ((rc = count(&n)) != 0 || n == 0)
            {
                reason = rc != 0 ? $"cuDeviceGetCount failed with CUDA error {rc}" : "the CUDA driver sees no GPU";
                return null;
            }
            var buffer = stackalloc byte[256];
            if ((rc = get(&dev, 0)) != 0 || (rc = attr(&major, ComputeCapabilityMajor, dev)) != 0 ||
                (rc = attr(&minor, ComputeCapabilityMinor, dev)) != 0 || (rc = name(buffer, 256, dev)) != 0 ||
                (rc = driverVersion(&version)) != 0)
            {
                reason = $"querying CUDA device 0 failed with CUDA error {rc}";
                return null;
            }
            reason = "";
            var text = Encoding.UTF8.GetString(buffer, new ReadOnlySpan<byte>(buffer, 256).IndexOf((byte)0) is var z and >= 0 ? z : 256);
            return new CudaDevice(text, major, minor, version);
        }
        catch (EntryPointNotFoundException e)
        {
            reason = $"{NativeLibraryNames.CudaDriver} lacks a driver entry point ({e.Message})";
            return null;
        }
    }
}
