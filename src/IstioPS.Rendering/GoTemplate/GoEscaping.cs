using System.Globalization;
using System.Text;

namespace IstioPS.Rendering.GoTemplate;

/// <summary>The escapers behind text/template's html, js and urlquery builtins (HTMLEscapeString, JSEscapeString,
/// url.QueryEscape), byte for byte as Go writes them.</summary>
internal static class GoEscaping
{
    private const string UpperHex = "0123456789ABCDEF";

    /// <summary>Go's evalArgs: a single string as it is, anything else as fmt.Sprint of the arguments, where a nil
    /// argument has become the string "&lt;no value&gt;" first.</summary>
    public static string EvalArgs(object?[] args) =>
        args is [string s] ? s : GoFormat.Sprint(args.Select(a => GoValues.Normalize(a) ?? "<no value>").ToArray());

    /// <summary>HTMLEscapeString: the five markup characters as short entities, NUL as U+FFFD.</summary>
    public static string Html(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (char c in s)
        {
            sb.Append(c switch
            {
                '\0' => "\uFFFD",
                '"' => "&#34;",
                '\'' => "&#39;",
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => null,
            } ?? (object)c);
        }
        return sb.ToString();
    }

    /// <summary>JSEscapeString: quotes, backslash, &lt; &gt; &amp; = and ASCII controls escaped, non-printable
    /// non-ASCII runes as \uXXXX (upper-case hex), printable ones kept.</summary>
    public static string Js(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var r in s.EnumerateRunes())
        {
            int v = r.Value;
            if (v < 0x80)
            {
                switch (v)
                {
                    case '\\': sb.Append(@"\\"); break;
                    case '\'': sb.Append(@"\'"); break;
                    case '"': sb.Append("\\\""); break;
                    case '<': sb.Append(@"\u003C"); break;
                    case '>': sb.Append(@"\u003E"); break;
                    case '&': sb.Append(@"\u0026"); break;
                    case '=': sb.Append(@"\u003D"); break;
                    case < ' ': sb.Append(@"\u00").Append(UpperHex[v >> 4]).Append(UpperHex[v & 15]); break;
                    default: sb.Append((char)v); break;
                }
            }
            else if (IsPrint(r)) sb.Append(r.ToString());
            else sb.Append(@"\u").Append(v.ToString("X4", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>unicode.IsPrint for runes beyond ASCII: letters, marks, numbers, punctuation and symbols.</summary>
    private static bool IsPrint(Rune r) => Rune.GetUnicodeCategory(r) switch
    {
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
        _ => true,
    };

    /// <summary>url.QueryEscape: unreserved bytes kept, a space as '+', every other UTF-8 byte as %XX.</summary>
    public static string QueryEscape(string s) => PercentEncode(s, spaceAsPlus: true, keep: static b => false);

    /// <summary>Percent-encodes UTF-8 bytes that are neither unreserved nor kept by <paramref name="keep"/> (upper-case hex).</summary>
    public static string PercentEncode(string s, bool spaceAsPlus, Func<byte, bool> keep)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            if (IsUnreserved(b) || keep(b)) sb.Append((char)b);
            else if (b == ' ' && spaceAsPlus) sb.Append('+');
            else sb.Append('%').Append(UpperHex[b >> 4]).Append(UpperHex[b & 15]);
        }
        return sb.ToString();
    }

    private static bool IsUnreserved(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';
}
