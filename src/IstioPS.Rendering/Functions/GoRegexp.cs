using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>Go's regexp (RE2 syntax and semantics) on .NET: patterns are translated (ASCII \d \w \s, POSIX classes,
/// (?P&lt;name&gt;), \Q..\E, $ as end of text) and matched without backtracking; what RE2 rejects (lookaround,
/// backreferences) is an error with Go's text. Replacement templates expand as Go's Regexp.Expand does.</summary>
internal static class GoRegexp
{
    private const string ItemsKey = "go.regexp";

    /// <summary>Compiles <paramref name="pattern"/> (cached per render in <paramref name="ctx"/>); throws
    /// <see cref="GoFunctionException"/> with Go's "error parsing regexp: ..." text when RE2 would.</summary>
    public static Regex Compile(TemplateContext? ctx, string pattern)
    {
        Dictionary<string, Regex>? cache = null;
        if (ctx != null)
        {
            cache = ctx.Items.TryGetValue(ItemsKey, out var c) && c is Dictionary<string, Regex> d ? d : new Dictionary<string, Regex>(StringComparer.Ordinal);
            ctx.Items[ItemsKey] = cache;
            if (cache.TryGetValue(pattern, out var hit)) return hit;
        }
        var regex = CompileUncached(pattern);
        if (cache != null) cache[pattern] = regex;
        return regex;
    }

    public static Regex CompileUncached(string pattern)
    {
        string translated = Translate(pattern);
        try
        {
            return new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            return Build(translated, pattern, RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw ParseError(pattern, e);
        }
    }

    private static Regex Build(string translated, string pattern, RegexOptions options)
    {
        try { return new Regex(translated, options, TimeSpan.FromSeconds(5)); }
        catch (ArgumentException e) { throw ParseError(pattern, e); }
    }

    private static GoFunctionException ParseError(string pattern, Exception e)
    {
        string code = e is RegexParseException rpe ? rpe.Error switch
        {
            RegexParseError.InsufficientClosingParentheses => "missing closing )",
            RegexParseError.InsufficientOpeningParentheses => "unexpected )",
            RegexParseError.UnterminatedBracket => "missing closing ]",
            RegexParseError.QuantifierAfterNothing => "missing argument to repetition operator",
            RegexParseError.NestedQuantifiersNotParenthesized => "invalid nested repetition operator",
            RegexParseError.ReversedCharacterRange => "invalid character class range",
            RegexParseError.ReversedQuantifierRange => "invalid repeat count",
            RegexParseError.UnescapedEndingBackslash => "trailing backslash at end of expression",
            _ => "invalid escape sequence",
        } : "invalid escape sequence";
        string expr = code switch
        {
            "missing closing )" or "missing closing ]" or "unexpected )" => pattern.Substring(Math.Max(0, code == "missing closing ]" ? pattern.LastIndexOf('[') : code == "missing closing )" ? pattern.IndexOf('(') : 0)),
            _ => pattern,
        };
        return new GoFunctionException($"error parsing regexp: {code}: `{expr}`");
    }

    private static readonly FrozenDictionary<string, string> Posix = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["alnum"] = "0-9A-Za-z", ["alpha"] = "A-Za-z", ["ascii"] = "\\x00-\\x7F", ["blank"] = "\\t ", ["cntrl"] = "\\x00-\\x1F\\x7F",
        ["digit"] = "0-9", ["graph"] = "!-~", ["lower"] = "a-z", ["print"] = " -~", ["punct"] = "!-/:-@\\[-`{-~",
        ["space"] = "\\t\\n\\v\\f\\r ", ["upper"] = "A-Z", ["word"] = "0-9A-Za-z_", ["xdigit"] = "0-9A-Fa-f",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Scripts = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Greek"] = "\\p{IsGreek}\\p{IsGreekExtended}", ["Cyrillic"] = "\\p{IsCyrillic}\\p{IsCyrillicSupplement}",
        ["Han"] = "\\p{IsCJKUnifiedIdeographs}", ["Hebrew"] = "\\p{IsHebrew}", ["Arabic"] = "\\p{IsArabic}",
        ["Hiragana"] = "\\p{IsHiragana}", ["Katakana"] = "\\p{IsKatakana}", ["Thai"] = "\\p{IsThai}",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>RE2 syntax to an equivalent .NET pattern.</summary>
    internal static string Translate(string p)
    {
        bool multiline = Regex.IsMatch(p, @"\(\?[a-zA-Z]*m");
        var sb = new StringBuilder(p.Length + 16);
        bool inClass = false;
        for (int i = 0; i < p.Length; i++)
        {
            char c = p[i];
            if (c == '\\' && i + 1 < p.Length)
            {
                char n = p[++i];
                switch (n)
                {
                    case 'd': sb.Append(inClass ? "0-9" : "[0-9]"); continue;
                    case 'D': sb.Append(inClass ? "\\x00-/:-\\uFFFF" : "[^0-9]"); continue;
                    case 'w': sb.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"); continue;
                    case 'W': sb.Append(inClass ? "\\x00-/:-@\\[-\\^`{-\\uFFFF" : "[^0-9A-Za-z_]"); continue;
                    case 's': sb.Append(inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]"); continue;
                    case 'S': sb.Append(inClass ? "\\x00-\\x08\\x0B\\x0E-\\x1F!-\\uFFFF" : "[^\\t\\n\\f\\r ]"); continue;
                    case 'Q':
                        {
                            int end = p.IndexOf("\\E", i + 1, StringComparison.Ordinal);
                            string lit = end < 0 ? p.Substring(i + 1) : p.Substring(i + 1, end - i - 1);
                            sb.Append(inClass ? EscapeInClass(lit) : Regex.Escape(lit));
                            i = end < 0 ? p.Length : end + 1;
                            continue;
                        }
                    case 'p':
                    case 'P':
                        {
                            string name;
                            if (i + 1 < p.Length && p[i + 1] == '{')
                            {
                                int close = p.IndexOf('}', i + 2);
                                if (close < 0) throw new GoFunctionException($"error parsing regexp: invalid character class range: `{p.Substring(i - 1)}`");
                                name = p.Substring(i + 2, close - i - 2);
                                i = close;
                            }
                            else if (i + 1 < p.Length) name = p[++i].ToString();
                            else throw new GoFunctionException($"error parsing regexp: invalid character class range: `\\{n}`");
                            bool negate = n == 'P';
                            if (name.StartsWith('^')) { negate = !negate; name = name.Substring(1); }
                            string set = Scripts.TryGetValue(name, out var s) ? s : name == "Any" ? "\\s\\S" : "\\p{" + name + "}";
                            if (inClass) { if (negate) throw new GoFunctionException($"error parsing regexp: invalid character class range: `\\P{{{name}}}`"); sb.Append(set); }
                            else sb.Append(negate ? "[^" : "[").Append(set).Append(']');
                            continue;
                        }
                    case >= '1' and <= '9':
                        throw new GoFunctionException($"error parsing regexp: invalid escape sequence: `\\{n}`");
                    case 'Z':
                        throw new GoFunctionException("error parsing regexp: invalid escape sequence: `\\Z`");
                    default:
                        sb.Append('\\').Append(n);
                        continue;
                }
            }
            if (inClass)
            {
                if (c == '[' && i + 1 < p.Length && p[i + 1] == ':')
                {
                    int close = p.IndexOf(":]", i + 2, StringComparison.Ordinal);
                    if (close > 0)
                    {
                        string name = p.Substring(i + 2, close - i - 2);
                        bool negate = name.StartsWith('^');
                        if (Posix.TryGetValue(negate ? name.Substring(1) : name, out var set) && !negate)
                        {
                            sb.Append(set);
                            i = close + 1;
                            continue;
                        }
                    }
                }
                if (c == '[') { sb.Append("\\["); continue; }
                if (c == ']') inClass = false;
                sb.Append(c);
                continue;
            }
            switch (c)
            {
                case '[':
                    inClass = true;
                    sb.Append(c);
                    if (i + 1 < p.Length && p[i + 1] == '^') { sb.Append('^'); i++; }
                    if (i + 1 < p.Length && p[i + 1] == ']') { sb.Append("\\]"); i++; }
                    continue;
                case '$':
                    sb.Append(multiline ? "$" : "\\z");
                    continue;
                case '(' when i + 2 < p.Length && p[i + 1] == '?':
                    {
                        char k = p[i + 2];
                        if (k == 'P' && i + 3 < p.Length && p[i + 3] == '<') { sb.Append("(?<"); i += 3; continue; }
                        if (k == '=' || k == '!' || (k == '<' && i + 3 < p.Length && (p[i + 3] == '=' || p[i + 3] == '!')))
                            throw new GoFunctionException($"error parsing regexp: invalid or unsupported Perl syntax: `{p.Substring(i, k == '<' ? 4 : 3)}`");
                        sb.Append(c);
                        continue;
                    }
                default:
                    sb.Append(c);
                    continue;
            }
        }
        return sb.ToString();
    }

    private static string EscapeInClass(string s)
    {
        var sb = new StringBuilder();
        foreach (char ch in s)
        {
            if (ch is '\\' or ']' or '[' or '^' or '-') sb.Append('\\');
            sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>Go's FindAll: up to <paramref name="n"/> matches (all when negative), an empty match right after the
    /// previous match skipped.</summary>
    public static List<Match> AllMatches(Regex re, string s, int n = -1)
    {
        var result = new List<Match>();
        int prevEnd = -1;
        for (var m = re.Match(s); m.Success && (n < 0 || result.Count < n); m = m.NextMatch())
        {
            if (m.Length == 0 && m.Index == prevEnd) continue;
            result.Add(m);
            prevEnd = m.Index + m.Length;
        }
        return result;
    }

    /// <summary>Go's Regexp.ReplaceAllString (<paramref name="literal"/>: ReplaceAllLiteralString): $name / ${name}
    /// expand (longest name of letters, digits, _; unknown or out of range is empty), $$ is a dollar.</summary>
    public static string ReplaceAll(Regex re, string input, string template, bool literal = false)
    {
        var sb = new StringBuilder();
        int last = 0;
        foreach (var m in AllMatches(re, input))
        {
            sb.Append(input, last, m.Index - last);
            if (m.Index + m.Length > last || m.Index == 0) sb.Append(literal ? template : Expand(re, m, template));
            last = m.Index + m.Length;
        }
        sb.Append(input, last, input.Length - last);
        return sb.ToString();
    }

    private static string Expand(Regex re, Match m, string template)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < template.Length)
        {
            int d = template.IndexOf('$', i);
            if (d < 0) { sb.Append(template, i, template.Length - i); break; }
            sb.Append(template, i, d - i);
            i = d + 1;
            if (i < template.Length && template[i] == '$') { sb.Append('$'); i++; continue; }
            string? name = null;
            if (i < template.Length && template[i] == '{')
            {
                int close = template.IndexOf('}', i + 1);
                if (close > i + 1 && IsName(template.AsSpan(i + 1, close - i - 1))) { name = template.Substring(i + 1, close - i - 1); i = close + 1; }
            }
            else
            {
                int j = i;
                while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_')) j++;
                if (j > i) { name = template.Substring(i, j - i); i = j; }
            }
            if (name == null) { sb.Append('$'); continue; }
            sb.Append(Group(re, m, name));
        }
        return sb.ToString();
    }

    private static bool IsName(ReadOnlySpan<char> s)
    {
        foreach (char c in s) if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    private static string Group(Regex re, Match m, string name)
    {
        if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
            return n < m.Groups.Count && re.GroupNameFromNumber(n) == n.ToString(System.Globalization.CultureInfo.InvariantCulture) ? m.Groups[n].Value : NamedOrEmpty(re, m, name);
        return NamedOrEmpty(re, m, name);
    }

    private static string NamedOrEmpty(Regex re, Match m, string name) =>
        re.GroupNumberFromName(name) >= 0 && !int.TryParse(name, out _) ? m.Groups[name].Value : "";

    /// <summary>Go's Regexp.Split(s, n).</summary>
    public static List<object?> Split(Regex re, string s, int n)
    {
        var result = new List<object?>();
        if (n == 0) return result;
        if (re.ToString().Length > 0 && s.Length == 0) { result.Add(""); return result; }
        int beg = 0, end = 0;
        foreach (var m in AllMatches(re, s, n))
        {
            if (n > 0 && result.Count == n - 1) break;
            end = m.Index;
            if (m.Index + m.Length != 0) result.Add(s.Substring(beg, end - beg));
            beg = m.Index + m.Length;
        }
        if (end != s.Length) result.Add(s.Substring(beg));
        return result;
    }
}
