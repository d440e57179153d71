using System.Diagnostics;
using EastBake.Diagnostics;

namespace EastBake.Baking.Pipeline;

/// <summary>
/// Serializes bakes of one plan across threads and processes (two target frameworks, <c>-m</c>
/// builds, a tool run beside a build): an exclusive lock on <c>.&lt;plan&gt;.lock</c> beside the
/// plan, held from the up-to-date check to the rename. The second bake waits, then finds the plan
/// up to date. Correctness does not depend on it (plans are written to unique temp files and
/// renamed); it saves the duplicate work. The empty lock file is left in place: deleting it would
/// let a waiter lock an unlinked file while a newcomer locks a new one.
/// </summary>
public sealed class OutputLock : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    private readonly FileStream _stream;

    private OutputLock(FileStream stream) => _stream = stream;

    public static string LockPath(string planPath)
    {
        var full = Path.GetFullPath(planPath);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.lock");
    }

    /// <summary>Waits for the lock (EB4050 after <paramref name="timeout"/>); a folder that cannot hold it is EB4007.</summary>
    public static OutputLock Acquire(string planPath, IBakeLog log, TimeSpan? timeout = null)
    {
        var path = LockPath(planPath);
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                return new OutputLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (IsHeldByAnother(path, e))
            {
                if (clock.Elapsed >= limit)
                    throw new EastBakeException(ErrorCodes.PlanLocked,
                        $"another bake of this plan has held {Path.GetFileName(path)} for {clock.Elapsed.TotalMinutes:F0} min; " +
                        "stop it (or delete the lock file if no bake is running) and build again", Path.GetFullPath(planPath));
                if (!told) log.Info($"waiting for another bake of {Path.GetFileName(planPath)} to finish");
                told = true;
                Thread.Sleep(50);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new EastBakeException(ErrorCodes.PlanWriteFailed, $"cannot write to the plan's folder: {e.Message}",
                    Path.GetFullPath(planPath), inner: e);
            }
        }
    }

    /// <summary>
    /// A sharing violation on an existing lock file, as opposed to a folder that cannot hold one.
    /// .NET reports it as ERROR_SHARING_VIOLATION/ERROR_LOCK_VIOLATION on Windows and as flock's
    /// EWOULDBLOCK errno (11 on Linux, 35 on macOS) elsewhere.
    /// </summary>
    private static bool IsHeldByAnother(string path, IOException e) =>
        e is not (DirectoryNotFoundException or PathTooLongException) && File.Exists(path) &&
        (OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 32 or 33 : e.HResult is 11 or 35);

    public void Dispose() => _stream.Dispose();
}
