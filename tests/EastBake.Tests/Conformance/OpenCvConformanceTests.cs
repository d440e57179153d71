using System.Globalization;
using System.Text;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Reference;
using EastBake.Compiler.Util;
using EastBake.Tests.TestSupport;
using Xunit.Abstractions;

namespace EastBake.Tests.Conformance;

/// <summary>
/// The reference interpreter against real TensorFlow: every OpenCV test graph under
/// ../shared/tf/opencv with its TF input and output tensors. Graphs whose ops are all supported
/// must match to 1e-4 relative L2; graphs with other ops are listed, not failed.
/// </summary>
public class OpenCvConformanceTests(ITestOutputHelper output)
{
    private const double Limit = 1e-4;

    // float16 graphs: TF rounds to half inside its kernels (Eigen half arithmetic), so results can
    // differ by an ulp of half (unit roundoff 4.9e-4) wherever rounding order differs.
    private const double HalfLimit = 2e-3;

    [SharedFact("tf/opencv")]
    public void ReferenceInterpreterMatchesTensorFlow()
    {
        var dir = SharedData.Path_("tf/opencv");
        var rows = new List<Row>();
        foreach (var model in Directory.GetFiles(dir, "*_net.pb*").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(model)[..Path.GetFileName(model).LastIndexOf("_net.", StringComparison.Ordinal)];
            var inPath = Path.Combine(dir, name + "_in.npy");
            var outPath = Path.Combine(dir, name + "_out.npy");
            if (!File.Exists(inPath) || !File.Exists(outPath)) continue;
            rows.Add(Check(Path.GetFileName(model), model, inPath, outPath));
        }

        var table = new StringBuilder();
        table.AppendLine($"{"graph",-42} {"status",-12} {"rel L2",10} {"max abs",10}  ops");
        foreach (var r in rows)
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Graph,-42} {r.Status,-12} {Fmt(r.RelL2),10} {Fmt(r.MaxAbs),10}  {r.Ops}{(r.Status == "import-fail" ? r.Note : "")}"));
        var passed = rows.Count(r => r.Status.StartsWith("ok", StringComparison.Ordinal));
        table.AppendLine($"{rows.Count} graphs: {passed} match, {rows.Count(r => r.Status == "unsupported")} use unsupported ops, " +
                         $"{rows.Count(r => r.Status == "import-fail")} are refused by the importer, " +
                         $"{rows.Count(r => r.Status is "FAIL" or "ERROR")} fail");
        output.WriteLine(table.ToString());

        Assert.True(passed >= 30, $"only {passed} graphs ran fully supported");
        var failures = rows.Where(r => r.Status is "FAIL" or "ERROR").Select(r => $"{r.Graph}: {r.Note}").ToList();
        Assert.True(failures.Count == 0, "graphs with supported ops differ from TF:\n" + string.Join("\n", failures));
    }

    private sealed record Row(string Graph, string Status, double RelL2, double MaxAbs, string Ops, string Note = "");

    private static string Fmt(double v) => double.IsNaN(v) ? "-" : v.ToString("0.0e+0", CultureInfo.InvariantCulture);

    private static Row Check(string graphName, string model, string inPath, string outPath)
    {
        Graph g;
        try
        {
            var pb = model[..^"txt".Length];
            var options = model.EndsWith(".pbtxt", StringComparison.Ordinal) && File.Exists(pb) ? new ImportOptions { ConstantsFrom = pb } : null;
            g = ModelLoader.Load(model, options);
        }
        catch (Exception e)
        {
            return new Row(graphName, "import-fail", double.NaN, double.NaN, "", e.Message);
        }
        var ops = g.Nodes.Select(n => n.Op).Where(o => o is not (Ops.Const or Ops.Placeholder)).Distinct().Order(StringComparer.Ordinal).ToList();
        var unsupported = ops.Where(o => !ReferenceInterpreter.Supports(o)).ToList();
        var opText = string.Join(",", ops);
        if (unsupported.Count > 0)
            return new Row(graphName, "unsupported", double.NaN, double.NaN, "unsupported: " + string.Join(",", unsupported));
        if (g.Inputs.Count != 1 || g.Outputs.Count != 1)
            return new Row(graphName, "ERROR", double.NaN, double.NaN, opText, $"{g.Inputs.Count} inputs, {g.Outputs.Count} outputs");
        try
        {
            var input = Layout.NchwToNhwc(Npy.Read(inPath));
            var result = ReferenceInterpreter.Run(g, new Dictionary<string, Tensor> { [g.Inputs[0].Name] = input });
            var actual = Layout.NhwcToNchw(result[g.Outputs[0].Name]);
            var expected = Npy.Read(outPath);
            if (actual.Length != expected.Length)
                return new Row(graphName, "FAIL", double.NaN, double.NaN, opText,
                    $"shape [{string.Join(",", actual.Shape)}] vs TF [{string.Join(",", expected.Shape)}]");
            var (rel, max) = Layout.Compare(actual, expected);
            var limit = g.Nodes.Any(n => n.Outputs.Any(o => o.Type == ElementType.Float16)) ? HalfLimit : Limit;
            return new Row(graphName, rel <= limit ? (limit == Limit ? "ok" : "ok (fp16)") : "FAIL", rel, max, opText, $"rel L2 {rel:g3} > {limit:g3}");
        }
        catch (Exception e)
        {
            return new Row(graphName, "ERROR", double.NaN, double.NaN, opText, e.Message);
        }
    }
}
