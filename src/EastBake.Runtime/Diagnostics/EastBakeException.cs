namespace EastBake.Diagnostics;

/// <summary>
/// The one error type of EastBake: a stable code (EB1001…), a human message, and where the
/// fault is (file, and a node name or line when known). Tools print <see cref="Format"/> without
/// a stack trace; MSBuild maps <see cref="File"/>/<see cref="Line"/> to its error location.
/// </summary>
public class EastBakeException : Exception
{
    public EastBakeException(string code, string message, string? file = null, string? node = null,
        int? line = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        File = file;
        Node = node;
        Line = line;
    }

    /// <summary>Error code, e.g. <c>EB1001</c>. See <see cref="ErrorCodes"/>.</summary>
    public string Code { get; }

    /// <summary>File at fault (model, checkpoint, plan, image, ground truth), when known.</summary>
    public string? File { get; }

    /// <summary>Graph node at fault, when known.</summary>
    public string? Node { get; }

    /// <summary>1-based line at fault (text inputs), when known.</summary>
    public int? Line { get; }

    /// <summary>One line: <c>file(line): error EB1234: message [node 'x']</c>.</summary>
    public string Format() => Format("error");

    /// <summary>The same line with another severity (<c>warning</c> for skipped inputs).</summary>
    public string Format(string severity)
    {
        var where = File is null ? "" : Line is int l ? $"{File}({l}): " : $"{File}: ";
        var node = Node is null ? "" : $" [node '{Node}']";
        return $"{where}{severity} {Code}: {Message}{node}";
    }

    public override string ToString() => Format();
}
