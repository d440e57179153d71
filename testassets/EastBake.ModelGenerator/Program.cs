using EastBake.ModelGenerator;

// east-model-generator --width-divisor 8 --seed 1 --out model.pb [--checkpoint dir/model.ckpt]
string? outPath = null, ckpt = null;
var options = new EastModelOptions();
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--width-divisor": options = options with { WidthDivisor = int.Parse(Next()) }; break;
        case "--seed": options = options with { Seed = ulong.Parse(Next()) }; break;
        case "--out": outPath = Next(); break;
        case "--checkpoint": ckpt = Next(); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'.\nUsage: --width-divisor N --seed S [--out model.pb] [--checkpoint prefix]");
            return 2;
    }
}
if (outPath is null && ckpt is null)
{
    Console.Error.WriteLine("Nothing to do: give --out and/or --checkpoint.");
    return 2;
}
if (outPath is not null)
{
    EastModelGenerator.WriteFrozen(outPath, options);
    Console.WriteLine($"{outPath}: {new FileInfo(outPath).Length:N0} bytes");
}
if (ckpt is not null)
{
    EastModelGenerator.WriteCheckpoint(ckpt, options);
    foreach (var f in Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(ckpt))!).Order(StringComparer.Ordinal))
        Console.WriteLine($"{f}: {new FileInfo(f).Length:N0} bytes");
}
return 0;
