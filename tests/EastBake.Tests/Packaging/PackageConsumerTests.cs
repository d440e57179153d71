using System.Globalization;
using EastBake.Baking.Pipeline;
using EastBake.ModelGenerator;
using EastBake.Runtime;
using EastBake.Runtime.Detection;
using EastBake.Runtime.OnnxRuntime;
using EastBake.Runtime.Plans;
using EastBake.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace EastBake.Tests.Packaging;

/// <summary>
/// The product as a user meets it: pack EastBake.Build, EastBake.Runtime and
/// EastBake.Runtime.OnnxRuntime into a local feed beside a plan package written by
/// <c>east-bake pack</c>, create a fresh console project that references them through a private NuGet
/// cache, add an &lt;EastModel&gt; item for a freshly generated model, build, run the app on an
/// image, rebuild (the bake must be skipped), clean (plans removed), corrupt the model (the build must fail with the
/// importer's code and leave no plan behind).
/// </summary>
public sealed class PackageConsumerTests(ITestOutputHelper log) : IDisposable
{
    /// <summary>
    /// false: the app runs the plan on ONNX Runtime (Backends="Onnx", references
    /// EastBake.Runtime.OnnxRuntime, ~900 MB of ORT GPU packages restored). Flip to true when
    /// EastBake.Runtime's ILGPU engine lands: the app then references EastBake.Runtime alone,
    /// bakes Backends="Ilgpu" and calls o.UseIlgpu() (testassets/PackageConsumer).
    /// </summary>
    private const bool RuntimeOnlyIlgpu = false;

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(8);

    private readonly string _root = Directory.CreateTempSubdirectory("eastbake-pkg-").FullName;

    [Fact]
    public void PackedPackagesBakeCopySkipAndFailCleanlyInAFreshProject()
    {
        var config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var feed = Directory.CreateDirectory(Path.Combine(_root, "feed")).FullName;
        var app = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        var env = IsolatedEnvironment();

        // 1. Pack (the solution build made these outputs; --no-build packs exactly what the tests ran against).
        foreach (var project in new[] { "EastBake.Build", "EastBake.Runtime", "EastBake.Runtime.OnnxRuntime" })
            Ok(Dotnet(["pack", SharedData.Repo($"src/{project}/{project}.csproj"), "-c", config, "--no-build", "-o", feed], _root, env));
        foreach (var nupkg in Directory.GetFiles(feed, "*.nupkg"))
            log.WriteLine($"{Path.GetFileName(nupkg)}: {new FileInfo(nupkg).Length:N0} bytes");
        // INT8 calibration in `dotnet build` runs ONNX Runtime inside the packed baker: its CPU natives must be in the package.
        using (var buildPackage = System.IO.Compression.ZipFile.OpenRead(Directory.GetFiles(feed, "EastBake.Build.*.nupkg").Single()))
            Assert.Contains(buildPackage.Entries, e => e.FullName == "tools/net10.0/baker/runtimes/linux-x64/native/libonnxruntime.so");

        // 2. A fresh project: the consumer template, a private nuget.config, a new model and image.
        foreach (var f in new[] { "PackageConsumer.csproj", "Program.cs" })
            File.Copy(SharedData.Repo($"testassets/PackageConsumer/{f}"), Path.Combine(app, f));
        File.WriteAllText(Path.Combine(app, "nuget.config"), NuGetConfig(feed, Path.Combine(_root, "packages")));
        var model = Path.Combine(app, "model.pb");
        var image = Path.Combine(_root, "image.png");

        // The independent reference: the same model baked in-process to ONNX (run on ONNX Runtime
        // CPU below); `east-bake pack` turns that plan into a plan package in the feed. A random
        // model and image can leave the score map without any box; then a fresh pair is drawn.
        var referencePlan = Path.Combine(_root, "plans", "ci-artifact.eastplan");
        (float Threshold, List<TextBox> Boxes)? found = null;
        for (int attempt = 0; attempt < 5 && found is null; attempt++)
        {
            var seed = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
            log.WriteLine($"model seed {seed}");
            EastModelGenerator.WriteFrozen(model, new EastModelOptions { WidthDivisor = 8, Seed = seed });
            WriteRandomImage(image, 320, 256);
            found = ReferenceBoxes(model, referencePlan, image);
        }
        var (threshold, reference) = found ?? throw new InvalidOperationException("five random models found no box at any threshold down to 0.05");
        Assert.Equal(0, EastBake.Tool.Program.Main(["pack", Path.GetDirectoryName(referencePlan)!, "--id", "Test.EastPlans", "--version", "1.0.0", "-o", feed]));

        string[] props = ["-nr:false", $"-p:EastBakeUseIlgpu={(RuntimeOnlyIlgpu ? "true" : "false")}",
            "-p:EastBakePlanPackage=Test.EastPlans", "-p:EastBakePlanPackageVersion=1.0.0"];
        string[] build = ["build", "-v:n", "-p:UseSharedCompilation=false", "--no-restore", .. props];
        var restore = Ok(Dotnet(["restore", .. props], app, env));
        log.WriteLine($"restore: {restore.Elapsed.TotalSeconds:F1} s");

        // 3. Cold build: the plan is baked into obj/…/east/ and copied to bin/.
        var cold = Ok(Dotnet(build, app, env));
        log.WriteLine($"cold build (bake included): {cold.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("EastBake: baking model.pb", cold.Output);
        var binPlan = Path.Combine(app, "bin", "Debug", "net10.0", "model.eastplan");
        var objPlan = Path.Combine(app, "obj", "Debug", "net10.0", "east", "model.eastplan");
        Assert.True(File.Exists(binPlan), "bin/ has no plan\n" + cold.Describe());
        var plan = PlanReader.Read(binPlan); // verifies the checksum
        Assert.Equal(RuntimeOnlyIlgpu ? EngineKinds.Ilgpu : EngineKinds.Onnx, Assert.Single(plan.Segments).Engine);
        var packagedPlan = Path.Combine(app, "bin", "Debug", "net10.0", "ci-artifact.eastplan");
        Assert.True(File.Exists(packagedPlan), "the plan package's plan is not in bin/\n" + cold.Describe());
        Assert.Equal(File.ReadAllBytes(referencePlan), File.ReadAllBytes(packagedPlan));

        // 4. The app loads the plan from its own folder and detects; boxes match an independent
        //    path: the same model baked in-process to ONNX and run on ONNX Runtime CPU here.
        //    (Random weights give flat score maps: ReferenceBoxes picks the highest threshold that yields boxes.)
        var run = Ok(Dotnet([Path.Combine(app, "bin", "Debug", "net10.0", "PackageConsumer.dll"), image,
            threshold.ToString(CultureInfo.InvariantCulture)], app, env));
        var boxes = run.Output.Split('\n').Where(l => l.StartsWith("box: ", StringComparison.Ordinal)).ToList();
        Assert.Contains($"boxes: {reference.Count}", run.Output);
        Assert.Equal(reference.Count, boxes.Count);
        log.WriteLine($"app: {reference.Count} box(es) at score threshold {threshold}; {run.Output.Split('\n')[0]}");
        for (var i = 0; i < boxes.Count; i++)
        {
            var v = boxes[i][5..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(reference[i].Score, v[0], 1e-4);
            var q = reference[i].Quad.ToArray();
            for (var k = 0; k < 4; k++)
            {
                Assert.Equal(q[k].X, v[1 + 2 * k], 0.05);
                Assert.Equal(q[k].Y, v[2 + 2 * k], 0.05);
            }
        }

        // 5. No-change rebuild: MSBuild skips the bake target; the plan is untouched.
        var planTime = File.GetLastWriteTimeUtc(objPlan);
        var warm = Ok(Dotnet(build, app, env));
        log.WriteLine($"no-change rebuild: {warm.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("Skipping target \"_EastBakeModel\" because all output files are up-to-date", warm.Output);
        Assert.DoesNotContain("EastBake: baking", warm.Output);
        Assert.Equal(planTime, File.GetLastWriteTimeUtc(objPlan));

        // 6. `dotnet clean` removes the plan, its stamp and the bin/ copy; the next build bakes again.
        Ok(Dotnet(["clean", "-v:m", .. props], app, env));
        Assert.False(File.Exists(objPlan) || File.Exists(objPlan + ".inputs") || File.Exists(binPlan), "dotnet clean left plan files");
        var rebuilt = Ok(Dotnet(build, app, env));
        Assert.Contains("EastBake: baking model.pb", rebuilt.Output);
        Assert.True(File.Exists(binPlan), "no plan in bin/ after clean + build\n" + rebuilt.Describe());

        // 7. A corrupt model: the build fails with the importer's code, naming the model, and no plan survives.
        var bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, bytes[..(bytes.Length / 2)]);
        var broken = Dotnet(build, app, env);
        Assert.True(broken.ExitCode != 0, "the build of a corrupt model succeeded\n" + broken.Describe());
        Assert.Matches(@"model\.pb\s*: error EB1004: the GraphDef is truncated", broken.Output);
        Assert.False(File.Exists(objPlan), "a stale plan was left in obj/\n" + broken.Describe());
        Assert.False(File.Exists(binPlan), "a stale plan was left in bin/\n" + broken.Describe());
    }

    private static (float Threshold, List<TextBox> Boxes)? ReferenceBoxes(string model, string planPath, string image)
    {
        var plan = new Baker().Bake(new BakeOptions
        {
            ModelPath = model, OutputPath = planPath, Backends = ["Onnx"], Profile = ShapeProfile.Fixed(256, 256), Force = true,
        }).Plan;
        foreach (var threshold in new[] { 0.8f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f, 0.05f })
        {
            using var detector = EastDetector.Create(plan, o =>
            {
                o.UseOnnxRuntime();
                o.Detection = DetectionOptions.Default with { ScoreThreshold = threshold };
            });
            var boxes = detector.Detect(image).ToList();
            if (boxes.Count > 0) return (threshold, boxes);
        }
        return null;
    }

    private static void WriteRandomImage(string path, int width, int height)
    {
        using var img = new Image<Rgb24>(width, height);
        var rng = new Random();
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
            img[x, y] = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
        img.SaveAsPng(path);
    }

    /// <summary>Only the local feed and nuget.org; packages go to a private folder.</summary>
    private static string NuGetConfig(string feed, string packages) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config>
            <add key="globalPackagesFolder" value="{packages}" />
          </config>
          <packageSources>
            <clear />
            <add key="eastbake-local" value="{feed}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
          </packageSources>
        </configuration>
        """;

    /// <summary>
    /// No state shared with the machine or the test host: private package and HTTP caches, no
    /// MSBuild variables inherited from the test host (they would point child builds at the
    /// host's MSBuild), and no node reuse, so nothing keeps running after the test.
    /// </summary>
    private Dictionary<string, string?> IsolatedEnvironment()
    {
        var env = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = Path.Combine(_root, "packages"),
            ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(_root, "http-cache"),
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && !env.ContainsKey(key) ||
                key is "VSTEST_HOST_DEBUG" or "DOTNET_HOST_PATH")
                env[key] = null;
        env["MSBUILDDISABLENODEREUSE"] = "1";
        return env;
    }

    private static ChildResult Dotnet(IEnumerable<string> args, string cwd, IReadOnlyDictionary<string, string?> env) =>
        ChildProcess.Run("dotnet", args, cwd, env, StepTimeout);

    private static ChildResult Ok(ChildResult r)
    {
        Assert.True(r.ExitCode == 0, r.Describe());
        return r;
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
