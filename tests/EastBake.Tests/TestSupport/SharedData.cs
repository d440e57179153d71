namespace EastBake.Tests.TestSupport;

/// <summary>
/// Locates <c>../shared/</c> (beside the repository root) and the repository itself. Tests that
/// need shared data use <see cref="SharedFactAttribute"/> / <see cref="SharedTheoryAttribute"/>,
/// which skip with a reason when the data is absent.
/// </summary>
public static class SharedData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Absolute path of ../shared, or null when absent.</summary>
    public static string? Root { get; } = FindShared();

    public static bool Has(string relative) => Root is not null &&
        (File.Exists(Path.Combine(Root, relative)) || Directory.Exists(Path.Combine(Root, relative)));

    /// <summary>Absolute path under ../shared (callers check availability through the attributes).</summary>
    public static string Path_(string relative) => Path.Combine(Root ?? throw new InvalidOperationException("../shared is absent"), relative);

    public static string Repo(string relative) => Path.Combine(RepoRoot, relative);

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EastBake.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EastBake.sln not found above " + AppContext.BaseDirectory);
    }

    private static string? FindShared()
    {
        var env = Environment.GetEnvironmentVariable("EASTBAKE_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return Path.GetFullPath(env);
        var p = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        return Directory.Exists(p) ? p : null;
    }
}

/// <summary>A fact that needs files under ../shared; skipped with a reason when any is absent.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute(params string[] paths)
    {
        var missing = paths.FirstOrDefault(p => !SharedData.Has(p));
        if (SharedData.Root is null) Skip = "../shared is absent (data for this test lives beside the repository)";
        else if (missing is not null) Skip = $"../shared/{missing} is absent";
    }
}

/// <summary>A theory that needs files under ../shared; skipped with a reason when any is absent.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute(params string[] paths)
    {
        var missing = paths.FirstOrDefault(p => !SharedData.Has(p));
        if (SharedData.Root is null) Skip = "../shared is absent (data for this test lives beside the repository)";
        else if (missing is not null) Skip = $"../shared/{missing} is absent";
    }
}
