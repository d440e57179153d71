using System.Text;

namespace EastBake.Compiler.Import.Text;

/// <summary>
/// Splits protobuf text format into tokens: identifiers/numbers (one "word" kind), quoted strings
/// (escapes decoded to bytes), and the punctuation <c>{ } &lt; &gt; [ ] : , ;</c>. '#' starts a comment.
/// </summary>
internal sealed class TextFormatTokenizer
{
    public enum Kind { Word, String, Symbol, End }

    public readonly record struct Token(Kind Kind, string Text, byte[]? Bytes, int Line);

    private readonly string _s;
    private int _pos;
    private int _line = 1;

    public TextFormatTokenizer(string s) => _s = s;

    public Token Next()
    {
        SkipSpaceAndComments();
        if (_pos >= _s.Length) return new Token(Kind.End, "", null, _line);
        var c = _s[_pos];
        if (c is '"' or '\'') return ReadString();
        if ("{}<>[]:,;".Contains(c))
        {
            _pos++;
            return new Token(Kind.Symbol, c.ToString(), null, _line);
        }
        var start = _pos;
        while (_pos < _s.Length && (char.IsLetterOrDigit(_s[_pos]) || _s[_pos] is '_' or '.' or '-' or '+'))
            _pos++;
        if (_pos == start) throw new TextFormatException($"unexpected character '{c}'", _line);
        return new Token(Kind.Word, _s[start.._pos], null, _line);
    }

    private void SkipSpaceAndComments()
    {
        while (_pos < _s.Length)
        {
            var c = _s[_pos];
            if (c == '\n') { _line++; _pos++; }
            else if (char.IsWhiteSpace(c)) _pos++;
            else if (c == '#') { while (_pos < _s.Length && _s[_pos] != '\n') _pos++; }
            else break;
        }
    }

    private Token ReadString()
    {
        var line = _line;
        var bytes = new List<byte>();
        // Adjacent quoted strings concatenate, as in C.
        do
        {
            var quote = _s[_pos++];
            while (true)
            {
                if (_pos >= _s.Length || _s[_pos] == '\n') throw new TextFormatException("unterminated string", line);
                var c = _s[_pos++];
                if (c == quote) break;
                if (c == '\\') ReadEscape(bytes, line);
                else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
            SkipSpaceAndComments();
        } while (_pos < _s.Length && _s[_pos] is '"' or '\'');
        var arr = bytes.ToArray();
        return new Token(Kind.String, Encoding.UTF8.GetString(arr), arr, line);
    }

    private void ReadEscape(List<byte> bytes, int line)
    {
        if (_pos >= _s.Length) throw new TextFormatException("unterminated escape", line);
        var e = _s[_pos++];
        switch (e)
        {
            case 'n': bytes.Add((byte)'\n'); break;
            case 't': bytes.Add((byte)'\t'); break;
            case 'r': bytes.Add((byte)'\r'); break;
            case 'a': bytes.Add(7); break;
            case 'b': bytes.Add(8); break;
            case 'f': bytes.Add(12); break;
            case 'v': bytes.Add(11); break;
            case '\\' or '\'' or '"' or '?': bytes.Add((byte)e); break;
            case 'x':
            {
                var v = 0;
                var n = 0;
                while (n < 2 && _pos < _s.Length && Uri.IsHexDigit(_s[_pos])) { v = v * 16 + Convert.ToInt32(_s[_pos++].ToString(), 16); n++; }
                if (n == 0) throw new TextFormatException("bad \\x escape", line);
                bytes.Add((byte)v);
                break;
            }
            case >= '0' and <= '7':
            {
                var v = e - '0';
                for (var n = 1; n < 3 && _pos < _s.Length && _s[_pos] is >= '0' and <= '7'; n++) v = v * 8 + (_s[_pos++] - '0');
                bytes.Add((byte)v);
                break;
            }
            default: throw new TextFormatException($"unknown escape '\\{e}'", line);
        }
    }
}
