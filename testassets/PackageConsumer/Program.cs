using System.Globalization;
using EastBake.Runtime;
using EastBake.Runtime.Detection;
#if !EASTBAKE_ILGPU
using EastBake.Runtime.OnnxRuntime;
#endif

// Loads the plan the build baked into bin/ and detects text in an image.
// Usage: PackageConsumer <image> [score threshold]
// Prints the backend, the box count, and one line per box: score and the quad's 8 coordinates.
var plan = Path.Combine(AppContext.BaseDirectory, "model.eastplan");
var threshold = args.Length > 1 ? float.Parse(args[1], CultureInfo.InvariantCulture) : DetectionOptions.Default.ScoreThreshold;
using var detector = EastDetector.Load(plan, o =>
{
    o.Detection = DetectionOptions.Default with { ScoreThreshold = threshold };
#if EASTBAKE_ILGPU
    o.UseIlgpu();
#else
    o.UseOnnxRuntime();
#endif
});
var boxes = detector.Detect(args[0]);
Console.WriteLine($"backend: {detector.BackendDescription}");
Console.WriteLine($"boxes: {boxes.Count}");
foreach (var b in boxes)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"box: {b.Score:R} {string.Join(' ', b.Quad.ToArray().Select(p => $"{p.X:R} {p.Y:R}"))}"));
