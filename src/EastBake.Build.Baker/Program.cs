using System.Text.Json;
using EastBake.Baking.Pipeline;
using EastBake.Build.Baker;
using EastBake.Diagnostics;

// The BakeEastModels task's worker: reads one BakeRequest (JSON) from stdin, bakes, and writes
// progress lines and canonical `file(line): error EBxxxx: message` lines to stdout, which the task
// relays as MSBuild messages and diagnostics. Exit 0 on success, 1 on a coded error, 2 otherwise.
try
{
    var request = JsonSerializer.Deserialize<BakeRequest>(Console.In.ReadToEnd())
                  ?? throw new InvalidDataException("empty request");
    var options = EastModelMetadata.ToOptions(request);
    var result = new Baker(new LineBakeLog()).Bake(options);
    // Up to date by content although a timestamp moved (checkout, touch): bump the plan so the
    // target's Inputs/Outputs check skips the next build without starting this process.
    if (result.UpToDate) File.SetLastWriteTimeUtc(result.PlanPath, DateTime.UtcNow);
    return 0;
}
catch (EastBakeException e)
{
    Console.WriteLine(e.Format());
    return 1;
}
catch (Exception e)
{
    Console.WriteLine($"error EB5003: the baker failed unexpectedly: {e.GetType().Name}: {e.Message} (set EASTBAKE_VERBOSE=1 for details)");
    if (Environment.GetEnvironmentVariable("EASTBAKE_VERBOSE") == "1") Console.WriteLine(e);
    return 2;
}
