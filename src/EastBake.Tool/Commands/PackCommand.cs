using System.CommandLine;
using System.Globalization;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;
using NuGet.Packaging;
using NuGet.Versioning;
using Spectre.Console;

namespace EastBake.Tool.Commands;

/// <summary>
/// <c>east-bake pack &lt;plan|folder&gt;… --id Id --version 1.0.0</c>: a .nupkg whose content
/// files are baked plans (CI artifacts). A project that references it gets the plans copied to
/// bin/ and publish/ (contentFiles, buildAction None, copyToOutput).
/// </summary>
internal static class PackCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("plans") { Description = ".eastplan files, or folders holding them", Arity = ArgumentArity.OneOrMore };
        var id = new Option<string>("--id") { Description = "Package id", Required = true };
        var version = new Option<string>("--version") { Description = "Package version (SemVer)", DefaultValueFactory = _ => "1.0.0" };
        var output = new Option<string>("--out", "-o") { Description = "Output folder", DefaultValueFactory = _ => "." };
        var authors = new Option<string>("--authors") { DefaultValueFactory = _ => "EastBake" };
        var description = new Option<string?>("--description") { Description = "Default: the plans and their precision/backends" };
        var cmd = new Command("pack", "Write a NuGet package whose content files are baked plans") { inputs, id, version, output, authors, description };
        cmd.SetAction(r => CommandRunner.Run(() =>
        {
            var path = PlanPackage.Write(PlanPackage.Collect(r.GetValue(inputs)!), r.GetValue(id)!, r.GetValue(version)!,
                r.GetValue(output)!, r.GetValue(authors)!, r.GetValue(description));
            AnsiConsole.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({new FileInfo(path).Length:N0} bytes)"));
            return 0;
        }));
        return cmd;
    }
}

/// <summary>Builds the plan package with NuGet.Packaging.</summary>
internal static class PlanPackage
{
    public const string ContentRoot = "contentFiles/any/any/";

    /// <summary>The plan files named or found (top level) in the folders named; each is verified.</summary>
    public static IReadOnlyList<string> Collect(IEnumerable<string> inputs)
    {
        var plans = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                plans.AddRange(Directory.EnumerateFiles(input, "*" + PlanFormat.Extension).Order(StringComparer.Ordinal));
            else if (File.Exists(input)) plans.Add(input);
            else throw new EastBakeException(ErrorCodes.PathNotFound, "no such plan or folder", input);
        }
        if (plans.Count == 0)
            throw new EastBakeException(ErrorCodes.PackNoPlans, $"no {PlanFormat.Extension} file to package", inputs.FirstOrDefault());
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in plans)
        {
            if (names.TryGetValue(Path.GetFileName(p), out var other))
                throw new EastBakeException(ErrorCodes.DuplicatePlanName, $"two plans named {Path.GetFileName(p)} ({other})", p);
            names[Path.GetFileName(p)] = p;
        }
        return plans.Select(Path.GetFullPath).ToList();
    }

    public static string Write(IReadOnlyList<string> plans, string id, string version, string outputDir, string authors, string? description)
    {
        if (!NuGet.Packaging.PackageIdValidator.IsValidPackageId(id))
            throw new EastBakeException(ErrorCodes.PackBadId, $"'{id}' is not a valid package id");
        if (!NuGetVersion.TryParse(version, out var v))
            throw new EastBakeException(ErrorCodes.PackBadId, $"'{version}' is not a valid package version");
        var summaries = plans.Select(p =>
        {
            var plan = PlanReader.Read(p); // checksum verified: never package a damaged plan
            return $"{Path.GetFileName(p)} ({plan.Precision}, {plan.Target.Backend}, {ProfileText.Format(plan.Profile)})";
        }).ToList();
        var builder = new PackageBuilder
        {
            Id = id,
            Version = v,
            Description = description ?? "EastBake plans: " + string.Join("; ", summaries),
        };
        builder.Authors.Add(authors);
        builder.Tags.Add("eastbake-plan");
        builder.ContentFiles.Add(new ManifestContentFiles
        {
            Include = "any/any/*" + PlanFormat.Extension, BuildAction = "None", CopyToOutput = "true", Flatten = "true",
        });
        foreach (var p in plans)
            builder.Files.Add(new PhysicalPackageFile { SourcePath = p, TargetPath = ContentRoot + Path.GetFileName(p) });

        Directory.CreateDirectory(outputDir);
        var path = Path.GetFullPath(Path.Combine(outputDir, $"{id}.{v.ToNormalizedString()}.nupkg"));
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var fs = File.Create(temp)) builder.Save(fs);
            File.Move(temp, path, overwrite: true);
        }
        finally { File.Delete(temp); }
        return path;
    }
}
