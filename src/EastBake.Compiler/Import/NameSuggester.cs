namespace EastBake.Compiler.Import;

/// <summary>Finds the node names closest to a misspelt one (Levenshtein distance), for error messages.</summary>
internal static class NameSuggester
{
    public static IReadOnlyList<string> Closest(string wanted, IEnumerable<string> names, int count = 3) =>
        names.Select(n => (Name: n, Distance: Distance(wanted, n)))
            .OrderBy(p => p.Distance).ThenBy(p => p.Name, StringComparer.Ordinal)
            .Take(count).Select(p => p.Name).ToList();

    public static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
