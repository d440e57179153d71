using EastBake.Diagnostics;
using EastBake.Runtime.Engine;

namespace EastBake.Tests.Engine;

public sealed class SerializerTests
{
    private static EngineProgram Sample() => MiniEastProgram.Build(TestPrecision.Fp16, 7);

    [Fact]
    public void RoundTripIsExactAndDeterministic()
    {
        var p = Sample();
        p.Layers[3].Tactic = new Tactic(2, 128, 4, 0, 1);
        byte[] a = EngineProgramSerializer.Serialize(p);
        Assert.Equal(a, EngineProgramSerializer.Serialize(p));
        var q = EngineProgramSerializer.Read(a);
        Assert.Equal(a, EngineProgramSerializer.Serialize(q));
        Assert.Equal(p.Profile, q.Profile);
        Assert.Equal(p.Layers.Select(l => l.Kind), q.Layers.Select(l => l.Kind));
        Assert.Equal(new Tactic(2, 128, 4, 0, 1), q.Layers[3].Tactic);
        Assert.Equal(p.Weights[0].Data, q.Weights[0].Data);
        Assert.Equal(EngineDataType.Float16, q.Weights[0].DataType);
        var conv = Assert.IsType<Conv2DLayer>(q.Layers.First(l => l.Name == "c3"));
        Assert.Equal(new TensorRef(2), conv.Residual);
    }

    private static void AssertMalformed(byte[] data, string code = ErrorCodes.PlanMalformed)
    {
        var e = Assert.Throws<EastBakeException>(() => EngineProgramSerializer.Read(data));
        Assert.Equal(code, e.Code);
    }

    [Fact]
    public void MalformedInputsAreCodedErrors()
    {
        byte[] good = EngineProgramSerializer.Serialize(Sample());
        AssertMalformed([]);
        AssertMalformed("XXXX"u8.ToArray().Concat(good.Skip(4)).ToArray());
        var v2 = (byte[])good.Clone(); v2[4] = 99;
        AssertMalformed(v2, ErrorCodes.PlanBadVersion);
        AssertMalformed([.. good, 0]); // trailing byte
        for (int len = 0; len < good.Length; len += Math.Max(1, len / 8)) AssertMalformed(good[..len]);
        AssertMalformed(good[..^1]);
    }

    [Fact]
    public void SemanticErrorsAreEB4008()
    {
        // Written without validation, rejected on read.
        var p = Sample();
        var c = (Conv2DLayer)p.Layers.First(l => l is Conv2DLayer);
        p.Layers[p.Layers.IndexOf(c)] = new Conv2DLayer
        {
            Name = c.Name, Input = new TensorRef(99), Output = c.Output, Filter = c.Filter, InChannels = c.InChannels,
            OutChannels = c.OutChannels, KernelH = c.KernelH, KernelW = c.KernelW,
        };
        AssertMalformed(EngineProgramSerializer.Serialize(p));

        var q = Sample();
        q.Tensors[1] = new EngineTensor("conv1", 8, 3, EngineDataType.Float16); // 32/3 is not an integer
        AssertMalformed(EngineProgramSerializer.Serialize(q));
    }

    [Fact]
    public void RandomCorruptionNeverEscapesAsAnotherException()
    {
        byte[] good = EngineProgramSerializer.Serialize(Sample());
        var rng = new Random();
        for (int i = 0; i < 300; i++)
        {
            var bad = (byte[])good.Clone();
            for (int k = rng.Next(1, 4); k > 0; k--) bad[rng.Next(Math.Min(bad.Length, 2000))] = (byte)rng.Next(256);
            try { EngineProgramSerializer.Read(bad); }
            catch (EastBakeException e) { Assert.Contains(e.Code, new[] { ErrorCodes.PlanMalformed, ErrorCodes.PlanBadVersion }); }
        }
    }
}
