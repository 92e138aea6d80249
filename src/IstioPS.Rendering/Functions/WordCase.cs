using System.Globalization;
using System.Text;

namespace IstioPS.Rendering.Functions;

/// <summary>Sprig's snakecase, kebabcase and camelcase (huandu/xstrings' ToSnakeCase, ToKebabCase and ToPascalCase):
/// the input is cut into words (upper-case runs, letter runs, numbers, punctuation, connectors) and joined again.</summary>
internal static class WordCase
{
    private enum Word { Invalid, Number, UpperCase, Alphabet, Connector, Punct, Other }

    private const int RuneError = 0xFFFD;

    public static string ToSnake(string s) => CamelToLower(s, '_');

    public static string ToKebab(string s) => CamelToLower(s, '-');

    /// <summary>Words separated by connectors (space, '_' or '-') joined with each word's first rune in upper case;
    /// leading connectors and runs of two or more connectors are kept.</summary>
    public static string ToPascal(string s)
    {
        var runes = s.EnumerateRunes().ToArray();
        if (runes.Length == 0) return "";
        var sb = new StringBuilder(s.Length);
        int i = 0;
        Rune r0 = default;
        while (i < runes.Length)
        {
            r0 = runes[i++];
            if (!IsConnector(r0)) { r0 = Rune.ToUpperInvariant(r0); break; }
            sb.Append(r0.ToString());
        }
        if (i == runes.Length)
        {
            // xstrings writes the last rune again here, so a string of connectors only comes out doubled at its end.
            sb.Append(r0.ToString());
            return sb.ToString();
        }
        while (i < runes.Length)
        {
            Rune r1 = r0;
            r0 = runes[i++];
            if (IsConnector(r0) && IsConnector(r1)) { sb.Append(r1.ToString()); continue; }
            if (IsConnector(r1)) r0 = Rune.ToUpperInvariant(r0);
            else sb.Append(r1.ToString());
        }
        sb.Append(r0.ToString());
        return sb.ToString();
    }

    private static string CamelToLower(string s, char connector)
    {
        var runes = s.EnumerateRunes().ToArray();
        if (runes.Length == 0) return "";
        var sb = new StringBuilder(s.Length + 4);
        int start = 0;
        var (wt, end) = NextWord(runes, start);
        void Lower(Word type, int from, int to)
        {
            for (int k = from; k < to; k++)
            {
                var r = runes[k];
                if (type is Word.UpperCase or Word.Connector)
                {
                    if (IsConnector(r)) sb.Append(connector);
                    else sb.Append(Rune.IsUpper(r) ? Rune.ToLowerInvariant(r).ToString() : r.ToString());
                }
                else sb.Append(r.ToString());
            }
        }
        void Advance() { start = end; (wt, end) = NextWord(runes, start); }
        bool NotSeparated(Word w, bool invalidToo) => (!invalidToo || w != Word.Invalid) && w != Word.Punct && w != Word.Connector;
        while (end < runes.Length)
        {
            if (wt != Word.Connector) Lower(wt, start, end);
            var prev = wt;
            int lastStart = start, lastEnd = end;
            Advance();
            switch (prev)
            {
                case Word.Number:
                    while (wt is Word.Alphabet or Word.Number) { Lower(wt, start, end); Advance(); }
                    if (NotSeparated(wt, true)) sb.Append(connector);
                    break;
                case Word.Connector:
                    Lower(prev, lastStart, lastEnd);
                    break;
                case Word.Punct:
                    break;
                default:
                    if (wt != Word.Number)
                    {
                        if (NotSeparated(wt, false)) sb.Append(connector);
                        break;
                    }
                    if (end >= runes.Length) break;
                    int numStart = start, numEnd = end;
                    Advance();
                    if (wt != Word.Alphabet)
                    {
                        // A number after a word belongs to it ("Bld4Floor" => "bld4_floor").
                        Lower(Word.Number, numStart, numEnd);
                        if (NotSeparated(wt, false)) sb.Append(connector);
                        break;
                    }
                    // Lower-case letters after the number: the number starts a new word ("HTTP2xx" => "http_2xx").
                    sb.Append(connector);
                    Lower(Word.Number, numStart, numEnd);
                    while (wt is Word.Alphabet or Word.Number) { Lower(wt, start, end); Advance(); }
                    if (NotSeparated(wt, true)) sb.Append(connector);
                    break;
            }
        }
        Lower(wt, start, end);
        return sb.ToString();
    }

    /// <summary>The next valid rune at or after <paramref name="pos"/> and how many runes were consumed to reach it
    /// (Go skips undecodable bytes, which decode as U+FFFD); <paramref name="prev"/> when none is left.</summary>
    private static (Rune R, int Size) NextValid(Rune[] s, int pos, Rune prev)
    {
        int size = 0;
        for (; pos < s.Length; pos++)
        {
            size++;
            if (s[pos].Value != RuneError) return (s[pos], size);
        }
        return (prev, size);
    }

    /// <summary>The type of the word starting at <paramref name="start"/> and where it ends.</summary>
    private static (Word Type, int End) NextWord(Rune[] s, int start)
    {
        if (start >= s.Length) return (Word.Invalid, start);
        int offset = start, rem = start;
        var (r, size) = NextValid(s, rem, new Rune(RuneError));
        offset += size;
        if (r.Value == RuneError) return (Word.Invalid, offset);
        rem += size;
        Word wt;
        // Extends the word while the next valid rune satisfies the predicate.
        void Take(Func<Rune, bool> more)
        {
            while (rem < s.Length)
            {
                (r, size) = NextValid(s, rem, r);
                if (!more(r)) break;
                offset += size;
                rem += size;
            }
        }
        if (IsConnector(r)) { wt = Word.Connector; Take(IsConnector); }
        else if (IsPunct(r)) { wt = Word.Punct; Take(IsPunct); }
        else if (Rune.IsUpper(r))
        {
            wt = Word.UpperCase;
            if (rem < s.Length)
            {
                (r, size) = NextValid(s, rem, r);
                if (Rune.IsUpper(r))
                {
                    int prevSize = size;
                    offset += size;
                    rem += size;
                    while (rem < s.Length)
                    {
                        (r, size) = NextValid(s, rem, r);
                        if (!Rune.IsUpper(r)) break;
                        prevSize = size;
                        offset += size;
                        rem += size;
                    }
                    // "HTTPStatus" is "HTTP" and "Status": the last capital starts the next word.
                    if (rem < s.Length && IsAlphabet(r)) offset -= prevSize;
                }
                else if (IsAlphabet(r))
                {
                    offset += size;
                    rem += size;
                    Take(x => IsAlphabet(x) && !Rune.IsUpper(x));
                }
            }
        }
        else if (IsAlphabet(r)) { wt = Word.Alphabet; Take(x => IsAlphabet(x) && !Rune.IsUpper(x)); }
        else if (Rune.IsNumber(r)) { wt = Word.Number; Take(Rune.IsNumber); }
        else
        {
            wt = Word.Other;
            Take(x => !(IsConnector(x) || IsAlphabet(x) || Rune.IsNumber(x) || IsPunct(x)));
        }
        return (wt, offset);
    }

    private static bool IsConnector(Rune r) => r.Value is '-' or '_' || Rune.IsWhiteSpace(r);

    private static bool IsPunct(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
        or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    /// <summary>A letter that is not a CJK ideograph.</summary>
    private static bool IsAlphabet(Rune r)
    {
        if (!Rune.IsLetter(r)) return false;
        int v = r.Value;
        return v < 0x3400 || !(v is >= 0x4E00 and <= 0x9FCC or >= 0x3400 and <= 0x4D85 or >= 0x20000 and <= 0x2B81D);
    }
}
