using System.Reflection;
using System.Text.RegularExpressions;
using EastBake.Diagnostics;
using Xunit;

namespace EastBake.Tests.Diagnostics;

public class ErrorCodeTests
{
    private static IEnumerable<(string Name, string Code)> AllCodes() =>
        typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!));

    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        var codes = AllCodes().ToList();
        Assert.True(codes.Count > 40, $"only {codes.Count} codes found");
        foreach (var (name, code) in codes)
            Assert.True(Regex.IsMatch(code, "^EB[1-6][0-9]{3}$"), $"{name} = {code} is not EB1000..EB6999");
        var dup = codes.GroupBy(c => c.Code).Where(g => g.Count() > 1).Select(g => g.Key + ": " + string.Join(", ", g.Select(x => x.Name))).ToList();
        Assert.True(dup.Count == 0, "duplicate codes: " + string.Join("; ", dup));
    }
}
