using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Reference;

namespace EastBake.Tests.Onnx;

/// <summary>Exports a graph, runs it in ONNX Runtime and compares each output with the reference interpreter.</summary>
public static class ExportCheck
{
    public static Dictionary<string, Tensor> AgainstReference(Graph g, Dictionary<string, Tensor> feeds, double tol = 1e-5)
    {
        g.TopologicalSort();
        var expected = ReferenceInterpreter.Run(g, feeds);
        var actual = OrtRunner.Run(OnnxExporter.Export(g), feeds);
        foreach (var (name, e) in expected)
        {
            var rel = Compare.RelL2(actual[name], e);
            Assert.True(rel <= tol, $"{name}: rel L2 {rel:E2} > {tol:E0}");
        }
        return actual;
    }
}
