using System.Diagnostics;

namespace EastBake.Tests.Reliability;

/// <summary>
/// What this machine allows for fault tests: mounting a small tmpfs (a real full disk), and a way
/// to make a folder unwritable. Root ignores permission bits, so there a folder is made immutable
/// (<c>chattr +i</c>) or a read-only tmpfs is mounted instead; probed once, at test discovery.
/// </summary>
public static class FaultEnvironment
{
    public static bool IsRoot { get; } = !OperatingSystem.IsWindows() && Run("id", "-u").Output.Trim() == "0";

    /// <summary>Null when a 1 MiB tmpfs can be mounted here; otherwise why not.</summary>
    public static string? TmpfsUnavailable { get; } = ProbeTmpfs();

    /// <summary>How folders are made unwritable here, or null when no method works.</summary>
    public static string? ReadOnlyMethod { get; } = ProbeReadOnly();

    public static (int Code, string Output) Run(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, e.Message); }
    }

    public static void MountTmpfs(string dir, string options)
    {
        Directory.CreateDirectory(dir);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir);
        if (code != 0) throw new InvalidOperationException($"mount failed: {output}");
    }

    public static void Unmount(string dir) => Run("umount", dir);

    private static string? ProbeTmpfs()
    {
        if (OperatingSystem.IsWindows()) return "tmpfs needs Linux";
        var dir = Directory.CreateTempSubdirectory("eb-probe-").FullName;
        try
        {
            var (code, output) = Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir);
            if (code != 0) return $"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {output.Trim()}";
            Unmount(dir);
            return null;
        }
        finally { Directory.Delete(dir); }
    }

    private static string? ProbeReadOnly()
    {
        if (OperatingSystem.IsWindows()) return null;
        if (!IsRoot) return "chmod";
        var dir = Directory.CreateTempSubdirectory("eb-probe-").FullName;
        try
        {
            if (Run("chattr", "+i", dir).Code == 0)
            {
                var blocked = false;
                try { File.WriteAllText(Path.Combine(dir, "x"), "x"); }
                catch (UnauthorizedAccessException) { blocked = true; }
                catch (IOException) { blocked = true; }
                Run("chattr", "-i", dir);
                if (blocked) return "chattr";
            }
            return TmpfsUnavailable is null ? "ro-tmpfs" : null;
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Makes <paramref name="dir"/> unwritable; the returned action undoes it.</summary>
    public static Action MakeReadOnly(string dir)
    {
        switch (ReadOnlyMethod)
        {
            case "chmod":
                File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                                          UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                return () => File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            case "chattr":
                Run("chattr", "+i", dir);
                return () => Run("chattr", "-i", dir);
            case "ro-tmpfs":
                // Files already in the folder are hidden by the mount: callers create them after.
                MountTmpfs(dir, "ro,size=64k");
                return () => Unmount(dir);
            default:
                throw new InvalidOperationException("no read-only method on this machine");
        }
    }
}

/// <summary>A fact that mounts a tmpfs; skipped with the reason where that is not allowed.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (FaultEnvironment.TmpfsUnavailable is { } why) Skip = why;
    }
}

/// <summary>A fact that needs an unwritable folder; skipped with the reason where none can be made.</summary>
public sealed class ReadOnlyFolderFactAttribute : FactAttribute
{
    public ReadOnlyFolderFactAttribute()
    {
        if (FaultEnvironment.ReadOnlyMethod is null)
            Skip = "no way to make a folder unwritable here (root ignores chmod; chattr and mount are not permitted)";
    }
}
