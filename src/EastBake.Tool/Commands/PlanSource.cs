using EastBake.Baking.Pipeline;
using EastBake.Runtime;
using EastBake.Runtime.Plans;

namespace EastBake.Tool.Commands;

/// <summary>Opens a detector from a plan, or from a model by baking it first (into a temp plan).</summary>
internal static class PlanSource
{
    public static EastDetector OpenDetector(string modelOrPlan, BackendChoice backend, string inputShape, float? scoreThreshold = null)
    {
        Plan plan;
        if (modelOrPlan.EndsWith(PlanFormat.Extension, StringComparison.OrdinalIgnoreCase))
            plan = PlanReader.Read(modelOrPlan);
        else
        {
            var temp = Path.Combine(Path.GetTempPath(), $"east-bake-{Guid.NewGuid():N}{PlanFormat.Extension}");
            try
            {
                plan = new Baker().Bake(new BakeOptions
                {
                    ModelPath = modelOrPlan, OutputPath = temp, Backends = backend.WantsIlgpu ? ["Ilgpu", "Onnx"] : ["Onnx"],
                    Profile = ProfileText.Parse(inputShape),
                }).Plan;
            }
            finally
            {
                File.Delete(temp);
                File.Delete(OutputLock.LockPath(temp));
            }
        }
        return EastDetector.Create(plan, o =>
        {
            backend.Apply(o);
            if (scoreThreshold is { } t) o.Detection = o.Detection with { ScoreThreshold = t };
            o.Log = line => Console.Error.WriteLine(line);
        }, modelOrPlan);
    }

    /// <summary>Images of a folder (jpg/jpeg/png/bmp, sorted), or the one file given.</summary>
    public static IReadOnlyList<string> Images(string path) => Runtime.Detection.ImageFolder.List(path);

    /// <summary>ICDAR image id: the number in <c>img_123.jpg</c>; null when the name has none.</summary>
    public static int? ImageId(string path)
    {
        var digits = new string(Path.GetFileNameWithoutExtension(path).Reverse().TakeWhile(char.IsDigit).Reverse().ToArray());
        return int.TryParse(digits, out var id) ? id : null;
    }
}
