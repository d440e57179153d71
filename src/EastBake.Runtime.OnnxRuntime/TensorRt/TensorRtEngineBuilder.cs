using EastBake.Diagnostics;
using EastBake.Runtime.OnnxRuntime.Native;
using Microsoft.ML.OnnxRuntime;

namespace EastBake.Runtime.OnnxRuntime.TensorRt;

/// <summary>A built TensorRT engine, embedded in an ONNX EPContext model, and what it was built on.</summary>
public sealed record TensorRtEngine(byte[] ContextModel, string Architecture, string GpuName,
    string TensorRtVersion, string OnnxRuntimeVersion);

/// <summary>
/// Builds a TensorRT engine from one ONNX segment with ONNX Runtime's TensorRT EP and has ONNX
/// Runtime dump it as an EPContext model with the engine embedded
/// (<c>trt_dump_ep_context_model=1</c>, <c>trt_ep_context_embed_mode=1</c>). Needs the GPU build of
/// ONNX Runtime, TensorRT 10, the CUDA 13 runtime, cuDNN 9 and a GPU; check
/// <see cref="GpuEnvironment.TensorRt"/> first.
/// </summary>
public static class TensorRtEngineBuilder
{
    public static TensorRtEngine Build(byte[] onnxModel, TensorRtBuildSettings settings, GpuEnvironment env)
    {
        if (!env.TensorRt.Available)
            throw new EastBakeException(ErrorCodes.TensorRtMissing, "TensorRT is unavailable: " + env.TensorRt.Reason);
        OnnxRuntimeLibrary.EnsureConfigured();
        var work = Directory.CreateTempSubdirectory("eastbake-trt-").FullName;
        try
        {
            var model = Path.Combine(work, "segment.onnx");
            File.WriteAllBytes(model, onnxModel);
            var s = settings with { ContextModelPath = Path.Combine(work, "segment_ctx.onnx") };
            if (s.TimingCacheDirectory is not null) Directory.CreateDirectory(s.TimingCacheDirectory);
            using (var options = SessionOptionsFor(s))
            using (new InferenceSession(model, options))
            {
                // Creating the session builds the engine (every input has an explicit profile) and dumps the EPContext model.
            }
            if (!File.Exists(s.ContextModelPath))
                throw new EastBakeException(ErrorCodes.TensorRtBuildFailed,
                    $"ONNX Runtime created the TensorRT session but wrote no EPContext model to {s.ContextModelPath}");
            return new TensorRtEngine(File.ReadAllBytes(s.ContextModelPath), env.Device!.Architecture, env.Device.Name,
                env.TensorRtVersion ?? "unknown", OnnxRuntimeLibrary.Version);
        }
        catch (OnnxRuntimeException e)
        {
            throw new EastBakeException(ErrorCodes.TensorRtBuildFailed, "the TensorRT EP could not build the engine: " + e.Message, inner: e);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { /* a leftover temp folder is harmless */ }
        }
    }

    private static SessionOptions SessionOptionsFor(TensorRtBuildSettings s)
    {
        var o = new SessionOptions
        {
            // Basic rewrites only: the extended ones fuse nodes into ORT contrib ops TensorRT cannot parse.
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        };
        try
        {
            // The session-level EPContext keys mirror the provider options one to one (ORT PR #19154).
            o.AddSessionConfigEntry("ep.context_enable", "1");
            o.AddSessionConfigEntry("ep.context_embed_mode", "1");
            o.AddSessionConfigEntry("ep.context_file_path", s.ContextModelPath);
            using var trt = new OrtTensorRTProviderOptions();
            trt.UpdateOptions(new Dictionary<string, string>(TensorRtProviderOptions.ForBuild(s)));
            o.AppendExecutionProvider_Tensorrt(trt);
            return o;
        }
        catch
        {
            o.Dispose();
            throw;
        }
    }
}
