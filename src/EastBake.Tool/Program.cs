using System.CommandLine;
using EastBake.Tool.Commands;

namespace EastBake.Tool;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("east-bake: bake TensorFlow EAST text detectors into EastBake plans, inspect, detect, evaluate.");
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(BakeCommand.Create());
        foreach (var extra in ExtraCommands.Create()) root.Subcommands.Add(extra);
        return root.Parse(args).Invoke();
    }
}
