using EastBake.Diagnostics;

namespace EastBake.Tool.Commands;

/// <summary>
/// Runs a command body: coded errors print one line (<c>file: error EB1234: message</c>) on
/// stderr and exit 1; a stack trace only with EASTBAKE_VERBOSE=1. Unexpected exceptions exit 2.
/// </summary>
internal static class CommandRunner
{
    public static bool Verbose => Environment.GetEnvironmentVariable("EASTBAKE_VERBOSE") == "1";

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (EastBakeException e)
        {
            Console.Error.WriteLine(e.Format());
            if (Verbose) Console.Error.WriteLine(e.StackTrace);
            return 1;
        }
        catch (Exception e) when (!Verbose)
        {
            Console.Error.WriteLine($"error EB5003: unexpected failure: {e.GetType().Name}: {e.Message} (set EASTBAKE_VERBOSE=1 for details)");
            return 2;
        }
    }
}
