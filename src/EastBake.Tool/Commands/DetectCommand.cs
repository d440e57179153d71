using System.CommandLine;
using System.Globalization;
using EastBake.Diagnostics;
using EastBake.Evaluation;
using EastBake.Runtime.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Spectre.Console;

namespace EastBake.Tool.Commands;

/// <summary><c>east-bake detect &lt;model|plan&gt; &lt;image|folder&gt; [--out dir]</c>.</summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "An .eastplan, or a model to bake on the fly" };
        var images = new Argument<string>("images") { Description = "An image or a folder of images" };
        var output = new Option<string>("--out", "-o") { Description = "Output folder for res_img_N.txt and annotated PNGs", DefaultValueFactory = _ => "detections" };
        var backend = BackendChoice.BackendOption();
        var device = BackendChoice.DeviceOption();
        var threshold = new Option<float?>("--score-threshold") { Description = "Score-map threshold (default 0.8, argman/EAST's)" };
        var shape = new Option<string>("--input-shape") { Description = "Profile when baking a model on the fly", DefaultValueFactory = _ => "min:1x32x32;opt:1x704x1280;max:1x2400x2400" };
        var cmd = new Command("detect", "Detect text: writes ICDAR res_img_N.txt files and PNGs with the quads drawn") { model, images, output, backend, device, shape, threshold };
        cmd.SetAction(r => CommandRunner.Run(() =>
        {
            var outDir = Directory.CreateDirectory(r.GetValue(output)!).FullName;
            using var detector = PlanSource.OpenDetector(r.GetValue(model)!,
                BackendChoice.Parse(r.GetValue(backend)!, r.GetValue(device)!), r.GetValue(shape)!, r.GetValue(threshold));
            var files = PlanSource.Images(r.GetValue(images)!);
            int done = 0, skipped = 0, boxes = 0;
            foreach (var file in files)
            {
                try
                {
                    using var image = ImageLoader.Load(file);
                    var result = detector.DetectWithTimings(image);
                    boxes += result.Boxes.Count;
                    var name = Path.GetFileNameWithoutExtension(file);
                    var id = PlanSource.ImageId(file);
                    var quads = result.Boxes.Select(b => b.Quad).ToList();
                    if (id is int n) IcdarResultWriter.Write(outDir, n, quads);
                    else File.WriteAllText(Path.Combine(outDir, $"res_{name}.txt"), IcdarResultWriter.Format(quads));
                    QuadPainter.Draw(image, result.Boxes, new Rgb24(255, 32, 32), 2);
                    image.SaveAsPng(Path.Combine(outDir, name + ".png"));
                    done++;
                }
                catch (EastBakeException e) when (ImageLoader.IsSkippable(e))
                {
                    Console.Error.WriteLine(e.Format("warning"));
                    skipped++;
                }
            }
            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{done} image(s), {boxes} box(es), {skipped} skipped; backend {detector.BackendDescription}; output in {outDir}"));
            return 0;
        }));
        return cmd;
    }
}
