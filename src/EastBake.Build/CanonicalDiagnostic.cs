using System.Text.RegularExpressions;

namespace EastBake.Build;

/// <summary>Parses the baker's <c>file(line): error EB1234: message</c> lines (line optional).</summary>
internal readonly record struct CanonicalDiagnostic(string? File, int Line, bool IsError, string Code, string Message)
{
    private static readonly Regex Pattern = new(
        @"^(?:(?<file>.+?)(?:\((?<line>\d+)\))?: )?(?<kind>error|warning) (?<code>EB\d{4}): (?<msg>.*)$",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    public static bool TryParse(string text, out CanonicalDiagnostic d)
    {
        var m = Pattern.Match(text);
        if (!m.Success) { d = default; return false; }
        d = new CanonicalDiagnostic(
            m.Groups["file"].Success ? m.Groups["file"].Value : null,
            m.Groups["line"].Success ? int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0,
            m.Groups["kind"].Value == "error",
            m.Groups["code"].Value,
            m.Groups["msg"].Value);
        return true;
    }
}
