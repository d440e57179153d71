using System.Buffers.Binary;
using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.ModelGenerator;
using EastBake.Runtime;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Runtime.Plans;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace EastBake.Tests.Reliability;

/// <summary>
/// Issue 8, item 3: a damaged or foreign plan is refused with its code by the reader, the
/// detector and the tool; a plan from other inputs is rebaked; a plan for another device
/// architecture falls back to its portable twin with a warning, or is refused; inputs outside the
/// profile are EB5001.
/// </summary>
public sealed class PlanFaultTests(ITestOutputHelper output) : ReliabilityTestBase
{
    public static TheoryData<string, string> Damages => new()
    {
        { "magic", ErrorCodes.PlanBadMagic },
        { "version", ErrorCodes.PlanBadVersion },
        { "checksum", ErrorCodes.PlanChecksum },
        { "truncated", ErrorCodes.PlanTruncated },
    };

    private static byte[] Damage(byte[] plan, string how)
    {
        switch (how)
        {
            case "magic": "NOTAPLAN"u8.CopyTo(plan); return plan;
            case "version": BinaryPrimitives.WriteUInt16LittleEndian(plan.AsSpan(8), 2); return plan;
            case "checksum": plan[plan.Length / 2] ^= 0x20; return plan;
            default: return plan[..(plan.Length / 2)];
        }
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void Damaged_plan_is_refused_by_reader_detector_and_tool(string how, string code)
    {
        var good = BakeW8();
        var bad = Write($"{how}.eastplan", Damage(File.ReadAllBytes(good), how));

        var e = Assert.Throws<EastBakeException>(() => PlanReader.Read(bad));
        output.WriteLine(e.Format());
        Assert.Equal((code, bad), (e.Code, e.File));
        Assert.False(PlanReader.IsValid(bad));

        var d = Assert.Throws<EastBakeException>(() => EastDetector.Load(bad, o => o.UseOnnxRuntime()));
        Assert.Equal((code, bad), (d.Code, d.File));

        var image = PathIn("img_1.png");
        new Image<Rgb24>(96, 64).SaveAsPng(image);
        var r = ToolProcess.Run(["detect", bad, image, "--out", PathIn("det")]);
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{bad}: error {code}:", line);
    }

    [Fact]
    public void Other_major_version_names_both_versions_and_says_rebake()
    {
        var bad = Write("v2.eastplan", Damage(File.ReadAllBytes(BakeW8()), "version"));
        var e = Assert.Throws<EastBakeException>(() => PlanReader.Read(bad));
        Assert.Contains($"2.{PlanFormat.MinorVersion}", e.Message);
        Assert.Contains($"{PlanFormat.MajorVersion}.x", e.Message);
        Assert.Contains("rebake", e.Message);
    }

    /// <summary>The incremental check compares the plan's model hash with the current inputs: any difference rebakes.</summary>
    [Fact]
    public void Plan_from_other_inputs_is_rebaked()
    {
        var model = PathIn("m.pb");
        File.Copy(W8Model, model);
        var o = new BakeOptions { ModelPath = model, OutputPath = PathIn("m.eastplan"), Profile = ShapeProfile.Fixed(64, 96), Backends = ["Onnx"] };
        var first = new Baker().Bake(o);
        Assert.False(first.UpToDate);
        Assert.True(new Baker().Bake(o).UpToDate);

        // Another option: rebaked, and the plan records the new inputs.
        var wider = o with { Profile = ShapeProfile.Fixed(64, 128) };
        var second = new Baker().Bake(wider);
        Assert.False(second.UpToDate);
        Assert.Equal(InputHasher.Compute(wider, Baker.Version), PlanReader.Read(o.OutputPath).ModelHash);
        Assert.Equal(128, PlanReader.Read(o.OutputPath).Profile.OptWidth);

        // The model changes in place (same size, same timestamp): rebaked.
        var bytes = File.ReadAllBytes(model);
        var stamp = File.GetLastWriteTimeUtc(model);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(model, bytes);
        File.SetLastWriteTimeUtc(model, stamp);
        Assert.False(new Baker().Bake(wider).UpToDate);

        // A valid plan of another model at the output path: rebaked.
        var other = PathIn("other.pb");
        EastModelGenerator.WriteFrozen(other, new EastModelOptions { WidthDivisor = 32, Seed = 5 });
        new Baker().Bake(wider with { ModelPath = other, OutputPath = PathIn("other.eastplan") });
        File.Copy(PathIn("other.eastplan"), o.OutputPath, overwrite: true);
        Assert.False(new Baker().Bake(wider).UpToDate);
        Assert.Equal(InputHasher.Compute(wider, Baker.Version), PlanReader.Read(o.OutputPath).ModelHash);
    }

    private static PlanSegment Tagged(PlanSegment s, string arch, int? id = null, byte[]? payload = null) => new()
    {
        Id = id ?? s.Id, Group = s.Group, Engine = s.Engine, Architecture = arch, Inputs = s.Inputs, Outputs = s.Outputs,
        Properties = s.Properties, Payload = payload ?? s.Payload,
    };

    private static Plan WithSegments(Plan p, params PlanSegment[] segments) => new()
    {
        EastBakeVersion = p.EastBakeVersion, ModelHash = p.ModelHash, Precision = p.Precision, Profile = p.Profile,
        Target = p.Target, InputName = p.InputName, OutputNames = p.OutputNames, Metadata = p.Metadata, Segments = segments,
    };

    private static PlanSegment Seg(int id, int group, string engine, string arch) => new()
    {
        Id = id, Group = group, Engine = engine, Architecture = arch, Inputs = ["x"], Outputs = [$"y{group}"], Payload = [(byte)id],
    };

    [Fact]
    public void Selector_prefers_the_device_architecture_then_portable_with_EB4006_then_refuses_with_EB4051()
    {
        var plan = WithSegments(EastBake.Tests.Plans.PlanFormatTests.Sample(),
            Seg(0, 0, EngineKinds.Ilgpu, "sm_90"), Seg(1, 0, EngineKinds.Ilgpu, PlanTarget.Portable), Seg(2, 0, EngineKinds.Onnx, PlanTarget.Portable),
            Seg(3, 1, EngineKinds.Ilgpu, PlanTarget.Portable), Seg(4, 1, EngineKinds.Ilgpu, "SM_86"));
        var warnings = new List<string>();

        Assert.Equal([0, 3], SegmentSelector.Select(plan, EngineKinds.Ilgpu, "sm_90", warnings.Add).Select(s => s.Id));
        Assert.Single(warnings); // group 1 has no sm_90 segment: portable, with a warning
        Assert.Contains($"warning {ErrorCodes.PlanTargetMismatch}:", warnings[0]);
        Assert.Contains("built for SM_86, not for this device (sm_90)", warnings[0]);

        warnings.Clear();
        Assert.Equal([1, 4], SegmentSelector.Select(plan, EngineKinds.Ilgpu, "sm_86", warnings.Add).Select(s => s.Id));
        Assert.Single(warnings);

        warnings.Clear();
        Assert.Equal([1, 3], SegmentSelector.Select(plan, EngineKinds.Ilgpu, "sm_75", warnings.Add).Select(s => s.Id));
        Assert.Equal(2, warnings.Count);

        Assert.Equal([2], SegmentSelector.Select(plan, EngineKinds.Onnx, PlanTarget.Portable, warnings.Add).Select(s => s.Id));
        Assert.Empty(SegmentSelector.Select(plan, EngineKinds.TensorRtContext, "sm_90"));

        var only90 = WithSegments(plan, Seg(0, 0, EngineKinds.Ilgpu, "sm_90"));
        var e = Assert.Throws<EastBakeException>(() => SegmentSelector.Select(only90, EngineKinds.Ilgpu, "sm_86", planFile: "p.eastplan"));
        Assert.Equal((ErrorCodes.PlanNoSegmentForDevice, "p.eastplan"), (e.Code, e.File));
        Assert.Contains("sm_90", e.Message);
        Assert.Contains("sm_86", e.Message);
    }

    /// <summary>
    /// A plan whose first ONNX segment is tagged for another architecture and holds a different
    /// network (seed 2): ONNX Runtime must run the portable twin, giving exactly the portable
    /// plan's output; with no portable twin the detector refuses instead of running it.
    /// </summary>
    [Fact]
    public void Runtime_never_runs_a_segment_built_for_another_architecture()
    {
        var portable = PlanReader.Read(BakeW8());
        var otherModel = PathIn("seed2.pb");
        EastModelGenerator.WriteFrozen(otherModel, new EastModelOptions { WidthDivisor = 8, Seed = 2 });
        var other = new Baker().Bake(new BakeOptions
        {
            ModelPath = otherModel, OutputPath = PathIn("seed2.eastplan"), Profile = portable.Profile, Backends = ["Onnx"],
        }).Plan;
        var seg = portable.Segments.Single();
        var mixed = WithSegments(portable, Tagged(seg, "sm_90", 0, other.Segments.Single().Payload), Tagged(seg, PlanTarget.Portable, 1));
        var foreign = WithSegments(portable, Tagged(seg, "sm_90", 0, other.Segments.Single().Payload));

        var images = Enumerable.Range(0, 3).Select(i => RandomImage(i, 64, 96)).ToList();
        List<List<string>> Run(Plan p, List<string>? log = null)
        {
            using var d = EastDetector.Create(p, o =>
            {
                o.UseOnnxRuntime();
                o.Detection = o.Detection with { ScoreThreshold = 0.3f };
                o.Log = l => log?.Add(l);
            });
            return images.Select(img => d.Detect(img).Select(b => b.ToString()!).ToList()).ToList();
        }
        var expected = Run(portable);
        Assert.True(expected.Any(b => b.Count > 0), "no boxes: the comparison would be vacuous");
        Assert.Equal(expected, Run(mixed));
        Assert.NotEqual(expected, Run(WithSegments(portable, Tagged(other.Segments.Single(), PlanTarget.Portable))));

        var e = Assert.Throws<EastBakeException>(() => Run(foreign));
        output.WriteLine(e.Format());
        Assert.Equal(ErrorCodes.NoBackend, e.Code);
        Assert.Contains(ErrorCodes.PlanNoSegmentForDevice, e.Message);
        Assert.Contains("sm_90", e.Message);
        foreach (var i in images) i.Dispose();
    }

    private static Image<Rgb24> RandomImage(int seed, int height, int width)
    {
        var rnd = new Random(seed);
        var img = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                img[x, y] = new Rgb24((byte)rnd.Next(256), (byte)((x * 7 + seed) & 255), (byte)((y * 5) & 255));
        return img;
    }

    [Fact]
    public void Input_outside_the_profile_is_EB5001()
    {
        var plan = PathIn("dyn.eastplan");
        new Baker().Bake(new BakeOptions
        {
            ModelPath = W8Model, OutputPath = plan, Backends = ["Onnx"], Profile = ProfileText.Parse("min:1x64x64;opt:1x96x96;max:1x128x128"),
        });
        using var detector = EastDetector.Load(plan, o => o.UseOnnxRuntime());
        using (var fits = RandomImage(1, 96, 96))
        {
            var r = detector.DetectWithTimings(fits);
            Assert.Equal((96, 96), (r.InputHeight, r.InputWidth));
        }
        foreach (var (w, h) in new[] { (1000, 600), (20, 20), (300, 100) })
        {
            using var img = RandomImage(2, h, w);
            var e = Assert.Throws<EastBakeException>(() => detector.Detect(img));
            output.WriteLine(e.Format());
            Assert.Equal(ErrorCodes.InputShapeOutsideProfile, e.Code);
            Assert.Contains("min:1x64x64", e.Message);
        }
    }
}
