using System.Collections;
using System.Globalization;
using System.Text;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Functions;

/// <summary>Go encoding/json output for the template value model (sorted keys, HTML-safe escapes).</summary>
public static class GoJson
{
    /// <summary>json.Marshal (<paramref name="escapeHtml"/>: false as with an Encoder's SetEscapeHTML(false)).
    /// NaN and infinities fail with Go's "json: unsupported value" (a <see cref="GoFunctionException"/>).</summary>
    public static string Marshal(object? v, bool escapeHtml = true)
    {
        var sb = new StringBuilder();
        Write(sb, GoValues.Normalize(v), null, 0, escapeHtml);
        return sb.ToString();
    }

    /// <summary>json.MarshalIndent(v, "", indent).</summary>
    public static string MarshalIndent(object? v, string indent = "  ", bool escapeHtml = true)
    {
        var sb = new StringBuilder();
        Write(sb, GoValues.Normalize(v), indent, 0, escapeHtml);
        return sb.ToString();
    }

    private static void NewLine(StringBuilder sb, string? indent, int depth)
    {
        if (indent == null) return;
        sb.Append('\n');
        for (int i = 0; i < depth; i++) sb.Append(indent);
    }

    private static void Write(StringBuilder sb, object? v, string? indent, int depth, bool html)
    {
        // Go's encoder reports a value that contains itself; deep enough nesting here is taken for one.
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new GoFunctionException($"json: unsupported value: encountered a cycle via {GoValues.TypeName(v)}");
        switch (v)
        {
            case null: sb.Append("null"); return;
            case GoMissing: sb.Append("null"); return;
            case bool b: sb.Append(b ? "true" : "false"); return;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); return;
            case GoInt64 n: sb.Append(n.ToString()); return;
            case IGoJsonValue j: Write(sb, j.JsonValue, indent, depth, html); return;
            case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); return;
            case double d when !double.IsFinite(d):
                throw new GoFunctionException("json: unsupported value: " + GoFormat.ToString(d));
            case double d: sb.Append(GoYaml.JsonFloat(d)); return;
            case string s: WriteString(sb, s, html); return;
            case byte[] bytes: WriteString(sb, Convert.ToBase64String(bytes), html); return;
            case IDictionary<string, object?> m:
                {
                    if (m.Count == 0) { sb.Append("{}"); return; }
                    sb.Append('{');
                    bool first = true;
                    foreach (var k in GoValues.SortedKeys(m))
                    {
                        if (!first) sb.Append(',');
                        first = false;
                        NewLine(sb, indent, depth + 1);
                        WriteString(sb, k, html);
                        sb.Append(':');
                        if (indent != null) sb.Append(' ');
                        Write(sb, GoValues.Normalize(m[k]), indent, depth + 1, html);
                    }
                    NewLine(sb, indent, depth);
                    sb.Append('}');
                    return;
                }
            case IList list:
                {
                    if (list.Count == 0) { sb.Append("[]"); return; }
                    sb.Append('[');
                    for (int i = 0; i < list.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        NewLine(sb, indent, depth + 1);
                        Write(sb, GoValues.Normalize(list[i]), indent, depth + 1, html);
                    }
                    NewLine(sb, indent, depth);
                    sb.Append(']');
                    return;
                }
            default:
                WriteString(sb, GoFormat.ToString(v), html);
                return;
        }
    }

    private const string Hex = "0123456789abcdef";

    /// <summary>Go's JSON string encoding with HTML escaping.</summary>
    public static void WriteString(StringBuilder sb, string s, bool escapeHtml = true)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' when escapeHtml:
                    AppendU(sb, c); break;
                case '\u2028': case '\u2029':
                    AppendU(sb, c); break;
                default:
                    if (c < 0x20) AppendU(sb, c);
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    private static void AppendU(StringBuilder sb, char c)
    {
        sb.Append("\\u").Append(Hex[(c >> 12) & 0xF]).Append(Hex[(c >> 8) & 0xF]).Append(Hex[(c >> 4) & 0xF]).Append(Hex[c & 0xF]);
    }

    /// <summary>json.Unmarshal into interface {}: objects, arrays, float64 numbers, strings, bools and null; a syntax
    /// error fails with Go's text ("invalid character 'b' looking for beginning of object key string").</summary>
    public static object? Unmarshal(string text) => new Reader(text).ReadDocument();

    private sealed class Reader
    {
        private readonly string _s;
        private int _i;

        public Reader(string s) => _s = s;

        public object? ReadDocument()
        {
            SkipSpace();
            var v = Value("looking for beginning of value");
            SkipSpace();
            if (_i < _s.Length) throw Invalid("after top-level value");
            return v;
        }

        private void SkipSpace() { while (_i < _s.Length && _s[_i] is ' ' or '\t' or '\n' or '\r') _i++; }

        private GoFunctionException Invalid(string context) =>
            _i >= _s.Length ? new GoFunctionException("unexpected end of JSON input")
                : new GoFunctionException($"invalid character {QuoteChar(_s[_i])} {context}");

        private static string QuoteChar(char c) => c switch
        {
            '\'' => "'\\''",
            '"' => "'\"'",
            _ => "'" + GoFormat.Quote(c.ToString())[1..^1] + "'",
        };

        private object? Value(string context)
        {
            if (_i >= _s.Length) throw Invalid(context);
            char c = _s[_i];
            switch (c)
            {
                case '{':
                    {
                        _i++;
                        var m = GoValues.NewMap();
                        SkipSpace();
                        if (_i < _s.Length && _s[_i] == '}') { _i++; return m; }
                        while (true)
                        {
                            SkipSpace();
                            if (_i >= _s.Length || _s[_i] != '"') throw Invalid("looking for beginning of object key string");
                            string key = String();
                            SkipSpace();
                            if (_i >= _s.Length || _s[_i] != ':') throw Invalid("after object key");
                            _i++;
                            SkipSpace();
                            m[key] = Value("looking for beginning of value");
                            SkipSpace();
                            if (_i < _s.Length && _s[_i] == ',') { _i++; continue; }
                            if (_i < _s.Length && _s[_i] == '}') { _i++; return m; }
                            throw Invalid("after object key:value pair");
                        }
                    }
                case '[':
                    {
                        _i++;
                        var l = new List<object?>();
                        SkipSpace();
                        if (_i < _s.Length && _s[_i] == ']') { _i++; return l; }
                        while (true)
                        {
                            SkipSpace();
                            l.Add(Value("looking for beginning of value"));
                            SkipSpace();
                            if (_i < _s.Length && _s[_i] == ',') { _i++; continue; }
                            if (_i < _s.Length && _s[_i] == ']') { _i++; return l; }
                            throw Invalid("after array element");
                        }
                    }
                case '"': return String();
                case 't': Literal("true"); return true;
                case 'f': Literal("false"); return false;
                case 'n': Literal("null"); return null;
                case '-' or (>= '0' and <= '9'): return Number();
            }
            throw Invalid(context);
        }

        private void Literal(string word)
        {
            for (int k = 0; k < word.Length; k++, _i++)
                if (_i >= _s.Length || _s[_i] != word[k]) throw Invalid($"in literal {word} (expecting {QuoteChar(word[k])})");
        }

        private double Number()
        {
            int start = _i;
            if (_s[_i] == '-') { _i++; if (_i >= _s.Length || !char.IsAsciiDigit(_s[_i])) throw Invalid("in numeric literal"); }
            if (_s[_i] == '0') _i++;
            else while (_i < _s.Length && char.IsAsciiDigit(_s[_i])) _i++;
            if (_i < _s.Length && _s[_i] == '.')
            {
                _i++;
                if (_i >= _s.Length || !char.IsAsciiDigit(_s[_i])) throw Invalid("after decimal point in numeric literal");
                while (_i < _s.Length && char.IsAsciiDigit(_s[_i])) _i++;
            }
            if (_i < _s.Length && _s[_i] is 'e' or 'E')
            {
                _i++;
                if (_i < _s.Length && _s[_i] is '+' or '-') _i++;
                if (_i >= _s.Length || !char.IsAsciiDigit(_s[_i])) throw Invalid("in exponent of numeric literal");
                while (_i < _s.Length && char.IsAsciiDigit(_s[_i])) _i++;
            }
            return double.Parse(_s.AsSpan(start, _i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        private string String()
        {
            _i++;
            var sb = new StringBuilder();
            while (true)
            {
                if (_i >= _s.Length) throw Invalid("in string literal");
                char c = _s[_i];
                if (c == '"') { _i++; return sb.ToString(); }
                if (c < 0x20) throw Invalid("in string literal");
                if (c != '\\') { sb.Append(c); _i++; continue; }
                _i++;
                if (_i >= _s.Length) throw Invalid("in string escape code");
                char e = _s[_i++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_i + 4 > _s.Length || !ushort.TryParse(_s.AsSpan(_i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var u))
                        {
                            while (_i < _s.Length && Uri.IsHexDigit(_s[_i])) _i++;
                            throw Invalid("in \\u hexadecimal character escape");
                        }
                        sb.Append((char)u);
                        _i += 4;
                        break;
                    default:
                        _i--;
                        throw Invalid("in string escape code");
                }
            }
        }
    }
}
