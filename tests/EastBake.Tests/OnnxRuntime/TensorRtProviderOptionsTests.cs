using System.Text;
using EastBake.Runtime.OnnxRuntime.Native;
using EastBake.Runtime.OnnxRuntime.TensorRt;
using EastBake.Runtime.Plans;

namespace EastBake.Tests.OnnxRuntime;

/// <summary>TensorRT EP option construction for every precision and shape profile, against ONNX Runtime's documented names.</summary>
public class TensorRtProviderOptionsTests
{
    // The TensorRT EP's provider options as ONNX Runtime documents them
    // (docs/execution-providers/TensorRT-ExecutionProvider.md, "Execution Provider Options", and the
    // EPContext options of PRs #18217 / #19154). Kept here, apart from the production list, on purpose.
    private static readonly HashSet<string> Documented =
    [
        "device_id", "trt_max_workspace_size", "trt_max_partition_iterations", "trt_min_subgraph_size", "trt_fp16_enable",
        "trt_int8_enable", "trt_int8_calibration_table_name", "trt_int8_use_native_calibration_table", "trt_dla_enable",
        "trt_dla_core", "trt_engine_cache_enable", "trt_engine_cache_path", "trt_dump_subgraphs",
        "trt_force_sequential_engine_build", "trt_context_memory_sharing_enable", "trt_layer_norm_fp32_fallback",
        "trt_timing_cache_enable", "trt_timing_cache_path", "trt_force_timing_cache", "trt_detailed_build_log",
        "trt_build_heuristics_enable", "trt_sparsity_enable", "trt_builder_optimization_level", "trt_auxiliary_streams",
        "trt_tactic_sources", "trt_extra_plugin_lib_paths", "trt_profile_min_shapes", "trt_profile_max_shapes",
        "trt_profile_opt_shapes", "trt_dump_ep_context_model", "trt_ep_context_file_path", "trt_ep_context_embed_mode",
    ];

    public static TheoryData<Precision, string> Cases()
    {
        var d = new TheoryData<Precision, string>();
        foreach (var p in Enum.GetValues<Precision>())
            foreach (var profile in new[] { "704x1280", "2x704x1280", "min:1x320x320;opt:1x704x1280;max:4x1280x1280" })
                d.Add(p, profile);
        return d;
    }

    private static TensorRtBuildSettings Settings(Precision p, ShapeProfile profile) => new()
    {
        Precision = p,
        Inputs = [TensorRtProfileInput.ForImage("input_images", profile)],
        ContextModelPath = "/work/seg_ctx.onnx",
        MinimumSubgraphSize = 5,
        MaxWorkspaceBytes = 2L << 30,
        CalibrationTablePath = p == Precision.INT8 ? "/work/calib.cache" : null,
        TimingCacheDirectory = "/cache/timing",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Build_options_follow_precision_and_profile(Precision precision, string profileText)
    {
        var profile = ProfileText.Parse(profileText);
        var o = TensorRtProviderOptions.ForBuild(Settings(precision, profile));

        Assert.All(o.Keys, k => Assert.Contains(k, Documented));
        Assert.Equal(precision is Precision.FP16 or Precision.INT8 ? "1" : "0", o["trt_fp16_enable"]);
        Assert.Equal(precision == Precision.INT8 ? "1" : "0", o["trt_int8_enable"]);
        if (precision == Precision.INT8)
        {
            Assert.Equal("/work/calib.cache", o["trt_int8_calibration_table_name"]);
            Assert.Equal("1", o["trt_int8_use_native_calibration_table"]);
        }
        else
        {
            Assert.False(o.ContainsKey("trt_int8_calibration_table_name"));
            Assert.False(o.ContainsKey("trt_int8_use_native_calibration_table"));
        }
        Assert.Equal("5", o["trt_min_subgraph_size"]);
        Assert.Equal("2147483648", o["trt_max_workspace_size"]);
        Assert.Equal("1", o["trt_dump_ep_context_model"]);
        Assert.Equal("1", o["trt_ep_context_embed_mode"]);
        Assert.Equal("/work/seg_ctx.onnx", o["trt_ep_context_file_path"]);
        Assert.Equal("0", o["trt_engine_cache_enable"]);
        Assert.Equal("1", o["trt_timing_cache_enable"]);
        Assert.Equal("/cache/timing", o["trt_timing_cache_path"]);
        // trtexec --minShapes syntax: name:d0xd1x…, NHWC with 3 channels.
        var (min, opt, max) = profileText switch
        {
            "704x1280" => ("1x704x1280x3", "1x704x1280x3", "1x704x1280x3"),
            "2x704x1280" => ("2x704x1280x3", "2x704x1280x3", "2x704x1280x3"),
            _ => ("1x320x320x3", "1x704x1280x3", "4x1280x1280x3"),
        };
        Assert.Equal("input_images:" + min, o["trt_profile_min_shapes"]);
        Assert.Equal("input_images:" + opt, o["trt_profile_opt_shapes"]);
        Assert.Equal("input_images:" + max, o["trt_profile_max_shapes"]);
    }

    [Fact]
    public void Several_inputs_are_comma_separated_and_timing_cache_is_optional()
    {
        var o = TensorRtProviderOptions.ForBuild(Settings(Precision.FP32, ShapeProfile.Fixed(64, 96)) with
        {
            Inputs = [TensorRtProfileInput.ForImage("a", ShapeProfile.Fixed(64, 96)), TensorRtProfileInput.Static("b_1", [1, 16, 24, 32])],
            TimingCacheDirectory = null,
        });
        Assert.Equal("a:1x64x96x3,b_1:1x16x24x32", o["trt_profile_min_shapes"]);
        Assert.Equal("a:1x64x96x3,b_1:1x16x24x32", o["trt_profile_max_shapes"]);
        Assert.Equal("0", o["trt_timing_cache_enable"]);
        Assert.False(o.ContainsKey("trt_timing_cache_path"));
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        var ok = Settings(Precision.FP16, ShapeProfile.Fixed(64, 96));
        Assert.Throws<ArgumentException>(() => TensorRtProviderOptions.ForBuild(ok with { Precision = Precision.INT8, CalibrationTablePath = null }));
        Assert.Throws<ArgumentException>(() => TensorRtProviderOptions.ForBuild(ok with { Inputs = [] }));
        Assert.Throws<ArgumentException>(() => TensorRtProviderOptions.ForBuild(ok with { ContextModelPath = "" }));
        Assert.Throws<ArgumentException>(() => TensorRtProviderOptions.ForBuild(ok with { Inputs = [TensorRtProfileInput.Static("x:0", [1, 2])] }));
        Assert.Throws<ArgumentException>(() => TensorRtProviderOptions.ForBuild(ok with
        {
            Inputs = [new TensorRtProfileInput("x", [1, 64, 64, 3], [1, 32, 64, 3], [1, 128, 128, 3])], // min > opt
        }));
    }

    [Fact]
    public void Context_model_options_build_nothing()
    {
        var o = TensorRtProviderOptions.ForContextModel(1);
        Assert.Equal("1", o["device_id"]);
        Assert.Equal("0", o["trt_engine_cache_enable"]);
        Assert.All(o.Keys, k => Assert.Contains(k, Documented));
        Assert.DoesNotContain("trt_dump_ep_context_model", o.Keys);
    }

    [Fact]
    public void Every_emitted_name_is_documented() =>
        Assert.All(TensorRtProviderOptions.Names, n => Assert.Contains(n, Documented));

    /// <summary>The TensorRT provider shipped with the GPU package parses its options by name: each of ours must be among its strings.</summary>
    [ShippedTensorRtProviderFact]
    public void Every_emitted_name_is_known_to_the_shipped_TensorRT_provider()
    {
        var lib = ShippedProvider(NativeLibraryNames.TensorRtProvider)!;
        var bytes = File.ReadAllBytes(lib);
        Assert.All(TensorRtProviderOptions.Names.Where(n => n != "device_id"), n =>
            Assert.True(Contains(bytes, Encoding.ASCII.GetBytes(n + "\0")), $"{n} is not a string of {lib}"));
    }

    /// <summary>The libraries the probe looks for are the ones the shipped provider links against (DT_NEEDED names live in .dynstr).</summary>
    [ShippedTensorRtProviderFact(LinuxOnly = true)]
    public void Probed_libraries_are_the_shipped_providers_dependencies()
    {
        var lib = ShippedProvider(NativeLibraryNames.TensorRtProvider)!;
        var bytes = File.ReadAllBytes(lib);
        foreach (var needed in NativeLibraryNames.CudaRuntime.Prepend(NativeLibraryNames.TensorRtOnnxParser).Prepend(NativeLibraryNames.TensorRt))
            Assert.True(Contains(bytes, Encoding.ASCII.GetBytes("\0" + needed + "\0")), $"{lib} does not reference {needed}");
    }

    internal static string? ShippedProvider(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "runtimes",
            (OperatingSystem.IsWindows() ? "win" : "linux") + "-x64", "native");
        var path = Path.Combine(dir, name);
        return File.Exists(path) ? path : null;
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}

/// <summary>A fact that reads the TensorRT provider library of the GPU flavour; skipped when the test output has none.</summary>
public sealed class ShippedTensorRtProviderFactAttribute : FactAttribute
{
    public ShippedTensorRtProviderFactAttribute()
    {
        if (TensorRtProviderOptionsTests.ShippedProvider(NativeLibraryNames.TensorRtProvider) is null)
            Skip = $"{NativeLibraryNames.TensorRtProvider} is not in the test output (CPU flavour of ONNX Runtime, or another OS)";
    }

    public bool LinuxOnly
    {
        get => false;
        set { if (value && !OperatingSystem.IsLinux()) Skip = "reads ELF dependency names (Linux only)"; }
    }
}
