using System.Diagnostics;
using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.ModelGenerator;
using EastBake.Runtime.Plans;
using Xunit.Abstractions;

namespace EastBake.Tests.Reliability;

/// <summary>
/// Issue 8, item 4: a bake killed at any moment, two bakes of one output at once, a full disk and
/// a read-only folder. Nothing half-written is ever trusted by the next build; failures are EB4007.
/// </summary>
public sealed class BakeFaultTests(ITestOutputHelper output) : ReliabilityTestBase
{
    private BakeOptions W8Options(string plan) => new()
    {
        ModelPath = W8Model, OutputPath = plan, Profile = ShapeProfile.Fixed(64, 96), Backends = ["Onnx"],
    };

    private static string[] BakeArgs(string plan) => ["bake", W8Model, "--backends", "Onnx", "--input-shape", "64x96", "-o", plan, "--msbuild"];

    private static string[] Temps(string dir) => Directory.GetFiles(dir, "*.tmp");

    /// <summary>
    /// The tool's bake, run as a child process and SIGKILLed at a sweep of delays across the run,
    /// then (on a 24 MB plan, whose write takes long enough to hit) the moment its temp file
    /// appears. After each kill the incremental check trusts only a complete plan of the same
    /// inputs, and the next bake gives the reference plan and removes the dead writer's temps.
    /// </summary>
    [Fact]
    public void Bake_killed_at_any_moment_leaves_nothing_a_later_build_trusts()
    {
        foreach (var delayMs in new[] { 300, 2500 })
            KillAndCheck(W8Model, "w8", () => Thread.Sleep(delayMs), $"{delayMs} ms");

        var w2 = PathIn("w2.pb");
        EastModelGenerator.WriteFrozen(w2, new EastModelOptions { WidthDivisor = 2, Seed = 1 });
        var landed = false;
        for (var attempt = 0; attempt < 5 && !landed; attempt++)
            landed = KillAndCheck(w2, "w2", null, "temp file creation");
        Assert.True(landed, "no kill landed between the temp file's creation and its rename in 5 attempts");
    }

    /// <summary>One killed bake; true when it died with its temp file written and the plan not yet renamed.</summary>
    private bool KillAndCheck(string model, string name, Action? wait, string when)
    {
        var dir = Directory.CreateDirectory(PathIn("out_" + name)).FullName;
        var plan = Path.Combine(dir, "m.eastplan");
        var o = W8Options(plan) with { ModelPath = model };
        var referencePath = PathIn($"reference_{name}.eastplan");
        if (!File.Exists(referencePath)) new Baker().Bake(o with { OutputPath = referencePath });
        var reference = File.ReadAllBytes(referencePath);
        foreach (var f in Directory.GetFiles(dir)) File.Delete(f);

        using var watcher = new FileSystemWatcher(dir, "*.tmp");
        using var child = new Process { StartInfo = ToolProcess.StartInfo(["bake", model, "--backends", "Onnx", "--input-shape", "64x96", "-o", plan, "--msbuild"]) };
        child.Start();
        if (wait is null)
        {
            // Kill from the watcher's thread, the moment the temp file is created.
            watcher.Created += (_, _) => { try { child.Kill(); } catch (InvalidOperationException) { } };
            watcher.EnableRaisingEvents = true;
            child.WaitForExit(120_000);
        }
        else wait();
        try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        child.WaitForExit();

        var temps = Temps(dir);
        var planLeft = File.Exists(plan);
        var landed = temps.Length > 0 && !planLeft;
        output.WriteLine($"{name}, kill at {when}: exit {child.ExitCode}, plan {(planLeft ? "present" : "absent")}, " +
                         $"{temps.Length} temp file(s) of {string.Join(", ", temps.Select(t => new FileInfo(t).Length))} bytes");

        // What a later build sees: a plan only when complete, verified and of these inputs.
        if (planLeft) Assert.Equal(reference, File.ReadAllBytes(plan));
        Assert.Equal(planLeft, Baker.CurrentPlan(o, InputHasher.Compute(o, Baker.Version)) is not null);
        var next = new Baker().Bake(o);
        Assert.Equal(planLeft, next.UpToDate);
        Assert.Equal(reference, File.ReadAllBytes(plan));
        if (!next.UpToDate) Assert.Empty(Temps(dir)); // the dead child's temp files are gone
        return landed;
    }

    /// <summary>Leftovers of a crash (a torn plan with a newer timestamp, temp files) are never trusted.</summary>
    [Fact]
    public void Torn_plan_and_stale_temps_are_never_trusted()
    {
        var plan = PathIn("m.eastplan");
        var o = W8Options(plan);
        var reference = File.ReadAllBytes(BakeW8("reference.eastplan"));

        // A torn plan (a non-atomic copy cut short), newer than the model.
        File.WriteAllBytes(plan, reference[..(reference.Length * 2 / 3)]);
        File.SetLastWriteTimeUtc(plan, DateTime.UtcNow.AddMinutes(5));
        // A complete temp left by a dead writer (its PID is not running) and one of a live writer (this process).
        var dead = PathIn($".m.eastplan.{UnusedPid()}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(dead, reference);
        var live = PathIn($".m.eastplan.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(live, reference[..100]);

        Assert.Null(Baker.CurrentPlan(o, InputHasher.Compute(o, Baker.Version)));
        var r = new Baker().Bake(o);
        Assert.False(r.UpToDate);
        Assert.Equal(reference, File.ReadAllBytes(plan));
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live), "a live writer's temp file was deleted");
    }

    /// <summary>A flipped byte in an up-to-date plan (same inputs, newer timestamp) is found by the checksum and rebaked.</summary>
    [Fact]
    public void Corrupt_plan_with_current_inputs_is_rebaked()
    {
        var plan = PathIn("m.eastplan");
        var o = W8Options(plan);
        new Baker().Bake(o);
        var good = File.ReadAllBytes(plan);
        var bad = (byte[])good.Clone();
        bad[Random.Shared.Next(PlanFormat.HeaderSize, bad.Length - PlanFormat.ChecksumSize)] ^= 0x01;
        File.WriteAllBytes(plan, bad);
        File.SetLastWriteTimeUtc(plan, DateTime.UtcNow.AddMinutes(5));
        Assert.False(new Baker().Bake(o).UpToDate);
        Assert.Equal(good, File.ReadAllBytes(plan));
    }

    private static int UnusedPid()
    {
        for (var pid = 4_000_000; ; pid++)
        {
            try { Process.GetProcessById(pid).Dispose(); }
            catch (ArgumentException) { return pid; }
        }
    }

    /// <summary>Four threads bake one output at once: one bakes, the others wait and find it up to date.</summary>
    [Fact]
    public void Concurrent_bakes_in_one_process_give_one_valid_plan()
    {
        var reference = File.ReadAllBytes(BakeW8("reference.eastplan"));
        var plan = PathIn("shared", "m.eastplan");
        var o = W8Options(plan);
        using var start = new Barrier(4);
        var results = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return new Baker().Bake(o);
        })).ToArray();
        Task.WaitAll(results);
        Assert.Equal(1, results.Count(t => !t.Result.UpToDate));
        Assert.Equal(reference, File.ReadAllBytes(plan));
        Assert.Empty(Temps(PathIn("shared")));
    }

    /// <summary>Two tool processes bake one output at once (two target frameworks, -m): one valid plan, one of them up to date.</summary>
    [Fact]
    public void Concurrent_bakes_in_two_processes_give_one_valid_plan()
    {
        var reference = File.ReadAllBytes(BakeW8("reference.eastplan"));
        var plan = PathIn("shared", "m.eastplan");
        var runs = new[] { 0, 1 }.Select(_ => Task.Run(() => ToolProcess.Run(BakeArgs(plan)))).ToArray();
        Task.WaitAll(runs);
        foreach (var r in runs) output.WriteLine(r.Result.StdOut + r.Result.StdErr);
        Assert.All(runs, r => Assert.Equal(0, r.Result.ExitCode));
        Assert.Equal(1, runs.Count(r => r.Result.StdOut.Contains("is up to date")));
        Assert.Equal(reference, File.ReadAllBytes(plan));
        Assert.Empty(Temps(PathIn("shared")));
    }

    /// <summary>The writer seam: a stream that fails like a full disk after 4 KiB. EB4007, no temp left, the old plan intact.</summary>
    [Fact]
    public void Disk_full_during_the_write_is_EB4007_and_keeps_the_old_plan()
    {
        var plan = BakeW8("m.eastplan");
        var old = File.ReadAllBytes(plan);
        var e = Assert.Throws<EastBakeException>(() =>
            PlanWriter.WriteAtomic(plan, new byte[1 << 20], s => new FailingStream(s, 4096)));
        output.WriteLine(e.Format());
        Assert.Equal((ErrorCodes.PlanWriteFailed, Path.GetFullPath(plan)), (e.Code, e.File));
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal(old, File.ReadAllBytes(plan));
        Assert.Empty(Temps(Dir));
    }

    /// <summary>A real full disk: a 1 MiB tmpfs holding a small plan; baking the 1.5 MB w8 plan there fails cleanly.</summary>
    [TmpfsFact]
    public void Full_tmpfs_is_EB4007_and_keeps_the_old_plan()
    {
        var mount = PathIn("tmpfs");
        FaultEnvironment.MountTmpfs(mount, "size=1m");
        try
        {
            var plan = Path.Combine(mount, "m.eastplan");
            var small = PathIn("w32.pb");
            EastModelGenerator.WriteFrozen(small, new EastModelOptions { WidthDivisor = 32, Seed = 3 });
            new Baker().Bake(W8Options(plan) with { ModelPath = small });
            var old = File.ReadAllBytes(plan);
            Assert.InRange(old.Length, 1, 512 * 1024);

            var e = Assert.Throws<EastBakeException>(() => new Baker().Bake(W8Options(plan)));
            output.WriteLine(e.Format());
            Assert.Equal((ErrorCodes.PlanWriteFailed, plan), (e.Code, e.File));
            Assert.Contains("No space left on device", e.Message);
            Assert.Equal(old, File.ReadAllBytes(plan));
            Assert.Empty(Temps(mount));

            var tool = ToolProcess.Run(BakeArgs(plan));
            Assert.Equal(1, tool.ExitCode);
            Assert.StartsWith($"{plan}: error {ErrorCodes.PlanWriteFailed}:", tool.StdErr.Trim());
        }
        finally { FaultEnvironment.Unmount(mount); }
    }

    [ReadOnlyFolderFact]
    public void Read_only_output_folder_is_EB4007()
    {
        var dir = Directory.CreateDirectory(PathIn("ro")).FullName;
        var plan = Path.Combine(dir, "m.eastplan");
        var keepsOld = FaultEnvironment.ReadOnlyMethod != "ro-tmpfs";
        if (keepsOld)
        {
            var small = PathIn("w32.pb");
            EastModelGenerator.WriteFrozen(small, new EastModelOptions { WidthDivisor = 32, Seed = 3 });
            new Baker().Bake(W8Options(plan) with { ModelPath = small });
        }
        var old = keepsOld ? File.ReadAllBytes(plan) : null;
        var undo = FaultEnvironment.MakeReadOnly(dir);
        try
        {
            output.WriteLine($"read-only by: {FaultEnvironment.ReadOnlyMethod}");
            var e = Assert.Throws<EastBakeException>(() => new Baker().Bake(W8Options(plan)));
            output.WriteLine(e.Format());
            Assert.Equal((ErrorCodes.PlanWriteFailed, plan), (e.Code, e.File));
            if (old is not null) Assert.Equal(old, File.ReadAllBytes(plan));
            else Assert.False(File.Exists(plan));

            var w = Assert.Throws<EastBakeException>(() => PlanWriter.WriteAtomic(plan, new byte[10]));
            Assert.Equal(ErrorCodes.PlanWriteFailed, w.Code);

            var tool = ToolProcess.Run(BakeArgs(plan));
            Assert.Equal(1, tool.ExitCode);
            Assert.StartsWith($"{plan}: error {ErrorCodes.PlanWriteFailed}:", tool.StdErr.Trim());
        }
        finally { undo(); }
    }

    /// <summary>Passes writes through until a byte budget is spent, then fails as ENOSPC does.</summary>
    private sealed class FailingStream(Stream inner, long budget) : Stream
    {
        private long _left = budget;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var n = (int)Math.Min(_left, buffer.Length);
            inner.Write(buffer[..n]);
            _left -= n;
            if (n < buffer.Length) throw new IOException("No space left on device");
        }

        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
