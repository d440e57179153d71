namespace EastBake.Tool.Html;

/// <summary>
/// A layered (Sugiyama-style) layout, computed once when the page is written: each node's row is
/// its longest path from a source, and nodes within a row are ordered by the mean position of
/// their neighbours (a few down and up sweeps) to keep edges short and uncrossed.
/// </summary>
public static class LayeredLayout
{
    public const double NodeWidth = 176, NodeHeight = 34, ColumnGap = 28, RowHeight = 66;

    public sealed record Result(double[] X, double[] Y, double Width, double Height);

    public static Result Compute(int count, IReadOnlyList<(int From, int To)> edges)
    {
        var preds = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        var succs = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        foreach (var (a, b) in edges)
        {
            succs[a].Add(b);
            preds[b].Add(a);
        }
        var rank = Ranks(count, preds, succs);
        var rows = Enumerable.Range(0, rank.Length == 0 ? 0 : rank.Max() + 1).Select(_ => new List<int>()).ToList();
        for (var i = 0; i < count; i++) rows[rank[i]].Add(i);

        var pos = new double[count];
        void Number() { foreach (var row in rows) for (var k = 0; k < row.Count; k++) pos[row[k]] = k - (row.Count - 1) / 2.0; }
        Number();
        for (var sweep = 0; sweep < 4; sweep++)
        {
            var down = sweep % 2 == 0;
            foreach (var row in down ? rows : Enumerable.Reverse(rows))
            {
                var key = row.ToDictionary(n => n, n =>
                {
                    var nb = down ? preds[n] : succs[n];
                    return nb.Count == 0 ? pos[n] : nb.Average(m => pos[m]);
                });
                row.Sort((a, b) => key[a] != key[b] ? key[a].CompareTo(key[b]) : a.CompareTo(b));
                for (var k = 0; k < row.Count; k++) pos[row[k]] = k - (row.Count - 1) / 2.0;
            }
        }

        var widest = rows.Count == 0 ? 1 : rows.Max(r => r.Count);
        var width = widest * (NodeWidth + ColumnGap) + ColumnGap;
        var x = new double[count];
        var y = new double[count];
        for (var i = 0; i < count; i++)
        {
            x[i] = width / 2 + pos[i] * (NodeWidth + ColumnGap);
            y[i] = RowHeight / 2 + rank[i] * RowHeight;
        }
        return new Result(x, y, width, Math.Max(1, rows.Count) * RowHeight);
    }

    /// <summary>Longest-path ranks in topological (Kahn) order; nodes on a cycle, if any, go last.</summary>
    private static int[] Ranks(int count, List<int>[] preds, List<int>[] succs)
    {
        var rank = new int[count];
        var indegree = preds.Select(p => p.Count).ToArray();
        var ready = new Queue<int>(Enumerable.Range(0, count).Where(i => indegree[i] == 0));
        var seen = 0;
        while (ready.Count > 0)
        {
            var n = ready.Dequeue();
            seen++;
            foreach (var s in succs[n])
            {
                rank[s] = Math.Max(rank[s], rank[n] + 1);
                if (--indegree[s] == 0) ready.Enqueue(s);
            }
        }
        if (seen < count)
        {
            var last = rank.Max() + 1;
            for (var i = 0; i < count; i++) if (indegree[i] > 0) rank[i] = last;
        }
        return rank;
    }
}
