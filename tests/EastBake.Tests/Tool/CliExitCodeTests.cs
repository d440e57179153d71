using EastBake.Diagnostics;
using EastBake.Tests.Reliability;
using EastBake.Tests.Runtime;
using Xunit.Abstractions;

namespace EastBake.Tests.Tool;

/// <summary>
/// Issue 9's command-line contract, through the real tool process: exit 0 on success; exit 1 with
/// one coded line (file, and line for text inputs) for bad paths and malformed files; `eval
/// --results --gt` prints matches, cared GT, cared detections, P, R and Hmean. (Unreadable images
/// skipped with a warning and counted: BadImageTests.Detect_and_eval_over_a_folder_warn_skip_count_and_continue.)
/// </summary>
public sealed class CliExitCodeTests(ITestOutputHelper output) : ReliabilityTestBase
{
    private (string Gt, string Results) Fixture()
    {
        var gt = Directory.CreateDirectory(PathIn("gt")).FullName;
        var res = Directory.CreateDirectory(PathIn("res")).FullName;
        // img_1: two cared boxes and a don't-care one; img_2: one cared box and no result file.
        File.WriteAllText(Path.Combine(gt, "gt_img_1.txt"),
            "\uFEFF0,0,100,0,100,50,0,50,hello\r\n200,200,300,200,300,260,200,260,world\r\n400,400,450,400,450,420,400,420,###\r\n");
        File.WriteAllText(Path.Combine(gt, "gt_img_2.txt"), "10,10,60,10,60,40,10,40,x\n");
        // A match for 'hello' (IoU ≈ 0.95), a box inside the don't-care region (dropped), a false positive.
        File.WriteAllText(Path.Combine(res, "res_img_1.txt"),
            "2,1,101,1,101,51,2,51\n402,401,448,401,448,419,402,419\n600,600,650,600,650,640,600,640\n");
        return (gt, res);
    }

    private ToolProcess.Result Tool(params string[] args)
    {
        var r = ToolProcess.Run(args);
        output.WriteLine($"east-bake {string.Join(' ', args)} → {r.ExitCode}\n{r.StdErr}{r.StdOut}");
        return r;
    }

    /// <summary>Counts by hand: cared GT 3 (the ### box is not), cared detections 2, matches 1 → P 1/2, R 1/3, Hmean 0.4.</summary>
    [Fact]
    public void Eval_of_a_results_folder_prints_the_counts_and_exits_0()
    {
        var (gt, res) = Fixture();
        var r = Tool("eval", "--results", res, "--gt", gt);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(new EvalTable.Values(2, 3, 2, 1, 0.5, 0.3333, 0.4), EvalTable.Row(r.StdOut));
        foreach (var column in new[] { "cared GT", "matches", "recall", "Hmean" }) Assert.Contains(column, r.StdOut);
    }

    [Fact]
    public void Malformed_ground_truth_line_is_EB6002_at_file_and_line()
    {
        var (gt, res) = Fixture();
        var bad = Path.Combine(gt, "gt_img_2.txt");
        File.WriteAllText(bad, "10,10,60,10,60,40,10,40,x\n10,10,sixty,10,60,40,10,40,y\n");
        var r = Tool("eval", "--results", res, "--gt", gt);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"{bad}(2): error {ErrorCodes.GroundTruthMalformed}:", Assert.Single(Lines(r.StdErr)));
    }

    [Fact]
    public void Malformed_result_line_is_EB6003_at_file_and_line()
    {
        var (gt, res) = Fixture();
        var bad = Path.Combine(res, "res_img_1.txt");
        File.WriteAllText(bad, "2,1,101,1,101,51,2,51\n\n1,2,3\n");
        var r = Tool("eval", "--results", res, "--gt", gt);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"{bad}(3): error {ErrorCodes.ResultMalformed}:", Assert.Single(Lines(r.StdErr)));
    }

    public static TheoryData<string, string> BadPaths => new()
    {
        { "eval-gt", ErrorCodes.PathNotFound },
        { "eval-results", ErrorCodes.PathNotFound },
        { "detect-plan", ErrorCodes.PathNotFound },
        { "detect-images", ErrorCodes.PathNotFound },
        { "bake-model", ErrorCodes.ModelNotFound },
        { "inspect-plan", ErrorCodes.PathNotFound },
        { "eval-no-images", ErrorCodes.BadArgument },
    };

    [Theory]
    [MemberData(nameof(BadPaths))]
    public void Bad_path_is_one_coded_line_and_exit_1(string which, string code)
    {
        var (gt, res) = Fixture();
        var missing = PathIn("no_such_thing");
        string[] args = which switch
        {
            "eval-gt" => ["eval", "--results", res, "--gt", missing],
            "eval-results" => ["eval", "--results", missing, "--gt", gt],
            "detect-plan" => ["detect", missing + ".eastplan", gt, "--out", PathIn("d")],
            "detect-images" => ["detect", BakeW8(), missing, "--out", PathIn("d")],
            "bake-model" => ["bake", missing + ".pb", "-o", PathIn("x.eastplan")],
            "inspect-plan" => ["inspect", missing + ".eastplan"],
            _ => ["eval", BakeW8(), "--gt", gt],
        };
        var r = Tool(args);
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(Lines(r.StdErr));
        Assert.Contains($"error {code}:", line);
        if (code != ErrorCodes.BadArgument) Assert.StartsWith(missing, line);
        Assert.DoesNotContain("   at ", r.StdErr + r.StdOut);
    }

    /// <summary>Usage errors are System.CommandLine's: help and the reason on stderr, exit 1.</summary>
    [Fact]
    public void Missing_argument_and_unknown_command_are_usage_errors_with_exit_1()
    {
        var missing = Tool("detect");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Required argument missing", missing.StdErr);
        var unknown = Tool("frobnicate");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Unrecognized command or argument 'frobnicate'", unknown.StdErr);
    }

    private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(l => !l.StartsWith("EastBake: ", StringComparison.Ordinal)).ToArray();
}
