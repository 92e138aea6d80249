using System.Collections;
using System.Globalization;
using System.Text;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Functions;

/// <summary>Go encoding/json output for the template value model (sorted keys, HTML-safe escapes).</summary>
public static class GoJson
{
    /// <summary>json.Marshal.</summary>
    public static string Marshal(object? v)
    {
        var sb = new StringBuilder();
        Write(sb, GoValues.Normalize(v), null, 0);
        return sb.ToString();
    }

    /// <summary>json.MarshalIndent(v, "", indent).</summary>
    public static string MarshalIndent(object? v, string indent = "  ")
    {
        var sb = new StringBuilder();
        Write(sb, GoValues.Normalize(v), indent, 0);
        return sb.ToString();
    }

    private static void NewLine(StringBuilder sb, string? indent, int depth)
    {
        if (indent == null) return;
        sb.Append('\n');
        for (int i = 0; i < depth; i++) sb.Append(indent);
    }

    private static void Write(StringBuilder sb, object? v, string? indent, int depth)
    {
        switch (v)
        {
            case null: sb.Append("null"); return;
            case GoMissing: sb.Append("null"); return;
            case bool b: sb.Append(b ? "true" : "false"); return;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); return;
            case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); return;
            case double d: sb.Append(GoYaml.JsonFloat(d)); return;
            case string s: WriteString(sb, s); return;
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
                        WriteString(sb, k);
                        sb.Append(':');
                        if (indent != null) sb.Append(' ');
                        Write(sb, GoValues.Normalize(m[k]), indent, depth + 1);
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
                        Write(sb, GoValues.Normalize(list[i]), indent, depth + 1);
                    }
                    NewLine(sb, indent, depth);
                    sb.Append(']');
                    return;
                }
            default:
                WriteString(sb, GoFormat.ToString(v));
                return;
        }
    }

    private const string Hex = "0123456789abcdef";

    /// <summary>Go's JSON string encoding with HTML escaping.</summary>
    public static void WriteString(StringBuilder sb, string s)
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
                case '<': case '>': case '&':
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
}
