using EastBake.Baking.Pipeline;
using EastBake.Compiler.Import;
using EastBake.ModelGenerator;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;
using ShapeProfile = EastBake.Runtime.Plans.ShapeProfile;
using EastBake.Tests.Engine;
using Xunit.Abstractions;

namespace EastBake.Tests.Reliability.Fuzzing;

/// <summary>
/// Issue 8, item 6: valid GraphDef, tensor-bundle, plan and engine-program bytes, mutated with a
/// fixed seed for a fixed number of iterations. Every outcome must be a valid result or one
/// coded error: never another exception, a hang or a runaway allocation. The models are the
/// generated EAST at width ÷32 (small, so each case takes milliseconds).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : ReliabilityTestBase
{
    private static readonly EastModelOptions Tiny = new() { WidthDivisor = 32, Seed = 1 };

    private void Report(FuzzRunner f)
    {
        output.WriteLine(f.Summary());
        Assert.True(f.Failures.Count == 0, string.Join("\n\n", f.Failures));
        Assert.True(f.ErrorsByCode.Count > 0 && f.Valid > 0, "the mutations never (or always) broke the input: the target is not exercised");
    }

    /// <summary>Mutated frozen graphs go through the whole bake: import, shapes, optimizer, partition, ONNX export, plan write.</summary>
    [Fact]
    public void Mutated_GraphDefs_bake_or_fail_with_a_code()
    {
        var original = EastModelGenerator.FrozenBytes(Tiny);
        var lengths = LengthFields.Protobuf(original);
        var model = PathIn("fuzz.pb");
        var f = new FuzzRunner("graphdef", 400);
        f.Run(rnd => Mutator.Mutate(original, lengths, rnd), bytes =>
        {
            File.WriteAllBytes(model, bytes);
            new Baker().Bake(new BakeOptions
            {
                ModelPath = model, OutputPath = PathIn("fuzz.eastplan"), Profile = ShapeProfile.Fixed(64, 64), Backends = ["Onnx"], Force = true,
            });
        });
        Report(f);
    }

    /// <summary>Mutated checkpoints (.index table, .data shard or .meta graph) are frozen and imported.</summary>
    [Fact]
    public void Mutated_bundles_freeze_or_fail_with_a_code()
    {
        var (meta, index, data) = EastModelGenerator.BuildCheckpoint(Tiny, indexBlockSize: 1024);
        var metaBytes = Google.Protobuf.MessageExtensions.ToByteArray(meta);
        var files = new (string Suffix, byte[] Bytes)[] { (".index", index), (".data-00000-of-00001", data), (".meta", metaBytes) };
        var lengths = files.Select(x => x.Suffix == ".data-00000-of-00001" ? new List<LengthField>() : LengthFields.Protobuf(x.Bytes)).ToArray();
        lengths[0] = TableLengths(index);
        var blocks = TableBlocks(index);
        Assert.True(blocks.Count >= 3, $"the index has {blocks.Count} blocks");
        var prefix = PathIn("ckpt", "model.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);
        var f = new FuzzRunner("bundle", 500);
        f.Run(rnd =>
        {
            // The index is where the parsing is: it gets most mutations.
            var which = rnd.Next(10) switch { < 6 => 0, < 8 => 1, _ => 2 };
            var (bytes, what) = Mutator.Mutate(files[which].Bytes, lengths[which], rnd);
            // Half of the same-length index mutations get their block CRCs fixed, so the block parser sees them.
            if (which == 0 && bytes.Length == index.Length && rnd.Next(2) == 0)
            {
                ResealTable(bytes, blocks);
                what += ", resealed";
            }
            return ((which, bytes), $"{files[which].Suffix}: {what}");
        }, input =>
        {
            for (var k = 0; k < files.Length; k++)
                File.WriteAllBytes(prefix + files[k].Suffix, k == input.which ? input.bytes : files[k].Bytes);
            ModelLoader.Load(prefix);
        });
        Report(f);
    }

    /// <summary>
    /// The varints of a LevelDB table: every block handle in the footer and index block, and each
    /// block's entry headers (shared, unshared and value lengths).
    /// </summary>
    private static List<LengthField> TableLengths(byte[] table)
    {
        var all = new List<LengthField>();
        // The 48-byte footer holds two block handles (offset, size varints).
        var p = table.Length - 48;
        for (var i = 0; i < 4; i++)
        {
            var at = p;
            ulong v = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = table[p++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) break;
            }
            all.Add(new LengthField(at, p - at, v, true));
        }
        // Anywhere else, any varint-looking byte run can be a length: take a sample of positions.
        var rnd = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            var at = rnd.Next(table.Length - 48);
            if (table[at] < 0x80) all.Add(new LengthField(at, 1, table[at], true));
        }
        return all;
    }

    private static ulong Varint(byte[] b, ref int p)
    {
        ulong v = 0;
        for (var shift = 0; ; shift += 7)
        {
            var x = b[p++];
            v |= (ulong)(x & 0x7F) << shift;
            if (x < 0x80) return v;
        }
    }

    /// <summary>(offset, size) of every block of a valid table: metaindex, index, and the data blocks the index lists.</summary>
    private static List<(int Offset, int Size)> TableBlocks(byte[] table)
    {
        var p = table.Length - 48;
        var meta = ((int)Varint(table, ref p), (int)Varint(table, ref p));
        var index = ((int)Varint(table, ref p), (int)Varint(table, ref p));
        var blocks = new List<(int, int)> { meta, index };
        var restarts = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(index.Item1 + index.Item2 - 4));
        var q = index.Item1;
        var end = index.Item1 + index.Item2 - 4 - 4 * restarts;
        while (q < end)
        {
            Varint(table, ref q);
            var unshared = (int)Varint(table, ref q);
            var valueLength = (int)Varint(table, ref q);
            q += unshared;
            var h = q;
            blocks.Add(((int)Varint(table, ref h), (int)Varint(table, ref h)));
            q += valueLength;
        }
        return blocks;
    }

    /// <summary>Recomputes each block's masked CRC-32C (over its bytes and compression type), as the writer does.</summary>
    private static void ResealTable(byte[] table, List<(int Offset, int Size)> blocks)
    {
        foreach (var (off, size) in blocks)
        {
            var crc = EastBake.ModelGenerator.Checkpoint.Crc32C.Mask(EastBake.ModelGenerator.Checkpoint.Crc32C.Compute(table.AsSpan(off, size + 1)));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(off + size + 1), crc);
        }
    }

    /// <summary>Mutated plans, half of them resealed (length and SHA-256 fixed up) so the section parser sees them.</summary>
    [Fact]
    public void Mutated_plans_load_or_fail_with_a_code()
    {
        var model = PathIn("tiny.pb");
        EastModelGenerator.WriteFrozen(model, Tiny);
        var planPath = PathIn("tiny.eastplan");
        new Baker().Bake(new BakeOptions { ModelPath = model, OutputPath = planPath, Profile = ShapeProfile.Fixed(64, 64), Backends = ["Onnx"] });
        var original = File.ReadAllBytes(planPath);
        var lengths = LengthFields.Plan(original);
        Assert.True(lengths.Count > 20, $"only {lengths.Count} length fields found in the plan");
        var f = new FuzzRunner("plan", 1500);
        f.Run(rnd =>
        {
            var (bytes, what) = Mutator.Mutate(original, lengths, rnd);
            return rnd.Next(2) == 0 ? (Mutator.ResealPlan(bytes), what + ", resealed") : (bytes, what);
        }, bytes =>
        {
            var plan = PlanReader.Parse(bytes, "fuzz.eastplan");
            SegmentSelector.Select(plan, EngineKinds.Onnx, PlanTarget.Portable);
        });
        Report(f);
    }

    /// <summary>Mutated ILGPU engine programs (the payload of ilgpu segments) deserialize or fail with a code.</summary>
    [Fact]
    public void Mutated_engine_programs_load_or_fail_with_a_code()
    {
        var original = EngineProgramSerializer.Serialize(MiniEastProgram.Build(TestPrecision.Fp32, 3));
        var f = new FuzzRunner("engine-program", 1500);
        f.Run(rnd => Mutator.Mutate(original, [], rnd), bytes => EngineProgramSerializer.Read(bytes));
        Report(f);
    }
}
