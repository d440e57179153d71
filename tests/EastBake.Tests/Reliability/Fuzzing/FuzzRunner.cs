using System.Text.RegularExpressions;
using EastBake.Diagnostics;

namespace EastBake.Tests.Reliability.Fuzzing;

/// <summary>
/// Runs a fuzz target: for each iteration a mutation drawn from <c>Random(seed, iteration)</c>,
/// then the case under a time limit. A case may give a valid result or a coded
/// <see cref="EastBakeException"/>; anything else (another exception, a hang, more than 1 GiB
/// allocated) is a failure, reported with the seed, iteration and mutation that reproduce it.
/// Seed and iteration count come from EASTBAKE_FUZZ_SEED / EASTBAKE_FUZZ_ITERATIONS when set.
/// </summary>
public sealed class FuzzRunner(string target, int defaultIterations)
{
    public const int DefaultSeed = 8_2024;
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);
    private const long MaxCaseAllocation = 1L << 30;

    private readonly int _targetHash = target.Aggregate(17, (h, c) => unchecked(h * 31 + c));

    public int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("EASTBAKE_FUZZ_SEED"), out var s) ? s : DefaultSeed;

    public int Iterations { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("EASTBAKE_FUZZ_ITERATIONS"), out var n) ? n : defaultIterations;

    public int Valid { get; private set; }
    public SortedDictionary<string, int> ErrorsByCode { get; } = new(StringComparer.Ordinal);
    public List<string> Failures { get; } = new();

    /// <param name="mutate">the iteration's mutated input and its description</param>
    /// <param name="run">the case; returns normally for a valid result</param>
    public void Run<T>(Func<Random, (T Input, string Description)> mutate, Action<T> run)
    {
        for (var i = 0; i < Iterations && Failures.Count < 10; i++)
        {
            var rnd = new Random(unchecked(Seed * 1_000_003 + i * 7919 + _targetHash)); // HashCode is per-process random: not here
            var (input, description) = mutate(rnd);
            var repro = $"{target}: seed {Seed} iteration {i}: {description}";
            var task = Task.Factory.StartNew(() =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    run(input);
                    return (Error: (EastBakeException?)null, Other: (Exception?)null, Allocated: GC.GetAllocatedBytesForCurrentThread() - before);
                }
                catch (EastBakeException e) { return (e, null, GC.GetAllocatedBytesForCurrentThread() - before); }
                catch (Exception e) { return (null, e, GC.GetAllocatedBytesForCurrentThread() - before); }
            }, TaskCreationOptions.LongRunning);
            if (!task.Wait(CaseTimeout))
            {
                Failures.Add($"{repro}: no outcome after {CaseTimeout.TotalSeconds} s (hang)");
                return; // the case's thread cannot be stopped; stop fuzzing
            }
            var (error, other, allocated) = task.Result;
            if (other is not null)
                Failures.Add($"{repro}: {other.GetType().Name}: {other.Message}\n{FirstFrames(other)}");
            else if (allocated > MaxCaseAllocation)
                Failures.Add($"{repro}: allocated {allocated >> 20} MiB");
            else if (error is null)
                Valid++;
            else if (!Regex.IsMatch(error.Code, "^EB[1-6][0-9]{3}$"))
                Failures.Add($"{repro}: malformed code '{error.Code}'");
            else
                ErrorsByCode[error.Code] = ErrorsByCode.GetValueOrDefault(error.Code) + 1;
        }
    }

    private static string FirstFrames(Exception e) =>
        string.Join("\n", (e.StackTrace ?? "").Split('\n').Take(6));

    public string Summary() =>
        $"{target}: {Iterations} iterations (seed {Seed}): {Valid} valid, " +
        $"{string.Join(", ", ErrorsByCode.Select(kv => $"{kv.Key}×{kv.Value}"))}, {Failures.Count} failure(s)";
}
