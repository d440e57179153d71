using EastBake.Tests.Engine;

namespace EastBake.Tests.Lowering;

/// <summary><c>east-bake verify</c> end to end on the CPU accelerator.</summary>
[Collection(EngineCollection.Name)]
public sealed class VerifyCommandTests
{
    private static (int Exit, string Out) Run(params string[] args)
    {
        var previous = Console.Out;
        var capture = new StringWriter();
        Console.SetOut(capture);
        try
        {
            return (EastBake.Tool.Program.Main(args), capture.ToString());
        }
        finally
        {
            Console.SetOut(previous);
        }
    }

    [Theory]
    [InlineData("FP32")]
    [InlineData("FP16")]
    public void W8PassesAndPrintsOneRow(string precision)
    {
        var (exit, text) = Run("verify", EngineVsOrt.W8, "--precision", precision, "--input-shape", "64x64", "--device", "cpu", "--runs", "2");
        Assert.True(exit == 0, text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("model", lines[0]);
        Assert.Contains($"east_r50_w8.pb  {precision}", lines[1]);
        Assert.EndsWith("pass", lines[1].TrimEnd());
        Assert.Contains("bytes peak", lines[2]);
    }

    [Fact]
    public void BadRunsIsAnError()
    {
        var (exit, _) = Run("verify", EngineVsOrt.W8, "--runs", "0");
        Assert.Equal(1, exit);
    }
}
