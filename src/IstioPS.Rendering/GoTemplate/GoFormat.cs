using System.Globalization;
using System.Text;

namespace IstioPS.Rendering.GoTemplate;

/// <summary>Go's fmt and strconv formatting for the template value model.</summary>
public static class GoFormat
{
    /// <summary>fmt.Sprint: spaces between operands when neither is a string.</summary>
    public static string Sprint(IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < args.Count; i++)
        {
            var a = GoValues.Normalize(args[i]);
            if (i > 0 && a is not string && GoValues.Normalize(args[i - 1]) is not string) sb.Append(' ');
            AppendValue(sb, a, 'v', Spec.Default);
        }
        return sb.ToString();
    }

    /// <summary>%v formatting of one value.</summary>
    public static string ToString(object? v)
    {
        if (v is string s) return s;
        var sb = new StringBuilder();
        AppendValue(sb, GoValues.Normalize(v), 'v', Spec.Default);
        return sb.ToString();
    }

    private struct Spec
    {
        public bool Minus, Plus, Sharp, Space, Zero;
        public int Width; // -1 = none
        public int Prec; // -1 = none
        public bool HasWidth => Width >= 0;
        public bool HasPrec => Prec >= 0;
        public static Spec Default => new() { Width = -1, Prec = -1 };
    }

    public static string Sprintf(string format, IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder(format.Length + 16);
        int argNum = 0;
        int i = 0;
        while (i < format.Length)
        {
            char c = format[i];
            if (c != '%') { sb.Append(c); i++; continue; }
            i++;
            var spec = Spec.Default;
            // flags
            for (; i < format.Length; i++)
            {
                char f = format[i];
                if (f == '-') spec.Minus = true;
                else if (f == '+') spec.Plus = true;
                else if (f == '#') spec.Sharp = true;
                else if (f == ' ') spec.Space = true;
                else if (f == '0') spec.Zero = !spec.Minus;
                else break;
            }
            // width
            if (i < format.Length && format[i] == '*')
            {
                i++;
                if (argNum < args.Count && GoValues.Normalize(args[argNum]) is long w) { spec.Width = (int)w; if (w < 0) { spec.Minus = true; spec.Width = (int)-w; } }
                else sb.Append("%!(BADWIDTH)");
                argNum++;
            }
            else
            {
                int start = i;
                while (i < format.Length && char.IsDigit(format[i])) i++;
                if (i > start) spec.Width = int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            }
            if (i < format.Length && format[i] == '.')
            {
                i++;
                if (i < format.Length && format[i] == '*')
                {
                    i++;
                    if (argNum < args.Count && GoValues.Normalize(args[argNum]) is long p) spec.Prec = p < 0 ? -1 : (int)p;
                    else sb.Append("%!(BADPREC)");
                    argNum++;
                }
                else
                {
                    int start = i;
                    while (i < format.Length && char.IsDigit(format[i])) i++;
                    spec.Prec = i > start ? int.Parse(format.AsSpan(start, i - start), CultureInfo.InvariantCulture) : 0;
                }
            }
            if (i >= format.Length) { sb.Append("%!(NOVERB)"); break; }
            char verb = format[i];
            if (char.IsHighSurrogate(verb) && i + 1 < format.Length) { sb.Append("%!").Append(verb).Append(format[i + 1]).Append("(BADVERB)"); i += 2; continue; }
            i++;
            if (verb == '%') { sb.Append('%'); continue; }
            if (argNum >= args.Count) { sb.Append("%!").Append(verb).Append("(MISSING)"); continue; }
            var arg = GoValues.Normalize(args[argNum++]);
            if (verb == 'T') { Pad(sb, GoValues.TypeName(arg), spec); continue; }
            if (verb == 'v' && spec.Sharp) { Pad(sb, GoSyntax(arg), spec); continue; }
            var inner = new StringBuilder();
            AppendValue(inner, arg, verb, spec);
            if (arg is string || arg is long || arg is GoInt64 || arg is double || arg is bool) sb.Append(inner); // padding applied inside
            else Pad(sb, inner.ToString(), spec);
        }
        if (argNum < args.Count)
        {
            sb.Append("%!(EXTRA ");
            for (int k = argNum; k < args.Count; k++)
            {
                if (k > argNum) sb.Append(", ");
                var a = GoValues.Normalize(args[k]);
                if (a == null) sb.Append("<nil>");
                else { sb.Append(GoValues.TypeName(a)).Append('='); AppendValue(sb, a, 'v', Spec.Default); }
            }
            sb.Append(')');
        }
        return sb.ToString();
    }

    /// <summary>%#v: the value in Go syntax.</summary>
    private static string GoSyntax(object? v)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (v)
        {
            case null: return "<nil>";
            case string s: return Quote(s);
            case IDictionary<string, object?> m:
                return GoValues.TypeName(m) + "{" + string.Join(", ", GoValues.SortedKeys(m).Select(k => Quote(k) + ":" + GoSyntax(m[k]))) + "}";
            case System.Collections.IList l when v is not byte[]:
                return GoValues.TypeName(v) + "{" + string.Join(", ", l.Cast<object?>().Select(GoSyntax)) + "}";
            default: return ToString(v);
        }
    }

    private static void Pad(StringBuilder sb, string s, Spec spec, bool zeroAllowed = false)
    {
        int n = new StringInfo(s).LengthInTextElements;
        if (!spec.HasWidth || n >= spec.Width) { sb.Append(s); return; }
        int pad = spec.Width - n;
        if (spec.Minus) { sb.Append(s).Append(' ', pad); return; }
        if (spec.Zero && zeroAllowed)
        {
            int signLen = s.Length > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ') ? 1 : 0;
            sb.Append(s, 0, signLen).Append('0', pad).Append(s, signLen, s.Length - signLen);
            return;
        }
        sb.Append(' ', pad).Append(s);
    }

    private static void BadVerb(StringBuilder sb, object? arg, char verb)
    {
        sb.Append("%!").Append(verb).Append('(');
        if (arg == null) sb.Append("<nil>");
        else { sb.Append(GoValues.TypeName(arg)).Append('='); AppendValue(sb, arg, 'v', Spec.Default); }
        sb.Append(')');
    }

    private static void AppendValue(StringBuilder sb, object? arg, char verb, Spec spec)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (arg)
        {
            case null:
                if (verb == 'v') Pad(sb, "<nil>", spec); else BadVerb(sb, arg, verb);
                return;
            case string s: FormatString(sb, s, verb, spec, arg); return;
            case bool b:
                if (verb == 'v' || verb == 't') Pad(sb, b ? "true" : "false", spec); else BadVerb(sb, arg, verb);
                return;
            case int i32: FormatInt(sb, i32, verb, spec, arg); return;
            case long l: FormatInt(sb, l, verb, spec, arg); return;
            case GoInt64 n: FormatInt(sb, n.Value, verb, spec, arg); return;
            case double d: FormatFloatVerb(sb, d, verb, spec, arg); return;
            case IDictionary<string, object?> m:
                if (verb == 'd' || verb == 's' || verb == 'v' || verb == 'q' || verb == 'x' || verb == 'X' || verb == 't' || verb == 'f' || verb == 'g' || verb == 'e')
                {
                    sb.Append("map[");
                    bool first = true;
                    foreach (var k in GoValues.SortedKeys(m))
                    {
                        if (!first) sb.Append(' ');
                        first = false;
                        FormatString(sb, k, verb, Spec.Default, k);
                        sb.Append(':');
                        AppendValue(sb, m[k], verb, Spec.Default);
                    }
                    sb.Append(']');
                }
                else BadVerb(sb, arg, verb);
                return;
            case System.Collections.IList list:
                sb.Append('[');
                for (int k = 0; k < list.Count; k++)
                {
                    if (k > 0) sb.Append(' ');
                    AppendValue(sb, list[k], verb, Spec.Default);
                }
                sb.Append(']');
                return;
            case GoMissing: Pad(sb, "<nil>", spec); return;
            case IGoObject o when o.TryCallMethod("String", Array.Empty<object?>(), out var str) && str is string text:
                Pad(sb, text, spec); // a fmt.Stringer
                return;
            default:
                Pad(sb, arg.ToString() ?? "", spec);
                return;
        }
    }

    private static void FormatString(StringBuilder sb, string s, char verb, Spec spec, object arg)
    {
        switch (verb)
        {
            case 'v':
            case 's':
                if (spec.HasPrec && spec.Prec < s.Length) s = s.Substring(0, spec.Prec);
                Pad(sb, s, spec);
                return;
            case 'q':
                Pad(sb, spec.Sharp && !s.Contains('`') ? "`" + s + "`" : Quote(s), spec);
                return;
            case 'x':
            case 'X':
                {
                    var bytes = Encoding.UTF8.GetBytes(s);
                    var hex = new StringBuilder();
                    foreach (var b in bytes) hex.Append(b.ToString(verb == 'x' ? "x2" : "X2", CultureInfo.InvariantCulture));
                    Pad(sb, hex.ToString(), spec);
                    return;
                }
            default:
                BadVerb(sb, arg, verb);
                return;
        }
    }

    private static void FormatInt(StringBuilder sb, long v, char verb, Spec spec, object arg)
    {
        string digits;
        ulong abs = v < 0 ? (ulong)(-(v + 1)) + 1 : (ulong)v;
        switch (verb)
        {
            case 'v': case 'd': digits = abs.ToString(CultureInfo.InvariantCulture); break;
            case 'x': digits = abs.ToString("x", CultureInfo.InvariantCulture); if (spec.Sharp) digits = "0x" + digits; break;
            case 'X': digits = abs.ToString("X", CultureInfo.InvariantCulture); if (spec.Sharp) digits = "0X" + digits; break;
            case 'o': digits = Convert.ToString((long)abs, 8); if (spec.Sharp) digits = "0" + digits; break;
            case 'O': digits = "0o" + Convert.ToString((long)abs, 8); break;
            case 'b': digits = Convert.ToString((long)abs, 2); break;
            case 'c': Pad(sb, char.ConvertFromUtf32((int)v), spec); return;
            case 'q': Pad(sb, QuoteRune((int)v), spec); return;
            case 'U': Pad(sb, "U+" + abs.ToString("X4", CultureInfo.InvariantCulture), spec); return;
            case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
            case 's': case 't':
            default:
                BadVerb(sb, arg, verb); return;
        }
        if (spec.HasPrec)
        {
            if (digits.Length < spec.Prec) digits = new string('0', spec.Prec - digits.Length) + digits;
            if (spec.Prec == 0 && v == 0) digits = "";
        }
        string sign = v < 0 ? "-" : spec.Plus ? "+" : spec.Space ? " " : "";
        Pad(sb, sign + digits, spec, zeroAllowed: !spec.HasPrec);
    }

    private static void FormatFloatVerb(StringBuilder sb, double d, char verb, Spec spec, object arg)
    {
        string s;
        switch (verb)
        {
            case 'v': case 'g': s = FormatFloat(d, 'g', spec.HasPrec ? spec.Prec : -1); break;
            case 'G': s = FormatFloat(d, 'G', spec.HasPrec ? spec.Prec : -1); break;
            case 'e': case 'E': s = FormatFloat(d, verb, spec.HasPrec ? spec.Prec : 6); break;
            case 'f': case 'F': s = FormatFloat(d, 'f', spec.HasPrec ? spec.Prec : 6); break;
            default: BadVerb(sb, arg, verb); return;
        }
        if (spec.Plus && !s.StartsWith('-') && !s.StartsWith('+')) s = "+" + s;
        else if (spec.Space && !s.StartsWith('-')) s = " " + s;
        Pad(sb, s, spec, zeroAllowed: !double.IsInfinity(d) && !double.IsNaN(d));
    }

    /// <summary>Shortest decimal digits of d (no sign) and decimal point position: value = 0.DIGITS * 10^dp.</summary>
    internal static (string Digits, int Dp) ShortestDigits(double d)
    {
        string r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        int e = 0;
        int ePos = r.IndexOfAny(new[] { 'E', 'e' });
        if (ePos >= 0) { e = int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture); r = r.Substring(0, ePos); }
        int dot = r.IndexOf('.');
        string intPart = dot >= 0 ? r.Substring(0, dot) : r;
        string frac = dot >= 0 ? r.Substring(dot + 1) : "";
        string digits = intPart + frac;
        int dp = intPart.Length + e;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') { lead++; dp--; }
        digits = digits.Substring(lead);
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) { digits = "0"; dp = 1; }
        return (digits, dp);
    }

    /// <summary>strconv.FormatFloat(d, fmt, prec, 64) for fmt in e,E,f,g,G.</summary>
    public static string FormatFloat(double d, char fmt, int prec)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "+Inf";
        if (double.IsNegativeInfinity(d)) return "-Inf";
        bool neg = d < 0 || (d == 0 && double.IsNegative(d));
        string digits; int dp;
        if (prec < 0)
        {
            if (d == 0) { digits = "0"; dp = 1; }
            else (digits, dp) = ShortestDigits(d);
        }
        else
        {
            // Rounded to the requested precision.
            int nd = fmt switch { 'e' or 'E' => prec + 1, 'f' => -1, _ => prec == 0 ? 1 : prec };
            if (d == 0) { digits = "0"; dp = 1; }
            else if (fmt == 'f')
            {
                string fs = Math.Abs(d).ToString("F" + prec, CultureInfo.InvariantCulture);
                int dot = fs.IndexOf('.');
                string ip = dot >= 0 ? fs.Substring(0, dot) : fs;
                string fp = dot >= 0 ? fs.Substring(dot + 1) : "";
                return (neg ? "-" : "") + ip + (fp.Length > 0 ? "." + fp : "");
            }
            else
            {
                string es = Math.Abs(d).ToString("E" + (nd - 1), CultureInfo.InvariantCulture);
                int ePos = es.IndexOf('E');
                int exp = int.Parse(es.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                digits = es.Substring(0, ePos).Replace(".", "");
                dp = exp + 1;
            }
        }
        var sb = new StringBuilder();
        if (neg) sb.Append('-');
        switch (fmt)
        {
            case 'e':
            case 'E':
                AppendE(sb, digits, dp, prec < 0 ? digits.Length - 1 : prec, fmt);
                break;
            case 'f':
                AppendF(sb, digits, dp, prec < 0 ? Math.Max(digits.Length - dp, 0) : prec);
                break;
            default:
                {
                    int eprec = prec;
                    bool shortest = prec < 0;
                    if (eprec > digits.Length && digits.Length >= dp) eprec = digits.Length;
                    if (shortest) eprec = 6;
                    int exp = dp - 1;
                    if (exp < -4 || exp >= eprec)
                    {
                        int p = shortest ? digits.Length - 1 : Math.Max(prec - 1, 0);
                        if (!shortest) digits = digits.TrimEnd('0').PadRight(1, '0');
                        AppendE(sb, digits, dp, Math.Min(p, digits.Length - 1), fmt == 'G' ? 'E' : 'e');
                    }
                    else
                    {
                        if (!shortest) digits = digits.TrimEnd('0').PadRight(1, '0');
                        AppendF(sb, digits, dp, Math.Max(digits.Length - dp, 0));
                    }
                    break;
                }
        }
        return sb.ToString();
    }

    private static void AppendE(StringBuilder sb, string digits, int dp, int prec, char e)
    {
        sb.Append(digits[0]);
        if (prec > 0)
        {
            sb.Append('.');
            for (int i = 1; i <= prec; i++) sb.Append(i < digits.Length ? digits[i] : '0');
        }
        sb.Append(e);
        int exp = digits == "0" ? 0 : dp - 1;
        sb.Append(exp < 0 ? '-' : '+');
        exp = Math.Abs(exp);
        if (exp < 10) sb.Append('0');
        sb.Append(exp.ToString(CultureInfo.InvariantCulture));
    }

    private static void AppendF(StringBuilder sb, string digits, int dp, int prec)
    {
        if (dp > 0)
        {
            for (int i = 0; i < dp; i++) sb.Append(i < digits.Length ? digits[i] : '0');
        }
        else sb.Append('0');
        if (prec > 0)
        {
            sb.Append('.');
            for (int i = 0; i < prec; i++)
            {
                int j = dp + i;
                sb.Append(j >= 0 && j < digits.Length ? digits[j] : '0');
            }
        }
    }

    /// <summary>strconv.Quote.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        AppendQuoted(sb, s, '"');
        sb.Append('"');
        return sb.ToString();
    }

    public static string QuoteRune(int r)
    {
        var sb = new StringBuilder();
        sb.Append('\'');
        AppendQuoted(sb, char.ConvertFromUtf32(r), '\'');
        sb.Append('\'');
        return sb.ToString();
    }

    private static void AppendQuoted(StringBuilder sb, string s, char quote)
    {
        for (int i = 0; i < s.Length; i++)
        {
            int r = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                r = char.ConvertToUtf32(s[i], s[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                sb.Append("\\ufffd");
                continue;
            }
            if (r == quote || r == '\\') { sb.Append('\\').Append((char)r); continue; }
            if (IsPrint(r)) { sb.Append(char.ConvertFromUtf32(r)); continue; }
            switch (r)
            {
                case '\a': sb.Append("\\a"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\v': sb.Append("\\v"); continue;
            }
            if (r < ' ' || r == 0x7f) sb.Append("\\x").Append(r.ToString("x2", CultureInfo.InvariantCulture));
            else if (r < 0x10000) sb.Append("\\u").Append(r.ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append("\\U").Append(r.ToString("x8", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Go's strconv.IsPrint approximation via Unicode categories.</summary>
    public static bool IsPrint(int r)
    {
        if (r >= 0x20 && r < 0x7f) return true;
        if (r < 0xa1) return false;
        var cat = CharUnicodeInfo.GetUnicodeCategory(r);
        return cat switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }
}
