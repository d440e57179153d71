using System.CommandLine;

namespace EastBake.Tool.Commands;

/// <summary>Commands registered beside inspect and bake (detect, eval, bench, pack).</summary>
internal static class ExtraCommands
{
    public static IEnumerable<Command> Create() => [DetectCommand.Create(), EvalCommand.Create(), VerifyCommand.Create(), PackCommand.Create(), BenchCommand.Create()];
}
