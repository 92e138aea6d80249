using System.Globalization;
using System.Text;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Yaml;

/// <summary>A fast reader for the block-style YAML that charts and toYaml produce (mappings, sequences, plain,
/// quoted and literal scalars, comments, empty flow collections). Anything else (anchors, tags, flow collections
/// with content, folded scalars, tabs...) makes it give up so the full YamlDotNet path parses the text instead.</summary>
internal sealed class FastYamlReader
{
    private sealed class Unsupported : Exception { }

    private readonly string _s;
    private readonly List<int> _lineStart = new();
    private int _li;

    private FastYamlReader(string s)
    {
        _s = s;
        _lineStart.Add(0);
        for (int i = 0; i < s.Length; i++) if (s[i] == '\n') _lineStart.Add(i + 1);
    }

    /// <summary>Parses all documents, or returns false when the text uses YAML this reader does not handle.</summary>
    public static bool TryParseAll(string text, out List<object?> docs)
    {
        docs = new List<object?>();
        if (text.IndexOf('\t') >= 0 || text.IndexOf('\r') >= 0 || text.IndexOf('\uFEFF') >= 0) return false;
        try
        {
            docs = new FastYamlReader(text).ParseStream();
            return true;
        }
        catch (Unsupported) { return false; }
    }

    private int LineCount => _lineStart.Count;
    private int LineEnd(int li) => li + 1 < _lineStart.Count ? _lineStart[li + 1] - 1 : _s.Length;
    private int LineLength(int li) => LineEnd(li) - _lineStart[li];
    private char At(int li, int col) => col < LineLength(li) ? _s[_lineStart[li] + col] : '\n';
    private string Rest(int li, int col) => col < LineLength(li) ? _s.Substring(_lineStart[li] + col, LineLength(li) - col) : "";

    private int Indent(int li)
    {
        int n = 0;
        while (n < LineLength(li) && _s[_lineStart[li] + n] == ' ') n++;
        return n;
    }

    private bool IsBlankOrComment(int li)
    {
        int i = Indent(li);
        return i >= LineLength(li) || At(li, i) == '#';
    }

    private bool IsDocMarker(int li, out bool end)
    {
        end = false;
        if (LineLength(li) < 3) return false;
        int st = _lineStart[li];
        bool dashes = _s[st] == '-' && _s[st + 1] == '-' && _s[st + 2] == '-';
        bool dots = _s[st] == '.' && _s[st + 1] == '.' && _s[st + 2] == '.';
        if (!dashes && !dots) return false;
        if (LineLength(li) > 3 && _s[st + 3] != ' ') return false;
        string rest = Rest(li, 3).Trim();
        if (rest.Length > 0 && rest[0] != '#') throw new Unsupported();
        end = dots;
        return true;
    }

    /// <summary>Moves to the next line with content (not blank, not a comment). Returns false at the end or a document marker.</summary>
    private bool NextContent()
    {
        while (_li < LineCount)
        {
            if (IsDocMarker(_li, out _)) return false;
            if (!IsBlankOrComment(_li)) return true;
            _li++;
        }
        return false;
    }

    private List<object?> ParseStream()
    {
        var docs = new List<object?>();
        _li = 0;
        while (true)
        {
            bool explicitStart = false;
            while (_li < LineCount)
            {
                if (IsDocMarker(_li, out bool isEnd))
                {
                    _li++;
                    if (!isEnd) { explicitStart = true; break; }
                    continue;
                }
                if (!IsBlankOrComment(_li)) break;
                _li++;
            }
            if (_li >= LineCount && !explicitStart) break;
            if (!NextContent())
            {
                if (explicitStart) docs.Add(null);
                if (_li >= LineCount) break;
                continue;
            }
            int ind = Indent(_li);
            docs.Add(ParseBlockNode(ind, -1));
            if (NextContent()) throw new Unsupported();
            if (_li >= LineCount) break;
        }
        return docs;
    }

    private object? ParseBlockNode(int ind, int parentIndent)
    {
        if (IsSeqItem(_li, ind)) return ParseSequence(ind, ind);
        if (TryKey(_li, ind, out _, out _)) return ParseMapping(ind, ind);
        var v = ParseScalar(_li, ind, parentIndent, out int lastLine);
        _li = lastLine;
        return v;
    }

    private bool IsSeqItem(int li, int col) => At(li, col) == '-' && (At(li, col + 1) == ' ' || At(li, col + 1) == '\n');

    /// <summary>Nesting of the collection being read; deeper than <see cref="YamlBudget.MaxDepth"/> is left to the full reader, which reports it.</summary>
    private int _depth;

    private void Enter()
    {
        if (++_depth > YamlBudget.MaxDepth) throw new Unsupported();
    }

    private List<object?> ParseSequence(int ind, int col)
    {
        Enter();
        var list = ParseSequenceItems(ind, col);
        _depth--;
        return list;
    }

    private Dictionary<string, object?> ParseMapping(int ind, int col)
    {
        Enter();
        var map = ParseMappingEntries(ind, col);
        _depth--;
        return map;
    }

    private List<object?> ParseSequenceItems(int ind, int col)
    {
        var list = new List<object?>();
        while (true)
        {
            if (!IsSeqItem(_li, col)) throw new Unsupported();
            list.Add(ParseValue(_li, col + 1, ind, inSequence: true));
            if (!NextContent()) return list;
            int i = Indent(_li);
            if (i < ind) return list;
            if (i > ind) throw new Unsupported();
            if (!IsSeqItem(_li, i)) return list;
            col = i;
        }
    }

    private Dictionary<string, object?> ParseMappingEntries(int ind, int col)
    {
        var map = GoValues.NewMap();
        while (true)
        {
            if (!TryKey(_li, col, out string key, out int afterColon)) throw new Unsupported();
            if (key == "<<") throw new Unsupported();
            map[key] = ParseValue(_li, afterColon, ind, inSequence: false);
            if (!NextContent()) return map;
            int i = Indent(_li);
            if (i < ind) return map;
            if (i > ind) throw new Unsupported();
            if (!TryKey(_li, i, out _, out _))
            {
                if (IsSeqItem(_li, i)) return map;
                throw new Unsupported();
            }
            col = i;
        }
    }

    /// <summary>A mapping key at (li, col): plain or quoted on one line, followed by ':' and a space or the line end.</summary>
    private bool TryKey(int li, int col, out string key, out int afterColon)
    {
        key = ""; afterColon = 0;
        char c = At(li, col);
        if (c == '"' || c == '\'')
        {
            int end = col;
            string? q = TryQuotedOnLine(li, col, ref end);
            if (q == null) return false;
            int p = end;
            while (At(li, p) == ' ') p++;
            if (At(li, p) != ':' || (At(li, p + 1) != ' ' && At(li, p + 1) != '\n')) return false;
            key = q; afterColon = p + 1;
            return true;
        }
        if (c == '\n' || c == '#' || c == '-' && (At(li, col + 1) == ' ' || At(li, col + 1) == '\n')) return false;
        int len = LineLength(li);
        int st = _lineStart[li];
        for (int i = col; i < len; i++)
        {
            char ch = _s[st + i];
            if (ch == '#' && i > col && _s[st + i - 1] == ' ') return false;
            if (ch == ':' && (i + 1 == len || _s[st + i + 1] == ' '))
            {
                string raw = _s.Substring(st + col, i - col).TrimEnd(' ');
                if (raw.Length == 0) throw new Unsupported();
                if ("?:[]{},&*!|>%@`".IndexOf(raw[0]) >= 0) throw new Unsupported();
                key = KeyOf(raw);
                afterColon = i + 1;
                return true;
            }
        }
        return false;
    }

    private static string KeyOf(string plain)
    {
        var v = GoYaml.Resolve(plain, out _);
        return v switch
        {
            null => "null",
            string s => s,
            bool b => b ? "true" : "false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => GoYaml.JsonFloat(d),
            _ => plain,
        };
    }

    /// <summary>The value after "key:" or "-": inline, or a block on the following lines.</summary>
    private object? ParseValue(int li, int col, int parentIndent, bool inSequence)
    {
        int c = col;
        while (At(li, c) == ' ') c++;
        char first = At(li, c);
        if (first == '\n' || first == '#' && c > col)
        {
            _li = li + 1;
            if (!NextContent()) return null;
            int i = Indent(_li);
            if (i > parentIndent) return ParseBlockNode(i, parentIndent);
            if (i == parentIndent && !inSequence && IsSeqItem(_li, i)) return ParseSequence(i, i);
            return null;
        }
        if (first == '#') throw new Unsupported();
        if (inSequence)
        {
            if (IsSeqItem(li, c)) { _li = li; return ParseSequence(c, c); }
            if (TryKey(li, c, out _, out _)) { _li = li; return ParseMapping(c, c); }
        }
        var v = ParseScalar(li, c, parentIndent, out int lastLine);
        _li = lastLine;
        return v;
    }

    /// <summary>A scalar starting at (li, col); continuation lines must be indented more than <paramref name="parentIndent"/>.
    /// Leaves nothing consumed after <paramref name="lastLine"/> (the line after it is the next to look at).</summary>
    private object? ParseScalar(int li, int col, int parentIndent, out int lastLine)
    {
        char c = At(li, col);
        switch (c)
        {
            case '"':
            case '\'':
                {
                    var (text, endLine, endCol) = ParseQuoted(li, col, parentIndent);
                    string rest = Rest(endLine, endCol).TrimStart(' ');
                    if (rest.Length > 0 && rest[0] != '#') throw new Unsupported();
                    lastLine = endLine + 1;
                    return text;
                }
            case '|':
                return ParseLiteral(li, col, parentIndent, out lastLine);
            case '[':
            case '{':
                {
                    int end = col;
                    var flow = ParseFlow(li, ref end);
                    string rest = Rest(li, end).TrimStart(' ');
                    if (rest.Length > 0 && rest[0] != '#') throw new Unsupported();
                    lastLine = li + 1;
                    return flow;
                }
            case '>': case '&': case '*': case '!': case '%': case '@': case '`': case ',': case ']': case '}':
                throw new Unsupported();
            case '?':
            case ':':
            case '-':
                if (At(li, col + 1) == ' ' || At(li, col + 1) == '\n') throw new Unsupported();
                break;
        }
        // Plain scalar, possibly over several lines.
        var sb = new StringBuilder(PlainLine(li, col));
        int line = li;
        int pendingBreaks = 0;
        for (int next = li + 1; next < LineCount; next++)
        {
            if (IsDocMarker(next, out _)) break;
            int ind = Indent(next);
            if (ind >= LineLength(next)) { pendingBreaks++; continue; }
            if (ind <= parentIndent || At(next, ind) == '#') break;
            string part = PlainLine(next, ind);
            if (pendingBreaks > 0) sb.Append('\n', pendingBreaks); else sb.Append(' ');
            sb.Append(part);
            pendingBreaks = 0;
            line = next;
        }
        lastLine = line + 1;
        string s = sb.ToString();
        return GoYaml.ResolvePlain(s);
    }

    /// <summary>One line of a plain scalar: up to a comment, trimmed; ": " inside is not plain YAML here.</summary>
    private string PlainLine(int li, int col)
    {
        string text = StripComment(Rest(li, col)).TrimEnd(' ');
        if (text.Contains(": ", StringComparison.Ordinal) || text.EndsWith(':')) throw new Unsupported();
        return text;
    }

    private static string StripComment(string s)
    {
        for (int i = 1; i < s.Length; i++) if (s[i] == '#' && s[i - 1] == ' ') return s.Substring(0, i);
        return s;
    }

    private string? TryQuotedOnLine(int li, int col, ref int end)
    {
        char q = At(li, col);
        int len = LineLength(li);
        int st = _lineStart[li];
        for (int i = col + 1; i < len; i++)
        {
            char ch = _s[st + i];
            if (q == '\'' && ch == '\'')
            {
                if (i + 1 < len && _s[st + i + 1] == '\'') { i++; continue; }
                end = i + 1;
                return _s.Substring(st + col + 1, i - col - 1).Replace("''", "'");
            }
            if (q == '"')
            {
                if (ch == '\\') { i++; continue; }
                if (ch == '"')
                {
                    end = i + 1;
                    var (text, _, _) = ParseQuoted(li, col, -1);
                    return text;
                }
            }
        }
        return null;
    }

    /// <summary>A single- or double-quoted scalar, possibly over several lines (line folding as YAML defines it).</summary>
    private (string Text, int EndLine, int EndCol) ParseQuoted(int li, int col, int parentIndent)
    {
        char q = At(li, col);
        var sb = new StringBuilder();
        int line = li;
        int i = col + 1;
        while (true)
        {
            if (line >= LineCount) throw new Unsupported();
            int len = LineLength(line);
            int st = _lineStart[line];
            if (i >= len)
            {
                // Line break inside the quotes: trim trailing spaces, fold.
                int trimmed = sb.Length;
                while (trimmed > 0 && sb[trimmed - 1] == ' ' && !_escapedSpaceAt.Contains(trimmed - 1)) trimmed--;
                sb.Length = trimmed;
                int breaks = 0;
                line++;
                while (line < LineCount && Indent(line) >= LineLength(line)) { breaks++; line++; }
                if (line >= LineCount) throw new Unsupported();
                if (IsDocMarker(line, out _)) throw new Unsupported();
                if (breaks > 0) sb.Append('\n', breaks); else sb.Append(' ');
                i = Indent(line);
                continue;
            }
            char ch = _s[st + i];
            if (q == '\'')
            {
                if (ch == '\'')
                {
                    if (i + 1 < len && _s[st + i + 1] == '\'') { sb.Append('\''); i += 2; continue; }
                    _escapedSpaceAt.Clear();
                    return (sb.ToString(), line, i + 1);
                }
                sb.Append(ch); i++;
                continue;
            }
            if (ch == '"') { _escapedSpaceAt.Clear(); return (sb.ToString(), line, i + 1); }
            if (ch != '\\') { sb.Append(ch); i++; continue; }
            if (i + 1 >= len)
            {
                // Escaped line break: join without a space, dropping the next line's indentation.
                line++;
                if (line >= LineCount) throw new Unsupported();
                i = Indent(line);
                continue;
            }
            char e = _s[st + i + 1];
            i += 2;
            switch (e)
            {
                case '0': sb.Append('\0'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'v': sb.Append('\v'); break;
                case 'f': sb.Append('\f'); break;
                case 'r': sb.Append('\r'); break;
                case 'e': sb.Append('\x1b'); break;
                case ' ': _escapedSpaceAt.Add(sb.Length); sb.Append(' '); break;
                case '"': sb.Append('"'); break;
                case '/': sb.Append('/'); break;
                case '\\': sb.Append('\\'); break;
                case 'N': sb.Append('\u0085'); break;
                case '_': sb.Append('\u00a0'); break;
                case 'L': sb.Append('\u2028'); break;
                case 'P': sb.Append('\u2029'); break;
                case 'x': case 'u': case 'U':
                    {
                        int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                        if (i + n > len || !int.TryParse(_s.AsSpan(st + i, n), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int cp))
                            throw new Unsupported();
                        sb.Append(char.ConvertFromUtf32(cp));
                        i += n;
                        break;
                    }
                default: throw new Unsupported();
            }
        }
    }

    private readonly HashSet<int> _escapedSpaceAt = new();

    /// <summary>A literal block scalar ("|", "|-", "|+", "|2-" ...).</summary>
    private object? ParseLiteral(int li, int col, int parentIndent, out int lastLine)
    {
        string header = StripComment(Rest(li, col + 1)).TrimEnd(' ');
        char chomp = ' ';
        int indicator = 0;
        foreach (char h in header)
        {
            if (h == '-' || h == '+') { if (chomp != ' ') throw new Unsupported(); chomp = h; }
            else if (h >= '1' && h <= '9') { if (indicator != 0) throw new Unsupported(); indicator = h - '0'; }
            else throw new Unsupported();
        }
        int contentIndent;
        int line = li + 1;
        if (indicator > 0)
        {
            if (parentIndent < 0) throw new Unsupported();
            contentIndent = parentIndent + indicator;
        }
        else
        {
            int probe = line;
            int maxBlank = 0;
            while (probe < LineCount && Indent(probe) >= LineLength(probe)) { maxBlank = Math.Max(maxBlank, LineLength(probe)); probe++; }
            contentIndent = probe < LineCount && !IsDocMarker(probe, out _) ? Indent(probe) : 0;
            if (contentIndent <= parentIndent) contentIndent = parentIndent + 1;
            if (maxBlank > contentIndent) throw new Unsupported();
        }
        var sb = new StringBuilder();
        int trailingBreaks = 0;
        bool any = false;
        int lastContent = li;
        while (line < LineCount)
        {
            int len = LineLength(line);
            int ind = Indent(line);
            if (ind >= len)
            {
                if (len > contentIndent) { FlushBreaks(sb, ref trailingBreaks, any); sb.Append(' ', len - contentIndent); any = true; trailingBreaks = 1; lastContent = line; line++; continue; }
                if (line < LineCount - 1) trailingBreaks++; // the text's last segment has no line break of its own
                line++;
                continue;
            }
            if (ind < contentIndent || IsDocMarker(line, out _)) break;
            FlushBreaks(sb, ref trailingBreaks, any);
            sb.Append(_s, _lineStart[line] + contentIndent, len - contentIndent);
            any = true;
            trailingBreaks = line < LineCount - 1 ? 1 : 0; // the last line of the text may lack its line break
            lastContent = line;
            line++;
        }
        string body = sb.ToString();
        switch (chomp)
        {
            case '-': break;
            case '+': body += new string('\n', trailingBreaks); break;
            default: if (any && trailingBreaks > 0) body += "\n"; break;
        }
        lastLine = chomp == '+' ? line : lastContent + 1;
        if (chomp == '+' && !any) lastLine = line;
        return body;
    }

    /// <summary>A flow collection or scalar on one line ("[a, "b"]", "{k: v}"); <paramref name="col"/> moves past it.</summary>
    private object? ParseFlow(int li, ref int col)
    {
        while (At(li, col) == ' ') col++;
        char c = At(li, col);
        if (c == '[' || c == '{')
        {
            Enter();
            var collection = ParseFlowCollection(li, ref col, c);
            _depth--;
            return collection;
        }
        return ParseFlowScalar(li, ref col, c);
    }

    private object? ParseFlowCollection(int li, ref int col, char c)
    {
        {
            bool isMap = c == '{';
            char close = isMap ? '}' : ']';
            var list = new List<object?>();
            var map = GoValues.NewMap();
            col++;
            while (true)
            {
                while (At(li, col) == ' ') col++;
                if (At(li, col) == close) { col++; return isMap ? map : list; }
                var item = ParseFlow(li, ref col);
                while (At(li, col) == ' ') col++;
                if (isMap)
                {
                    object? value = null;
                    if (At(li, col) == ':')
                    {
                        col++;
                        while (At(li, col) == ' ') col++;
                        if (At(li, col) != ',' && At(li, col) != close) value = ParseFlow(li, ref col);
                        while (At(li, col) == ' ') col++;
                    }
                    if (item is IDictionary<string, object?> || item is List<object?>) throw new Unsupported();
                    string key = item switch
                    {
                        null => "null",
                        string ks => ks,
                        bool b => b ? "true" : "false",
                        double d => GoYaml.JsonFloat(d),
                        _ => throw new Unsupported(),
                    };
                    map[key] = value;
                }
                else
                {
                    if (At(li, col) == ':') throw new Unsupported();
                    list.Add(item);
                }
                if (At(li, col) == ',') { col++; continue; }
                if (At(li, col) == close) { col++; return isMap ? map : list; }
                throw new Unsupported();
            }
        }
    }

    private object? ParseFlowScalar(int li, ref int col, char c)
    {
        if (c == '"' || c == '\'')
        {
            int end = col;
            string? q = TryQuotedOnLine(li, col, ref end) ?? throw new Unsupported();
            col = end;
            return q;
        }
        if ("&*!|>%@`#,]}\n".IndexOf(c) >= 0) throw new Unsupported();
        int start = col;
        int len = LineLength(li);
        int st = _lineStart[li];
        while (col < len)
        {
            char ch = _s[st + col];
            if (ch == ',' || ch == ']' || ch == '}' || ch == '[' || ch == '{') break;
            if (ch == ':' && (col + 1 >= len || " ,]}".IndexOf(_s[st + col + 1]) >= 0)) break;
            if (ch == '#' && col > start && _s[st + col - 1] == ' ') throw new Unsupported();
            col++;
        }
        string plain = _s.Substring(st + start, col - start).TrimEnd(' ');
        if (plain.Length == 0) throw new Unsupported();
        return GoYaml.ResolvePlain(plain);
    }

    private static void FlushBreaks(StringBuilder sb, ref int breaks, bool any)
    {
        if (any) sb.Append('\n', breaks);
        else if (breaks > 0) sb.Append('\n', breaks);
        breaks = 0;
    }
}
