using EastBake.Baking.Calibration;
using EastBake.Baking.Pipeline;
using EastBake.Compiler.Protos.Onnx;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Plans;
using Xunit.Abstractions;

namespace EastBake.Tests.Calibration;

/// <summary>
/// Precision INT8 through the baker (what <c>dotnet build</c> and <c>east-bake bake</c> run):
/// a plan and both caches, reuse on rebuilds, recalibration when the network, the images or the
/// method change.
/// </summary>
public class Int8BakeTests(ITestOutputHelper output)
{
    private static BakeOptions Options(string model, string plan, string images, string method = "Entropy") => new()
    {
        ModelPath = model,
        OutputPath = plan,
        Precision = Precision.INT8,
        Profile = ShapeProfile.Fixed(64, 96),
        Backends = ["Onnx"],
        CalibrationImages = images,
        CalibrationMethod = method,
    };

    private BakeResult Bake(BakeOptions o, RecordingLog log)
    {
        var r = new Baker(log).Bake(o);
        foreach (var l in log.Lines.Where(l => l.Contains("calibrat", StringComparison.Ordinal) || l.Contains("up to date"))) output.WriteLine(l);
        foreach (var w in log.Warnings) output.WriteLine($"warning {w.Code}: {w.Message}");
        return r;
    }

    [Fact]
    public void BakeWritesPlanAndBothCachesThenReusesThem()
    {
        using var tmp = new TempFolder();
        var model = CalibrationGraphs.WriteModel(tmp["east_w16.pb"], 16, (ulong)Distributions.FreshSeed());
        var images = CalibrationImages.Folder(tmp["calib"], 6, Distributions.FreshSeed());
        var plan = tmp["out/east.eastplan"];
        var o = Options(model, plan, images);

        var log = new RecordingLog();
        var first = Bake(o, log);
        Assert.False(first.UpToDate);
        Assert.True(log.Logged("calibrating on 6 images (no calibration cache"));
        Assert.Contains(log.Warnings, w => w.Code == "EB3003");
        Assert.True(File.Exists(plan));
        var files = new CalibrationCacheFiles(plan);
        Assert.Equal(plan + ".int8.cache", files.TensorRtCachePath);
        Assert.Equal(plan + ".calibration.json", files.JsonPath);

        // The plan, the JSON and the TensorRT cache hold the same table.
        var table = PlanReader.Read(plan).Calibration;
        Assert.NotNull(table);
        var json = CalibrationJson.Parse(File.ReadAllBytes(files.JsonPath));
        Assert.Equal(table.Tensors, json.Tensors);
        Assert.Equal(table.Layers, json.Layers);
        Assert.Equal(6, table.ImageCount);
        Assert.Equal("Entropy", table.Method);
        var trt = File.ReadAllText(files.TensorRtCachePath);
        Assert.Equal(TensorRtCalibrationCache.Format(table), trt);
        Assert.StartsWith("TRT-", trt);

        // Every cached name is a tensor of the plan's ONNX graph (what TensorRT looks the ranges up by).
        var onnx = ModelProto.Parser.ParseFrom(PlanReader.Read(plan).Segments.Single(s => s.Engine == EngineKinds.Onnx).Payload);
        var onnxTensors = onnx.Graph.Node.SelectMany(n => n.Output).Concat(onnx.Graph.Input.Select(i => i.Name)).ToHashSet();
        var (_, scales) = TensorRtCalibrationCache.Parse(trt);
        Assert.NotEmpty(scales);
        Assert.All(scales.Keys, name => Assert.Contains(name, onnxTensors));
        Assert.Equal(table.Tensors.Count, scales.Count);
        Assert.All(table.Tensors.Values, r => Assert.True(r.Amax > 0 && r.Amax <= r.ObservedMax * 1.0001f, $"amax {r.Amax} observed {r.ObservedMax}"));
        // The INT8 layers' tensors: each INT8 conv's input and output are there.
        foreach (var layer in table.Layers.Where(l => l.Precision == Precision.INT8))
        {
            var conv = onnx.Graph.Node.Single(n => n.Name == layer.Layer);
            Assert.Contains(conv.Input[0], scales.Keys);
            Assert.Contains(conv.Output[0], scales.Keys);
        }

        // Second build, nothing changed: the plan is current and its calibration is reused.
        log = new RecordingLog();
        Assert.True(Bake(o, log).UpToDate);
        Assert.True(log.Logged("its INT8 calibration is reused"));
        Assert.False(log.Logged("calibrating on"));

        // A rebake (forced, or after another option changed) reuses the cache instead of recalibrating.
        log = new RecordingLog();
        Bake(o with { Force = true }, log);
        Assert.True(log.Logged("reusing calibration cache"));
        Assert.False(log.Logged("calibrating on"));
        Assert.Equal(table.Tensors, PlanReader.Read(plan).Calibration!.Tensors);

        // A deleted TensorRT cache comes back from the plan on the next (up-to-date) build.
        File.Delete(files.TensorRtCachePath);
        log = new RecordingLog();
        Bake(o, log);
        Assert.Equal(trt, File.ReadAllText(files.TensorRtCachePath));
    }

    [Fact]
    public void MethodImagesAndNetworkChangesRecalibrate()
    {
        using var tmp = new TempFolder();
        var model = CalibrationGraphs.WriteModel(tmp["a.pb"], 16, 5);
        var images = CalibrationImages.Folder(tmp["calib"], 3, Distributions.FreshSeed());
        var plan = tmp["east.eastplan"];
        var o = Options(model, plan, images);
        Bake(o, new RecordingLog());
        var entropy = PlanReader.Read(plan).Calibration!;

        var log = new RecordingLog();
        Bake(o with { CalibrationMethod = "MinMax" }, log);
        Assert.True(log.Logged("the method changed (Entropy → MinMax)"));
        var minmax = PlanReader.Read(plan).Calibration!;
        Assert.Equal("MinMax", minmax.Method);
        Assert.StartsWith("TRT-100300-MinMaxCalibration\n", File.ReadAllText(plan + ".int8.cache"));
        // MinMax keeps every observed value; entropy never goes beyond it.
        foreach (var (name, r) in minmax.Tensors)
        {
            Assert.Equal(r.ObservedMax, r.Amax);
            Assert.True(entropy.Tensors[name].Amax <= r.Amax * 1.0001f);
        }

        CalibrationImages.Write(Path.Combine(images, "extra.png"), new Random(1));
        log = new RecordingLog();
        Bake(o with { CalibrationMethod = "MinMax" }, log);
        Assert.True(log.Logged("calibrating on 4 images (the calibration images changed"));

        CalibrationGraphs.WriteModel(model, 16, 6);
        log = new RecordingLog();
        Bake(o with { CalibrationMethod = "MinMax" }, log);
        Assert.True(log.Logged("(the network changed"));
    }

    [Fact]
    public void Int8WithoutImagesOrWithABadMethodFailsBeforeImporting()
    {
        using var tmp = new TempFolder();
        var model = CalibrationGraphs.WriteModel(tmp["a.pb"], 16, 5);
        var e = Assert.Throws<EastBake.Diagnostics.EastBakeException>(() => new Baker().Bake(Options(model, tmp["p.eastplan"], tmp["nope"])));
        Assert.Equal("EB3001", e.Code);
        Directory.CreateDirectory(tmp["empty"]);
        e = Assert.Throws<EastBake.Diagnostics.EastBakeException>(() => new Baker().Bake(Options(model, tmp["p.eastplan"], tmp["empty"])));
        Assert.Equal("EB3002", e.Code);
        CalibrationImages.Folder(tmp["calib"], 1, 1);
        e = Assert.Throws<EastBake.Diagnostics.EastBakeException>(() => new Baker().Bake(Options(model, tmp["p.eastplan"], tmp["calib"], "Kullback")));
        Assert.Equal("EB3005", e.Code);
        Assert.False(File.Exists(tmp["p.eastplan"]));
    }
}
