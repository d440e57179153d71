using EastBake.Baking.Pipeline;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Diagnostics;
using EastBake.Runtime.OnnxRuntime.Native;
using EastBake.Runtime.Plans;
using EastBake.Tests.TestSupport;
using EastBake.Tool.Commands;
using Google.Protobuf;

namespace EastBake.Tests.OnnxRuntime;

/// <summary>The bake's TensorRT step: one coded warning when TensorRT is missing, and the segments it writes when it is not.</summary>
public sealed class TensorRtBakeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eb-trt-bake-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private BakeOptions Options(string backends = "TensorRT;Onnx", Precision precision = Precision.FP16, bool require = false) => new()
    {
        ModelPath = SharedData.Repo("testassets/models/east_r50_w8.pb"),
        OutputPath = Path.Combine(_dir, "w8.eastplan"),
        Profile = ShapeProfile.Fixed(64, 96),
        Backends = backends.Split(';'),
        Precision = precision,
        CalibrationImages = precision == Precision.INT8 ? CalibrationFolder() : null,
        MinimumSegmentSize = 4,
        RequireTensorRt = require,
        Force = true,
    };

    /// <summary>The real builder, its probe pointed at a folder without TensorRT.</summary>
    private OnnxRuntimeTensorRtBuilder NoTensorRt()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "no-tensorrt")).FullName;
        return new OnnxRuntimeTensorRtBuilder(() => GpuEnvironment.Probe(new NativeSearchPaths(TensorRtDirectory: empty)));
    }

    [Theory]
    [InlineData("TensorRT;Onnx")]
    [InlineData("TensorRT")]
    public void Missing_TensorRt_warns_once_naming_the_library_and_bakes_the_rest(string backends)
    {
        var log = new RecordingLog();
        var result = new Baker(log, NoTensorRt()).Bake(Options(backends));

        var w = Assert.Single(log.Warnings);
        Assert.Equal(ErrorCodes.TensorRtMissing, w.Code);
        Assert.Contains(NativeLibraryNames.TensorRt, w.Message);
        Assert.Contains("baking the other backends only", w.Message);
        var plan = PlanReader.Read(result.PlanPath);
        Assert.Single(plan.Segments, s => s.Engine == EngineKinds.Onnx); // the twin stays: CPU/CUDA EPs run it
        Assert.DoesNotContain(plan.Segments, s => s.Engine == EngineKinds.TensorRtContext);
        Assert.Equal(PlanTarget.Portable, plan.Target.Architecture);
    }

    [Fact]
    public void RequireTensorRt_turns_the_warning_into_the_error()
    {
        var e = Assert.Throws<EastBakeException>(() => new Baker(new RecordingLog(), NoTensorRt()).Bake(Options(require: true)));
        Assert.Equal(ErrorCodes.TensorRtMissing, e.Code);
        Assert.Contains(NativeLibraryNames.TensorRt, e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "w8.eastplan")));
    }

    [Fact]
    public void A_baker_without_ONNX_Runtime_reports_TensorRt_unavailable()
    {
        var log = new RecordingLog();
        new Baker(log).Bake(Options());
        Assert.Equal(ErrorCodes.TensorRtMissing, Assert.Single(log.Warnings).Code);
    }

    [Fact]
    public void Built_engines_become_trt_epcontext_segments_beside_their_twin()
    {
        var builder = new FakeBuilder();
        var log = new RecordingLog();
        var result = new Baker(log, builder).Bake(Options());

        Assert.Empty(log.Warnings);
        var request = Assert.Single(builder.Requests);
        Assert.Equal(Precision.FP16, request.Precision);
        Assert.Equal(4, request.MinimumSubgraphSize);
        var input = Assert.Single(request.Inputs);
        Assert.Equal("input_images", input.Name);
        Assert.Equal([1L, 64, 96, 3], input.Min);
        Assert.Equal(input.Min, input.Max);

        var plan = PlanReader.Read(result.PlanPath);
        var twin = Assert.Single(plan.Segments, s => s.Engine == EngineKinds.Onnx);
        Assert.Equal(twin.Payload, request.OnnxModel);
        var engine = Assert.Single(plan.Segments, s => s.Engine == EngineKinds.TensorRtContext);
        Assert.Equal("sm_90", engine.Architecture);
        Assert.Equal("sm_90", plan.Target.Architecture);
        Assert.Equal(twin.Group, engine.Group);
        Assert.Equal(twin.Inputs, engine.Inputs);
        Assert.Equal(twin.Outputs, engine.Outputs);
        Assert.Equal(twin.Id.ToString(), engine.Properties["onnx.segment"]);
        Assert.Equal("10.9.0", engine.Properties["tensorrt.version"]);
        Assert.Equal("90", engine.Properties["epcontext.hardware_architecture"]);
        Assert.Equal("1", engine.Properties["epcontext.nodes"]);
        Assert.Equal(FakeBuilder.ContextModel(), engine.Payload);
        Assert.Contains("trt-epcontext", plan.Target.Backend);
    }

    /// <summary>Three random RGB images: enough to calibrate (with the under-50 warning).</summary>
    private string CalibrationFolder()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "calib")).FullName;
        var rng = new Random(7);
        for (int i = 0; i < 3; i++)
        {
            using var img = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(96, 64);
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 96; x++)
                    img[x, y] = new SixLabors.ImageSharp.PixelFormats.Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(img, Path.Combine(dir, $"img_{i}.png"));
        }
        return dir;
    }

    [Fact]
    public void Int8_builds_the_engine_from_our_calibration_in_TensorRT_cache_format()
    {
        var builder = new FakeBuilder();
        var log = new RecordingLog();
        new Baker(log, builder).Bake(Options(precision: Precision.INT8));
        Assert.DoesNotContain(log.Warnings, w => w.Code == ErrorCodes.TensorRtCalibrationTableMissing);
        var request = Assert.Single(builder.Requests);
        Assert.Equal(Precision.INT8, request.Precision);
        Assert.StartsWith("TRT-", Assert.Single(builder.CalibrationTables).Split('\n')[0]);
        Assert.False(File.Exists(request.CalibrationTablePath), "the temporary table is removed after the build");
    }

    [Fact]
    public void A_failed_engine_build_warns_and_keeps_the_twin()
    {
        var log = new RecordingLog();
        var result = new Baker(log, new FakeBuilder { Fail = true }).Bake(Options());
        Assert.Equal(ErrorCodes.TensorRtBuildFailed, Assert.Single(log.Warnings).Code);
        Assert.DoesNotContain(PlanReader.Read(result.PlanPath).Segments, s => s.Engine == EngineKinds.TensorRtContext);
        Assert.Throws<EastBakeException>(() => new Baker(new RecordingLog(), new FakeBuilder { Fail = true }).Bake(Options(require: true)));
    }

    [Fact]
    public void The_TensorRt_target_is_part_of_the_input_hash()
    {
        var a = new Baker(new RecordingLog(), new FakeBuilder()).Bake(Options());
        var b = new Baker(new RecordingLog(), new FakeBuilder { Target = "sm_89 TensorRT 10.9.0" }).Bake(Options() with { Force = false });
        Assert.False(b.UpToDate);
        Assert.NotEqual(a.InputHash, b.InputHash);
    }

    internal sealed class RecordingLog : IBakeLog
    {
        public List<(string Code, string Message)> Warnings { get; } = new();
        public void Info(string message) { }
        public void Warning(string code, string message, string? file = null) => Warnings.Add((code, message));
        public void Progress(string stage, double fraction) { }
    }

    /// <summary>Stands in for the TensorRT EP: records the request and returns an EPContext model like ONNX Runtime's.</summary>
    private sealed class FakeBuilder : ITensorRtContextBuilder
    {
        public List<TensorRtContextRequest> Requests { get; } = new();
        /// <summary>The calibration tables as the builder saw them (the file is temporary).</summary>
        public List<string> CalibrationTables { get; } = new();
        public bool Fail { get; init; }
        public string Target { get; init; } = "sm_90 TensorRT 10.9.0";

        public TensorRtAvailability Probe() => new(true, "", Target);

        public TensorRtContext Build(TensorRtContextRequest request)
        {
            Requests.Add(request);
            if (request.CalibrationTablePath is { } table) CalibrationTables.Add(File.ReadAllText(table));
            if (Fail) throw new EastBakeException(ErrorCodes.TensorRtBuildFailed, "the TensorRT EP could not build the engine: out of memory");
            return new TensorRtContext(ContextModel(), "sm_90", new Dictionary<string, string> { ["tensorrt.version"] = "10.9.0" });
        }

        public static byte[] ContextModel()
        {
            var node = new NodeProto { OpType = "EPContext", Domain = "com.microsoft", Name = "TRTKernel_graph_0" };
            node.Input.Add("input_images");
            node.Attribute.Add(new AttributeProto { Name = "embed_mode", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            node.Attribute.Add(new AttributeProto { Name = "ep_cache_context", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("engine bytes") });
            node.Attribute.Add(new AttributeProto { Name = "hardware_architecture", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("90") });
            var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "ctx" } };
            model.Graph.Node.Add(node);
            return model.ToByteArray();
        }
    }
}
