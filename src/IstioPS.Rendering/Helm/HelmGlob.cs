using System.Text;
using System.Text.RegularExpressions;

namespace IstioPS.Rendering.Helm;

/// <summary>The glob patterns of Helm's .Files.Glob (gobwas/glob with '/' as the separator): '*' within a path segment,
/// '**' across segments, '?' one character of a segment, [abc] [!abc] [a-z] [!a-z] one character, {a,b} alternatives,
/// '\' quoting the next character. A pattern that does not compile matches every file, as Helm falls back to "**".</summary>
internal static class HelmGlob
{
    private sealed class BadPattern : Exception { }

    public static Regex Compile(string pattern)
    {
        try
        {
            int pos = 0;
            string body = Sequence(pattern, ref pos, depth: 0);
            return new Regex(@"\A" + body + @"\z", RegexOptions.Singleline | RegexOptions.CultureInvariant);
        }
        catch (BadPattern)
        {
            return new Regex(@"\A.*\z", RegexOptions.Singleline | RegexOptions.CultureInvariant);
        }
    }

    /// <summary>A run of elements up to the end, or inside {...} up to ',' or '}' (an unclosed '{' ends at the end).</summary>
    private static string Sequence(string p, ref int pos, int depth)
    {
        var sb = new StringBuilder();
        while (pos < p.Length)
        {
            char c = p[pos];
            if (depth > 0 && c is ',' or '}') break;
            switch (c)
            {
                case '*':
                    bool super = pos + 1 < p.Length && p[pos + 1] == '*';
                    sb.Append(super ? ".*" : "[^/]*");
                    pos += super ? 2 : 1;
                    break;
                case '?':
                    sb.Append("[^/]");
                    pos++;
                    break;
                case '[':
                    pos++;
                    sb.Append(CharClass(p, ref pos));
                    break;
                case '{':
                    pos++;
                    var alternatives = new List<string> { Sequence(p, ref pos, depth + 1) };
                    while (pos < p.Length && p[pos] == ',')
                    {
                        pos++;
                        alternatives.Add(Sequence(p, ref pos, depth + 1));
                    }
                    if (pos < p.Length && p[pos] == '}') pos++;
                    sb.Append("(?:").Append(string.Join("|", alternatives)).Append(')');
                    break;
                default:
                    sb.Append(Regex.Escape(Text(p, ref pos, depth > 0 ? "?*[{},"  : "?*[{")));
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Literal text up to a breaker; '\' takes the next character as it is (a trailing one is dropped).</summary>
    private static string Text(string p, ref int pos, string breakers)
    {
        var sb = new StringBuilder();
        bool escaped = false;
        for (; pos < p.Length; pos++)
        {
            char c = p[pos];
            if (!escaped)
            {
                if (c == '\\') { escaped = true; continue; }
                if (breakers.IndexOf(c) >= 0) break;
            }
            escaped = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>After '[': an optional '!', then either "lo-hi" or a list of characters, then ']'.</summary>
    private static string CharClass(string p, ref int pos)
    {
        bool not = false;
        if (pos < p.Length && p[pos] == '!') { not = true; pos++; }
        if (pos >= p.Length) throw new BadPattern();
        string body;
        if (pos + 1 < p.Length && p[pos + 1] == '-')
        {
            if (pos + 2 >= p.Length) throw new BadPattern();
            char lo = p[pos], hi = p[pos + 2];
            if (hi < lo) throw new BadPattern();
            pos += 3;
            body = Regex.Escape(lo.ToString()) + "-" + Regex.Escape(hi.ToString());
        }
        else
        {
            string chars = Text(p, ref pos, "]");
            if (chars.Length == 0) throw new BadPattern();
            body = string.Concat(chars.Select(ch => ch is '\\' or ']' or '[' or '^' or '-' ? "\\" + ch : ch.ToString()));
        }
        if (pos >= p.Length || p[pos] != ']') throw new BadPattern();
        pos++;
        return "[" + (not ? "^" : "") + body + "]";
    }
}
