using System.CommandLine;
using System.Globalization;
using EastBake.Baking.Partitioning;
using EastBake.Compiler.Import;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Optimizer;
using EastBake.Compiler.Shapes;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;
using EastBake.Tool.Html;
using Spectre.Console;

namespace EastBake.Tool.Commands;

/// <summary><c>east-bake inspect &lt;model|plan&gt;</c>: graph or plan summary.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A frozen graph (.pb/.pbtxt), SavedModel directory, checkpoint prefix, or .eastplan" };
        var shape = new Option<string?>("--input-shape") { Description = "Concrete input shape for shape inference, e.g. 704x1280" };
        var optimize = new Option<bool>("--optimize") { Description = "Also optimize the graph and show the result and the partition report" };
        var minSeg = new Option<int>("--minimum-segment-size") { Description = "Minimum segment size for the partition report", DefaultValueFactory = _ => SegmentPartitioner.DefaultMinimumSegmentSize };
        var html = new Option<string?>("--html") { Description = "Also write a self-contained HTML page drawing the graph with its segments coloured" };
        var backend = new Option<string>("--backend") { Description = "Engine whose partition --html colours (Ilgpu or Onnx)", DefaultValueFactory = _ => "Ilgpu" };
        var cmd = new Command("inspect", "Print a graph summary (ops by type, parameters, input/output shapes) or a plan's header and segments")
        {
            path, shape, optimize, minSeg, html, backend,
        };
        cmd.SetAction(r => CommandRunner.Run(() =>
        {
            var p = r.GetValue(path)!;
            var page = r.GetValue(html);
            if (p.EndsWith(PlanFormat.Extension, StringComparison.OrdinalIgnoreCase)) InspectPlan(p, page);
            else InspectModel(p, r.GetValue(shape), r.GetValue(optimize) || page is not null, r.GetValue(minSeg), page, r.GetValue(backend)!);
            if (page is not null) AnsiConsole.WriteLine($"wrote {Path.GetFullPath(page)}");
            return 0;
        }));
        return cmd;
    }

    private static void InspectModel(string path, string? shape, bool optimize, int minSeg, string? html, string backend)
    {
        var g = ModelLoader.Load(path);
        Dictionary<string, long[]>? shapes = null;
        if (shape is not null && g.Inputs.Count == 1)
        {
            var prof = ProfileText.Parse(shape);
            shapes = new() { [g.Inputs[0].Name] = [prof.OptBatch, prof.OptHeight, prof.OptWidth, 3] };
        }
        ShapeInference.Run(g, shapes);
        PrintGraph("Model", path, g);
        if (!optimize) return;
        var report = GraphOptimizer.Run(g);
        ShapeInference.Run(g, shapes);
        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine($"Optimizer: {report}");
        PrintGraph("Optimized", path, g);
        foreach (var caps in new IEngineCapabilities[] { new IlgpuCapabilities(), new OnnxCapabilities() })
        {
            AnsiConsole.WriteLine();
            var partition = SegmentPartitioner.Partition(g, caps, minSeg);
            Console.Write(PartitionReport.Format(partition));
            if (html is not null && caps.Engine == EngineFor(backend, path))
                GraphHtmlWriter.Write(GraphView.FromPartition(Path.GetFileName(path), g, partition), html);
        }
    }

    private static string EngineFor(string backend, string file) => backend.ToLowerInvariant() switch
    {
        "ilgpu" => EngineKinds.Ilgpu,
        "onnx" or "onnxruntime" => EngineKinds.Onnx,
        _ => throw new EastBakeException(ErrorCodes.BadBackendName, $"unknown backend '{backend}' for --html (expected Ilgpu or Onnx)", file),
    };

    internal static void PrintGraph(string title, string path, Graph g)
    {
        var consts = g.Nodes.Where(n => n.IsConst).ToList();
        var parameters = consts.Where(n => n.ConstValue.Type.IsFloat()).Sum(n => n.ConstValue.Length);
        AnsiConsole.WriteLine($"{title}: {path}");
        AnsiConsole.WriteLine($"  nodes: {g.Nodes.Count}   parameters: {parameters.ToString("N0", CultureInfo.InvariantCulture)} " +
                              $"({consts.Count} constants)");
        foreach (var v in g.Inputs) AnsiConsole.WriteLine($"  input:  {v.Name} {v.Type}{v.Shape}");
        foreach (var v in g.Outputs) AnsiConsole.WriteLine($"  output: {v.Name} {v.Type}{v.Shape}");
        foreach (var (k, v) in g.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) AnsiConsole.WriteLine($"  {k}: {v}");
        var table = new Table().AddColumn("op").AddColumn(new TableColumn("count").RightAligned());
        foreach (var grp in g.Nodes.GroupBy(n => n.Op).OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal))
            table.AddRow(Markup.Escape(grp.Key), grp.Count().ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }

    private static void InspectPlan(string path, string? html)
    {
        var plan = PlanReader.Read(path);
        AnsiConsole.WriteLine($"Plan: {path} ({new FileInfo(path).Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, checksum OK)");
        AnsiConsole.WriteLine($"  EastBake {plan.EastBakeVersion}, precision {plan.Precision}, profile {plan.Profile}");
        AnsiConsole.WriteLine($"  target: {plan.Target.Backend} ({plan.Target.Architecture}); model hash {plan.ModelHash[..16]}…");
        AnsiConsole.WriteLine($"  input: {plan.InputName}; outputs: {string.Join(", ", plan.OutputNames)}");
        foreach (var (k, v) in plan.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) AnsiConsole.WriteLine($"  {k}: {v}");
        var table = new Table().AddColumns("id", "group", "engine", "arch", "payload bytes", "inputs", "outputs", "properties");
        foreach (var s in plan.Segments)
            table.AddRow(s.Id.ToString(CultureInfo.InvariantCulture), s.Group.ToString(CultureInfo.InvariantCulture), s.Engine,
                s.Architecture, s.Payload.Length.ToString("N0", CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", s.Inputs)), Markup.Escape(string.Join(", ", s.Outputs)),
                Markup.Escape(string.Join("; ", s.Properties.Select(kv => $"{kv.Key}={kv.Value}"))));
        AnsiConsole.Write(table);
        if (html is not null) GraphHtmlWriter.Write(GraphView.FromPlan(Path.GetFileName(path), plan), html);
    }
}
