using System.CommandLine;
using EastBake.Runtime.Ilgpu;
using EastBake.Tool.Bench;

namespace EastBake.Tool.Commands;

/// <summary>
/// <c>east-bake bench</c>: device timings of the ILGPU engine. <c>--conv-sweep</c> times every
/// convolution kernel on each EAST convolution shape (no model needed).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var sweep = new Option<bool>("--conv-sweep") { Description = "Time every convolution kernel on each EAST-R50 convolution shape (FP16)" };
        var shape = new Option<string>("--input-shape") { Description = "Network input HxW", DefaultValueFactory = _ => "704x1280" };
        var iters = new Option<int>("--iters") { Description = "Timed repetitions (median reported)", DefaultValueFactory = _ => 20 };
        var device = new Option<EngineDevice>("--device") { Description = "ILGPU accelerator", DefaultValueFactory = _ => EngineDevice.Auto };
        var noDirect = new Option<bool>("--no-direct") { Description = "Skip the direct kernel (slow; also the sweep's correctness reference)" };
        var cmd = new Command("bench", "Time the ILGPU engine on the device") { sweep, shape, iters, device, noDirect };
        cmd.SetAction(r => CommandRunner.Run(() =>
        {
            var (h, w) = ParseSize(r.GetValue(shape)!);
            var (context, accelerator) = IlgpuDeviceSelector.Create(r.GetValue(device), Console.WriteLine);
            using (context)
            using (accelerator)
            {
                if (!r.GetValue(sweep))
                {
                    Console.Error.WriteLine("bench: nothing to do (use --conv-sweep)");
                    return 1;
                }
                var results = ConvKernelSweep.Run(accelerator, EastConvShapes.For(h, w), r.GetValue(iters), !r.GetValue(noDirect), Console.WriteLine).ToList();
                Console.WriteLine(ConvKernelSweep.Summarize(results));
                return 0;
            }
        }));
        return cmd;
    }

    private static (int H, int W) ParseSize(string text)
    {
        var parts = text.ToLowerInvariant().Split('x');
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }
}
