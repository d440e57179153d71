using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Optimizer;
using EastBake.Compiler.Shapes;
using EastBake.ModelGenerator;

namespace EastBake.Tests.Calibration;

/// <summary>Generated EAST models, optimized as the baker optimizes them.</summary>
internal static class CalibrationGraphs
{
    public static string WriteModel(string path, int widthDivisor, ulong seed)
    {
        EastModelGenerator.WriteFrozen(path, new EastModelOptions { WidthDivisor = widthDivisor, Seed = seed });
        return path;
    }

    public static Graph LoadOptimized(string modelPath, int height, int width)
    {
        var g = ModelLoader.Load(modelPath);
        var shapes = new Dictionary<string, long[]> { [g.Inputs[0].Name] = [1, height, width, 3] };
        ShapeInference.Run(g, shapes);
        GraphOptimizer.Run(g);
        ShapeInference.Run(g, shapes);
        return g;
    }
}
