using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using static EastBake.Compiler.Import.Text.TextFormatTokenizer;

namespace EastBake.Compiler.Import.Text;

/// <summary>
/// Protobuf text format → message, driven by the message's reflection descriptor: nested
/// messages (<c>f { }</c> / <c>f: &lt; &gt;</c>), scalars, enums by name or number, repeated fields
/// (repeated entries or <c>[a, b]</c>), and maps written as <c>key</c>/<c>value</c> entries.
/// Extensions and Any expansion are not supported.
/// </summary>
public sealed class TextFormatParser
{
    private readonly TextFormatTokenizer _tokens;
    private Token _cur;

    public TextFormatParser(string text)
    {
        _tokens = new TextFormatTokenizer(text);
        _cur = _tokens.Next();
    }

    public void Merge(IMessage message)
    {
        ParseFields(message, endSymbol: null);
        if (_cur.Kind != Kind.End) throw Error($"unexpected '{_cur.Text}'");
    }

    private void ParseFields(IMessage message, string? endSymbol)
    {
        while (!(_cur.Kind == Kind.End || (_cur.Kind == Kind.Symbol && _cur.Text == endSymbol)))
        {
            if (_cur.Kind != Kind.Word) throw Error($"expected a field name, found '{_cur.Text}'");
            var field = message.Descriptor.FindFieldByName(_cur.Text)
                ?? throw Error($"{message.Descriptor.Name} has no field '{_cur.Text}'");
            Advance();
            ParseField(message, field);
            if (IsSymbol(",") || IsSymbol(";")) Advance();
        }
        if (endSymbol is not null && _cur.Kind == Kind.End) throw Error($"missing '{endSymbol}'");
    }

    private void ParseField(IMessage message, FieldDescriptor field)
    {
        var isMessage = field.FieldType is FieldType.Message or FieldType.Group;
        if (IsSymbol(":")) Advance();
        else if (!isMessage) throw Error($"expected ':' after '{field.Name}'");

        if (field.IsRepeated && IsSymbol("["))
        {
            Advance();
            while (!IsSymbol("]"))
            {
                AddOne(message, field);
                if (IsSymbol(",")) Advance();
                else if (!IsSymbol("]")) throw Error("expected ',' or ']'");
            }
            Advance();
        }
        else AddOne(message, field);
    }

    private void AddOne(IMessage message, FieldDescriptor field)
    {
        if (field.IsMap)
        {
            var (key, value) = ParseMapEntry(field.MessageType);
            ((IDictionary)field.Accessor.GetValue(message))[key] = value;
            return;
        }
        var v = field.FieldType is FieldType.Message or FieldType.Group ? ParseMessage(field.MessageType) : ParseScalar(field);
        if (field.IsRepeated) ((IList)field.Accessor.GetValue(message)).Add(v);
        else field.Accessor.SetValue(message, v);
    }

    private IMessage ParseMessage(MessageDescriptor type)
    {
        var close = IsSymbol("{") ? "}" : IsSymbol("<") ? ">" : throw Error("expected '{' or '<'");
        Advance();
        var m = NewMessage(type);
        ParseFields(m, close);
        Advance();
        return m;
    }

    /// <summary>A map entry <c>{ key: … value … }</c>. Entry types have no parser of their own, so the
    /// key and value are read with the entry's field descriptors.</summary>
    private (object Key, object Value) ParseMapEntry(MessageDescriptor entry)
    {
        var close = IsSymbol("{") ? "}" : IsSymbol("<") ? ">" : throw Error("expected '{' or '<'");
        Advance();
        var keyField = entry.FindFieldByNumber(1);
        var valueField = entry.FindFieldByNumber(2);
        object? key = null, value = null;
        while (!IsSymbol(close))
        {
            if (_cur.Kind != Kind.Word) throw Error($"expected 'key' or 'value', found '{_cur.Text}'");
            var f = _cur.Text == "key" ? keyField : _cur.Text == "value" ? valueField
                : throw Error($"map entry has no field '{_cur.Text}'");
            Advance();
            var isMessage = f.FieldType == FieldType.Message;
            if (IsSymbol(":")) Advance();
            else if (!isMessage) throw Error($"expected ':' after '{f.Name}'");
            var v = isMessage ? ParseMessage(f.MessageType) : ParseScalar(f);
            if (f == keyField) key = v; else value = v;
            if (IsSymbol(",") || IsSymbol(";")) Advance();
        }
        Advance();
        key ??= keyField.FieldType == FieldType.String ? "" : throw Error("map entry without a key");
        value ??= valueField.FieldType == FieldType.Message ? NewMessage(valueField.MessageType) : throw Error("map entry without a value");
        return (key, value);
    }

    private static IMessage NewMessage(MessageDescriptor type) => type.Parser.ParseFrom(ByteString.Empty);

    private object ParseScalar(FieldDescriptor f)
    {
        var t = _cur;
        if (t.Kind == Kind.Symbol || t.Kind == Kind.End) throw Error($"expected a value for '{f.Name}'");
        Advance();
        if (f.FieldType is FieldType.String or FieldType.Bytes)
        {
            if (t.Kind != Kind.String) throw Error($"'{f.Name}' needs a quoted string", t.Line);
            return f.FieldType == FieldType.String ? t.Text : ByteString.CopyFrom(t.Bytes!);
        }
        if (t.Kind != Kind.Word) throw Error($"'{f.Name}' needs a {f.FieldType} value, found a string", t.Line);
        try
        {
            return f.FieldType switch
            {
                FieldType.Bool => t.Text is "true" or "t" or "True" or "1" ? true
                    : t.Text is "false" or "f" or "False" or "0" ? false : throw new FormatException(),
                FieldType.Float => (float)ParseDouble(t.Text),
                FieldType.Double => ParseDouble(t.Text),
                FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => checked((int)ParseInteger(t.Text)),
                FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => checked((long)ParseInteger(t.Text)),
                FieldType.UInt32 or FieldType.Fixed32 => checked((uint)ParseInteger(t.Text)),
                FieldType.UInt64 or FieldType.Fixed64 => checked((ulong)ParseInteger(t.Text)),
                FieldType.Enum => ParseEnum(f.EnumType, t.Text),
                _ => throw new FormatException(),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw Error($"bad {f.FieldType} value '{t.Text}' for '{f.Name}'", t.Line);
        }
    }

    private static object ParseEnum(EnumDescriptor type, string text)
    {
        var number = type.FindValueByName(text)?.Number
            ?? (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException());
        return Enum.ToObject(type.ClrType, number);
    }

    private static double ParseDouble(string s)
    {
        var t = s.TrimEnd('f', 'F');
        var neg = t.StartsWith('-');
        var body = neg || t.StartsWith('+') ? t[1..] : t;
        double v = body.ToLowerInvariant() switch
        {
            "inf" or "infinity" => double.PositiveInfinity,
            "nan" => double.NaN,
            _ => double.Parse(body, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return neg ? -v : v;
    }

    private static Int128 ParseInteger(string s)
    {
        var neg = s.StartsWith('-');
        var body = neg ? s[1..] : s;
        Int128 v = body.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? Int128.Parse(body[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : Int128.Parse(body, NumberStyles.None, CultureInfo.InvariantCulture);
        return neg ? -v : v;
    }

    private bool IsSymbol(string s) => _cur.Kind == Kind.Symbol && _cur.Text == s;

    private void Advance() => _cur = _tokens.Next();

    private TextFormatException Error(string message, int? line = null) => new(message, line ?? _cur.Line);
}
