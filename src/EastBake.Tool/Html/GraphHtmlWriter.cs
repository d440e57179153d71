using System.Net;
using System.Reflection;
using System.Text.Json;

namespace EastBake.Tool.Html;

/// <summary>
/// Writes a <see cref="GraphView"/> as one self-contained HTML page (graph.html, embedded): the
/// laid-out graph goes in as JSON and a small inline script draws it as SVG, so the page needs
/// no network access (no CDN) and opens from disk in any browser.
/// </summary>
public static class GraphHtmlWriter
{
    public static void Write(GraphView view, string path)
    {
        var layout = LayeredLayout.Compute(view.Nodes.Count, view.Edges);
        var data = new
        {
            title = view.Title,
            summary = view.Summary,
            width = layout.Width,
            height = layout.Height,
            nodeWidth = LayeredLayout.NodeWidth,
            nodeHeight = LayeredLayout.NodeHeight,
            groups = view.Groups.Select(g => new { id = g.Id, label = g.Label, count = g.NodeCount }),
            nodes = view.Nodes.Select((n, i) => new { name = n.Name, op = n.Op, group = n.Group, detail = n.Detail, x = layout.X[i], y = layout.Y[i] }),
            edges = view.Edges.Select(e => new[] { e.From, e.To }),
        };
        // The default encoder escapes <, > and &, so the JSON cannot close its <script> element.
        var json = JsonSerializer.Serialize(data);
        var html = Template().Replace("/*EASTBAKE_TITLE*/", WebUtility.HtmlEncode(view.Title)).Replace("/*EASTBAKE_DATA*/", json);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, html);
        File.Move(temp, full, overwrite: true);
    }

    private static string Template()
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("EastBake.Tool.Html.graph.html")
                      ?? throw new InvalidOperationException("graph.html is not embedded");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
