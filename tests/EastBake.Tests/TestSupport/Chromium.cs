namespace EastBake.Tests.TestSupport;

/// <summary>Headless Chromium for tests of the pages EastBake writes (Debian package <c>chromium</c>).</summary>
public static class Chromium
{
    /// <summary>The browser: $EASTBAKE_CHROMIUM, or the usual install paths; null when none is installed.</summary>
    public static string? Executable { get; } = new[]
        {
            Environment.GetEnvironmentVariable("EASTBAKE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable",
        }
        .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    /// <summary>Loads a local page, runs its scripts, and returns the DOM as serialized after they ran.</summary>
    public static string DumpDom(string htmlPath)
    {
        var profile = Directory.CreateTempSubdirectory("eastbake-chromium-").FullName;
        try
        {
            var r = ChildProcess.Run(Executable ?? throw new InvalidOperationException("chromium is not installed"),
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-extensions", $"--user-data-dir={profile}",
                "--virtual-time-budget=5000", "--window-size=1400,900", "--dump-dom", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
            ], profile, timeout: TimeSpan.FromMinutes(2));
            Assert.True(r.ExitCode == 0, r.Describe());
            return r.StandardOutput;
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>A fact that needs headless Chromium; skipped with a reason when it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Executable is null)
            Skip = "chromium is not installed (apt-get install chromium, or set EASTBAKE_CHROMIUM); .ci/run installs it";
    }
}
