using System.Collections;
using System.Globalization;
using System.Text;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Yaml;

public static partial class GoYaml
{
    private const int BestWidth = 80;

    /// <summary>sigs.k8s.io/yaml.Marshal: JSON round trip (sorted keys) then goyaml v2 block output, ending in "\n".</summary>
    public static string Marshal(object? value)
    {
        var w = new YamlWriter(v3: false);
        WriteGuarded(w, value);
        return w.ToString();
    }

    /// <summary>A value that contains itself fails as sigs.k8s.io/yaml's JSON step fails on it, not with a stack overflow.</summary>
    private static void WriteGuarded(YamlWriter w, object? value)
    {
        try { w.WriteDocument(GoValues.Normalize(value)); }
        catch (InsufficientExecutionStackException)
        {
            throw new FormatException($"error marshaling into JSON: json: unsupported value: encountered a cycle via {GoValues.TypeName(GoValues.Normalize(value))}");
        }
    }

    /// <summary>Helm's toYamlPretty: goyaml v3's encoder with an indent of 2 on the value itself (no JSON round trip):
    /// sequences indented under their key, floats in Go's shortest 'g' form, v3's key order.</summary>
    public static string MarshalPretty(object? value)
    {
        var w = new YamlWriter(v3: true);
        WriteGuarded(w, value);
        return w.ToString();
    }

    private enum Style { Plain, Single, Double, Literal }

    private sealed class YamlWriter
    {
        private readonly StringBuilder _sb = new();
        private readonly bool _v3;
        private readonly int _bestWidth;
        private int _lineStart;

        /// <summary>Deeper than this (a value that contains itself, in practice) fails like the stack running out:
        /// indentation grows with depth, so the text would outgrow memory before the stack did.</summary>
        private const int MaxIndent = 2 * 10_000;

        private static void CheckDepth(int indent)
        {
            if (indent > MaxIndent) throw new InsufficientExecutionStackException();
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        }

        public YamlWriter(bool v3)
        {
            _v3 = v3;
            // goyaml v2 folds long scalars at 80 columns; Helm's v3 encoder is given no width and never folds.
            _bestWidth = v3 ? int.MaxValue : BestWidth;
        }

        public override string ToString() => _sb.ToString();

        private int Column => _sb.Length - _lineStart;

        private void NewLine()
        {
            _sb.Append('\n');
            _lineStart = _sb.Length;
        }

        private void Indent(int n)
        {
            _sb.Append(' ', n);
        }

        public void WriteDocument(object? v)
        {
            switch (v)
            {
                case IDictionary<string, object?> m when m.Count > 0:
                    WriteMap(m, 0, false);
                    break;
                case IList l when l.Count > 0:
                    WriteList(l, 0, false);
                    break;
                default:
                    WriteScalarValue(v, 2, false);
                    NewLine();
                    break;
            }
        }

        /// <summary>Writes a block mapping; if <paramref name="inline"/>, the first key continues the current line.</summary>
        private void WriteMap(IDictionary<string, object?> m, int indent, bool inline)
        {
            CheckDepth(indent);
            bool first = true;
            foreach (var key in YamlSortedKeys(m, _v3))
            {
                if (!(first && inline)) Indent(indent);
                first = false;
                WriteString(key, indent, simpleKey: true);
                _sb.Append(':');
                WriteChild(m[key], indent, inSequence: false);
            }
        }

        private void WriteList(IList l, int indent, bool inline)
        {
            CheckDepth(indent);
            bool first = true;
            foreach (var item in l)
            {
                if (!(first && inline)) Indent(indent);
                first = false;
                _sb.Append('-');
                WriteChild(item, indent, inSequence: true);
            }
        }

        /// <summary>Writes the value after "key:" or "-" and ends the line.</summary>
        private void WriteChild(object? v, int indent, bool inSequence)
        {
            v = GoValues.Normalize(v);
            switch (v)
            {
                case IDictionary<string, object?> cm when cm.Count > 0:
                    if (inSequence) { _sb.Append(' '); WriteMap(cm, indent + 2, true); }
                    else { NewLine(); WriteMap(cm, indent + 2, false); }
                    return;
                case IList cl when cl.Count > 0:
                    if (inSequence) { _sb.Append(' '); WriteList(cl, indent + 2, true); }
                    else { NewLine(); WriteList(cl, _v3 ? indent + 2 : indent, false); }
                    return;
            }
            _sb.Append(' ');
            bool endsWithBreak = WriteScalarValue(v, indent + 2, false);
            if (!endsWithBreak) NewLine();
        }

        /// <summary>Writes a scalar (or empty collection); returns true when output already ends with a line break.</summary>
        private bool WriteScalarValue(object? v, int indent, bool simpleKey)
        {
            switch (v)
            {
                case null: _sb.Append("null"); return false;
                case bool b: _sb.Append(b ? "true" : "false"); return false;
                case long l: _sb.Append(l.ToString(CultureInfo.InvariantCulture)); return false;
                case GoInt64 n: _sb.Append(n.ToString()); return false;
                case IGoJsonValue j: return WriteScalarValue(j.JsonValue, indent, simpleKey);
                case int i: _sb.Append(i.ToString(CultureInfo.InvariantCulture)); return false;
                case double d: _sb.Append(_v3 ? V3Float(d) : YamlNumber(d)); return false;
                case string s: return WriteString(s, indent, simpleKey);
                case IDictionary<string, object?>: _sb.Append("{}"); return false;
                case IList: _sb.Append("[]"); return false;
                default: return WriteString(GoFormat.ToString(v), indent, simpleKey);
            }
        }

        private bool WriteString(string s, int indent, bool simpleKey)
        {
            var style = s.Contains('\n') ? Style.Literal : ResolvesToString(s) ? Style.Plain : Style.Double;
            var a = Analyze(s);
            if (simpleKey && a.Multiline) style = Style.Double;
            if (style == Style.Plain)
            {
                if (!a.BlockPlainAllowed) style = Style.Single;
                if (s.Length == 0 && simpleKey) style = Style.Single;
            }
            if (style == Style.Single && !a.SingleQuotedAllowed) style = Style.Double;
            if (style == Style.Literal && (!a.BlockAllowed || simpleKey)) style = Style.Double;
            bool allowBreaks = !simpleKey;
            switch (style)
            {
                case Style.Plain: WritePlain(s, indent, allowBreaks); return false;
                case Style.Single: WriteSingle(s, indent, allowBreaks); return false;
                case Style.Double: WriteDouble(s, indent, allowBreaks); return false;
                default: WriteLiteral(s, indent); return true;
            }
        }

        private void WriteIndentBreak(int indent)
        {
            NewLine();
            Indent(indent);
        }

        private void WritePlain(string s, int indent, bool allowBreaks)
        {
            bool spaces = false;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == ' ')
                {
                    if (allowBreaks && !spaces && Column > _bestWidth && !(i + 1 < s.Length && s[i + 1] == ' '))
                        WriteIndentBreak(indent);
                    else _sb.Append(c);
                    spaces = true;
                }
                else { _sb.Append(c); spaces = false; }
            }
        }

        private void WriteSingle(string s, int indent, bool allowBreaks)
        {
            _sb.Append('\'');
            bool spaces = false;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == ' ')
                {
                    if (allowBreaks && !spaces && Column > _bestWidth && i != 0 && i != s.Length - 1 && !(i + 1 < s.Length && s[i + 1] == ' '))
                        WriteIndentBreak(indent);
                    else _sb.Append(c);
                    spaces = true;
                }
                else
                {
                    if (c == '\'') _sb.Append('\'');
                    _sb.Append(c);
                    spaces = false;
                }
            }
            _sb.Append('\'');
        }

        private void WriteDouble(string s, int indent, bool allowBreaks)
        {
            _sb.Append('"');
            bool spaces = false;
            for (int i = 0; i < s.Length; i++)
            {
                int r = s[i];
                int w = 1;
                if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { r = char.ConvertToUtf32(s[i], s[i + 1]); w = 2; }
                if (!IsYamlPrintable(r) || r == 0xFEFF || IsBreak(r) || r == '"' || r == '\\')
                {
                    _sb.Append('\\');
                    switch (r)
                    {
                        case 0: _sb.Append('0'); break;
                        case 0x7: _sb.Append('a'); break;
                        case 0x8: _sb.Append('b'); break;
                        case 0x9: _sb.Append('t'); break;
                        case 0xA: _sb.Append('n'); break;
                        case 0xB: _sb.Append('v'); break;
                        case 0xC: _sb.Append('f'); break;
                        case 0xD: _sb.Append('r'); break;
                        case 0x1B: _sb.Append('e'); break;
                        case 0x22: _sb.Append('"'); break;
                        case 0x5C: _sb.Append('\\'); break;
                        case 0x85: _sb.Append('N'); break;
                        case 0xA0: _sb.Append('_'); break;
                        case 0x2028: _sb.Append('L'); break;
                        case 0x2029: _sb.Append('P'); break;
                        default:
                            if (r <= 0xFF) _sb.Append('x').Append(r.ToString("X2", CultureInfo.InvariantCulture));
                            else if (r <= 0xFFFF) _sb.Append('u').Append(r.ToString("X4", CultureInfo.InvariantCulture));
                            else _sb.Append('U').Append(r.ToString("X8", CultureInfo.InvariantCulture));
                            break;
                    }
                    spaces = false;
                }
                else if (r == ' ')
                {
                    if (allowBreaks && !spaces && Column > _bestWidth && i != 0 && i != s.Length - 1)
                    {
                        WriteIndentBreak(indent);
                        if (i + 1 < s.Length && s[i + 1] == ' ') _sb.Append('\\');
                    }
                    else _sb.Append(' ');
                    spaces = true;
                }
                else
                {
                    _sb.Append(s, i, w);
                    spaces = false;
                }
                i += w - 1;
            }
            _sb.Append('"');
        }

        private void WriteLiteral(string s, int indent)
        {
            _sb.Append('|');
            if (s.Length > 0 && (s[0] == ' ' || IsBreak(s[0]))) _sb.Append('2');
            if (s.Length == 0 || !IsBreak(s[^1])) _sb.Append('-');
            else if (s.Length == 1 || IsBreak(s[^2])) _sb.Append('+');
            NewLine();
            bool breaks = true;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (IsBreak(c))
                {
                    NewLine();
                    breaks = true;
                }
                else
                {
                    if (breaks) Indent(indent);
                    _sb.Append(c);
                    breaks = false;
                }
            }
            if (!breaks) NewLine();
        }
    }

    /// <summary>Map keys in goyaml v2's order (its keyList sorter): at the first difference, letters compare by code
    /// point, a non-letter sorts before a letter, and runs of digits compare as numbers.</summary>
    internal static string[] YamlSortedKeys(IDictionary<string, object?> m, bool v3 = false)
    {
        var keys = new string[m.Count];
        m.Keys.CopyTo(keys, 0);
        if (keys.Length > 1) Array.Sort(keys, v3 ? KeyComparisonV3 : KeyComparison);
        return keys;
    }

    private static readonly Comparison<string> KeyComparison = (a, b) => KeyLess(a, b) ? -1 : KeyLess(b, a) ? 1 : 0;
    private static readonly Comparison<string> KeyComparisonV3 = (a, b) => KeyLess(a, b, true) ? -1 : KeyLess(b, a, true) ? 1 : 0;

    /// <summary>goyaml's keyList order; v3 differs where a letter meets a non-letter: after a run of equal digits the
    /// letter sorts first.</summary>
    internal static bool KeyLess(string a, string b, bool v3 = false)
    {
        int n = Math.Min(a.Length, b.Length);
        bool digits = false;
        for (int i = 0; i < n; i++)
        {
            char ac = a[i], bc = b[i];
            if (ac == bc) { digits = char.IsDigit(ac); continue; }
            bool al = char.IsLetter(ac), bl = char.IsLetter(bc);
            if (al && bl) return ac < bc;
            if (al || bl) return v3 && digits ? al : bl;
            long an = 0, bn = 0;
            if (ac == '0' || bc == '0')
            {
                for (int j = i - 1; j >= 0 && char.IsDigit(a[j]); j--)
                {
                    if (a[j] != '0') { an = 1; bn = 1; break; }
                }
            }
            int ai = i, bi = i;
            for (; ai < a.Length && char.IsDigit(a[ai]); ai++) an = an * 10 + (a[ai] - '0');
            for (; bi < b.Length && char.IsDigit(b[bi]); bi++) bn = bn * 10 + (b[bi] - '0');
            if (an != bn) return an < bn;
            if (ai != bi) return ai < bi;
            return ac < bc;
        }
        return a.Length < b.Length;
    }

    private static bool IsBreak(int c) => c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;

    private static bool IsYamlPrintable(int r) =>
        r == 0x0A || (r >= 0x20 && r <= 0x7E) || (r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF);

    private struct ScalarAnalysis
    {
        public bool Multiline, BlockPlainAllowed, SingleQuotedAllowed, BlockAllowed;
    }

    private static ScalarAnalysis Analyze(string value)
    {
        var a = new ScalarAnalysis();
        if (value.Length == 0)
        {
            a.BlockPlainAllowed = true; a.SingleQuotedAllowed = true; a.BlockAllowed = false;
            return a;
        }
        bool blockIndicators = false, flowIndicators = false, lineBreaks = false, specialCharacters = false;
        bool leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
        bool breakSpace = false, spaceBreak = false, precededByWhitespace = true, previousSpace = false, previousBreak = false;
        if (value.StartsWith("---", StringComparison.Ordinal) || value.StartsWith("...", StringComparison.Ordinal))
        {
            blockIndicators = true; flowIndicators = true;
        }
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            int r = c;
            int w = 1;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length) { r = char.ConvertToUtf32(c, value[i + 1]); w = 2; }
            bool followedByWhitespace = i + w >= value.Length || value[i + w] == ' ' || value[i + w] == '\t';
            if (i == 0)
            {
                switch (c)
                {
                    case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*': case '!':
                    case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
                        flowIndicators = true; blockIndicators = true; break;
                    case '?': case ':':
                        flowIndicators = true;
                        if (followedByWhitespace) blockIndicators = true;
                        break;
                    case '-':
                        if (followedByWhitespace) { flowIndicators = true; blockIndicators = true; }
                        break;
                }
            }
            else
            {
                switch (c)
                {
                    case ',': case '?': case '[': case ']': case '{': case '}': flowIndicators = true; break;
                    case ':':
                        flowIndicators = true;
                        if (followedByWhitespace) blockIndicators = true;
                        break;
                    case '#':
                        if (precededByWhitespace) { flowIndicators = true; blockIndicators = true; }
                        break;
                }
            }
            if (!IsYamlPrintable(r) && !(w == 2 && r >= 0x10000 && false)) specialCharacters = true;
            if (c == ' ')
            {
                if (i == 0) leadingSpace = true;
                if (i + w == value.Length) trailingSpace = true;
                if (previousBreak) breakSpace = true;
                previousSpace = true; previousBreak = false;
            }
            else if (IsBreak(r))
            {
                lineBreaks = true;
                if (i == 0) leadingBreak = true;
                if (i + w == value.Length) trailingBreak = true;
                if (previousSpace) spaceBreak = true;
                previousSpace = false; previousBreak = true;
            }
            else { previousSpace = false; previousBreak = false; }
            precededByWhitespace = c == ' ' || c == '\t' || IsBreak(r) || c == '\0';
            i += w - 1;
        }
        a.Multiline = lineBreaks;
        a.BlockPlainAllowed = true; a.SingleQuotedAllowed = true; a.BlockAllowed = true;
        if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.BlockPlainAllowed = false;
        if (trailingSpace) a.BlockAllowed = false;
        if (breakSpace) { a.BlockPlainAllowed = false; a.SingleQuotedAllowed = false; }
        if (spaceBreak || specialCharacters) { a.BlockPlainAllowed = false; a.SingleQuotedAllowed = false; a.BlockAllowed = false; }
        if (lineBreaks) a.BlockPlainAllowed = false;
        if (blockIndicators) a.BlockPlainAllowed = false;
        _ = flowIndicators;
        return a;
    }

    /// <summary>goyaml v3's floatv: strconv's shortest 'g' form, infinities and NaN as YAML writes them.</summary>
    private static string V3Float(double d) =>
        double.IsNaN(d) ? ".nan" : double.IsPositiveInfinity(d) ? ".inf" : double.IsNegativeInfinity(d) ? "-.inf" : GoFormat.FormatFloat(d, 'g', -1);

    /// <summary>How a float64 comes out of sigs.k8s.io/yaml (JSON text re-read by goyaml v2).</summary>
    internal static string YamlNumber(double d)
    {
        if (double.IsNaN(d)) return ".nan";
        if (double.IsPositiveInfinity(d)) return ".inf";
        if (double.IsNegativeInfinity(d)) return "-.inf";
        string json = JsonFloat(d);
        if (Parser.TryParseGoInt(json, out long l)) return l.ToString(CultureInfo.InvariantCulture);
        // goyaml v2 resolves integers beyond int64 that fit uint64 as uint64, printed in full.
        if (ulong.TryParse(json, NumberStyles.None, CultureInfo.InvariantCulture, out _)) return json;
        var f = double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
        return GoFormat.FormatFloat(f, 'g', -1);
    }
}
