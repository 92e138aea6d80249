using System.Collections.Frozen;
using System.Text;

namespace IstioPS.Rendering.GoTemplate;

internal enum TokenType
{
    Text, LeftDelim, RightDelim, Space, Identifier, Field, Variable, String, RawString, Char, Number,
    Bool, Nil, Dot, Pipe, LeftParen, RightParen, Declare, Assign, Comma,
    If, Else, End, Range, With, Define, Template, Block, Break, Continue, Eof,
}

internal readonly record struct Token(TokenType Type, string Value, int Line, int Pos = -1);

/// <summary>Go text/template lexer: text and actions delimited by {{ }}, with trim markers and comments.</summary>
internal sealed class Lexer
{
    private const string LeftDelim = "{{";
    private const string RightDelim = "}}";
    private readonly string _src;
    private readonly string _name;
    private int _pos;
    private int _line = 1;
    private readonly List<Token> _tokens = new();
    private int _parenDepth;

    private Lexer(string name, string src) { _name = name; _src = src; }

    public static List<Token> Lex(string name, string src)
    {
        var l = new Lexer(name, src);
        l.Run();
        return l._tokens;
    }

    private RenderException Error(string message) =>
        new(RenderErrorIds.TemplateParseError, $"template: {_name}:{_line}: {message}", _name, _line);

    private static bool IsSpace(char c) => c == ' ' || c == '\t' || c == '\r' || c == '\n';

    private int CountLines(int from, int to)
    {
        int n = 0;
        for (int i = from; i < to; i++) if (_src[i] == '\n') n++;
        return n;
    }

    private void Run()
    {
        bool trimNextText = false;
        while (_pos <= _src.Length)
        {
            int next = _src.IndexOf(LeftDelim, _pos, StringComparison.Ordinal);
            int textEnd = next < 0 ? _src.Length : next;
            int textStart = _pos;
            bool trimLeft = next >= 0 && HasLeftTrim(next);
            int effectiveEnd = textEnd;
            if (trimLeft) while (effectiveEnd > textStart && IsSpace(_src[effectiveEnd - 1])) effectiveEnd--;
            int effectiveStart = textStart;
            if (trimNextText) while (effectiveStart < effectiveEnd && IsSpace(_src[effectiveStart])) effectiveStart++;
            if (effectiveEnd > effectiveStart)
            {
                int startLine = _line + CountLines(textStart, effectiveStart);
                _tokens.Add(new Token(TokenType.Text, _src.Substring(effectiveStart, effectiveEnd - effectiveStart), startLine, effectiveStart));
            }
            _line += CountLines(textStart, textEnd);
            if (next < 0) break;
            _pos = next + LeftDelim.Length;
            if (trimLeft) _pos += 2;
            trimNextText = LexAction();
        }
        _tokens.Add(new Token(TokenType.Eof, "", _line, _src.Length));
    }

    private bool HasLeftTrim(int delimPos)
    {
        int p = delimPos + LeftDelim.Length;
        return p + 1 < _src.Length && _src[p] == '-' && IsSpace(_src[p + 1]);
    }

    /// <summary>Right trim marker " -}}" at position p?</summary>
    private bool AtRightTrim(int p) =>
        p + 2 + RightDelim.Length <= _src.Length && IsSpace(_src[p]) && _src[p + 1] == '-' &&
        string.CompareOrdinal(_src, p + 2, RightDelim, 0, RightDelim.Length) == 0;

    private bool AtRightDelim(int p) => string.CompareOrdinal(_src, p, RightDelim, 0, RightDelim.Length) == 0;

    /// <summary>Lexes one action after the left delimiter; returns whether the right delimiter trims.</summary>
    private bool LexAction()
    {
        // Comment?
        if (string.CompareOrdinal(_src, _pos, "/*", 0, 2) == 0)
        {
            int end = _src.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
            if (end < 0) throw Error("unclosed comment");
            _line += CountLines(_pos, end);
            _pos = end + 2;
            if (AtRightTrim(_pos)) { _pos += 2 + RightDelim.Length; return true; }
            if (AtRightDelim(_pos)) { _pos += RightDelim.Length; return false; }
            throw Error("comment ends before closing delimiter");
        }
        _tokens.Add(new Token(TokenType.LeftDelim, LeftDelim, _line, _pos));
        _parenDepth = 0;
        while (true)
        {
            if (_pos >= _src.Length) throw Error("unclosed action");
            if (AtRightTrim(_pos) && _parenDepth == 0)
            {
                _pos += 2 + RightDelim.Length;
                _tokens.Add(new Token(TokenType.RightDelim, RightDelim, _line, _pos));
                return true;
            }
            if (AtRightDelim(_pos))
            {
                if (_parenDepth != 0) throw Error("unclosed left paren");
                _pos += RightDelim.Length;
                _tokens.Add(new Token(TokenType.RightDelim, RightDelim, _line, _pos));
                return false;
            }
            char c = _src[_pos];
            if (IsSpace(c))
            {
                int start = _pos;
                while (_pos < _src.Length && IsSpace(_src[_pos]) && !AtRightTrim(_pos)) _pos++;
                if (_pos == start) { _pos++; }
                _tokens.Add(new Token(TokenType.Space, " ", _line, start));
                _line += CountLines(start, _pos);
                continue;
            }
            switch (c)
            {
                case '|': Emit(TokenType.Pipe, "|", 1); continue;
                case ',': Emit(TokenType.Comma, ",", 1); continue;
                case '(': _parenDepth++; Emit(TokenType.LeftParen, "(", 1); continue;
                case ')':
                    _parenDepth--;
                    if (_parenDepth < 0) throw Error("unexpected right paren");
                    Emit(TokenType.RightParen, ")", 1); continue;
                case ':':
                    if (_pos + 1 < _src.Length && _src[_pos + 1] == '=') { Emit(TokenType.Declare, ":=", 2); continue; }
                    throw Error("expected :=");
                case '=': Emit(TokenType.Assign, "=", 1); continue;
                case '"': LexQuote(); continue;
                case '`': LexRawQuote(); continue;
                case '\'': LexChar(); continue;
                case '$': LexVariable(); continue;
                case '.':
                    if (_pos + 1 < _src.Length && char.IsDigit(_src[_pos + 1]) && !PrevIsOperand()) { LexNumber(); continue; }
                    LexField(); continue;
            }
            if (c == '+' || c == '-' || char.IsDigit(c)) { LexNumber(); continue; }
            if (IsAlphaNumeric(c)) { LexIdentifier(); continue; }
            throw Error($"unexpected \"{c}\" in command");
        }
    }

    private bool PrevIsOperand()
    {
        if (_tokens.Count == 0) return false;
        var t = _tokens[^1].Type;
        return t is TokenType.Field or TokenType.Variable or TokenType.RightParen or TokenType.Identifier or TokenType.Dot;
    }

    private void Emit(TokenType type, string value, int len)
    {
        _tokens.Add(new Token(type, value, _line, _pos));
        _pos += len;
    }

    internal static bool IsAlphaNumeric(char c) => c == '_' || char.IsLetterOrDigit(c);

    private void LexQuote() => LexQuoted('"', TokenType.String, "unterminated quoted string");

    private void LexChar() => LexQuoted('\'', TokenType.Char, "unterminated character constant");

    /// <summary>A quoted literal on one line, honouring backslash escapes.</summary>
    private void LexQuoted(char quote, TokenType type, string unterminated)
    {
        int start = _pos;
        _pos++;
        while (true)
        {
            if (_pos >= _src.Length || _src[_pos] == '\n') throw Error(unterminated);
            char c = _src[_pos];
            if (c == '\\') { _pos += 2; continue; }
            _pos++;
            if (c == quote) break;
        }
        _tokens.Add(new Token(type, _src.Substring(start, _pos - start), _line, start));
    }

    private void LexRawQuote()
    {
        int start = _pos;
        int end = _src.IndexOf('`', _pos + 1);
        if (end < 0) throw Error("unterminated raw quoted string");
        _pos = end + 1;
        _tokens.Add(new Token(TokenType.RawString, _src.Substring(start, _pos - start), _line, start));
        _line += CountLines(start, _pos);
    }

    private void LexVariable()
    {
        int start = _pos;
        _pos++;
        while (_pos < _src.Length && IsAlphaNumeric(_src[_pos])) _pos++;
        _tokens.Add(new Token(TokenType.Variable, _src.Substring(start, _pos - start), _line, start));
    }

    private void LexField()
    {
        int start = _pos;
        _pos++;
        while (_pos < _src.Length && IsAlphaNumeric(_src[_pos])) _pos++;
        if (_pos == start + 1)
        {
            _tokens.Add(new Token(TokenType.Dot, ".", _line, start));
            return;
        }
        _tokens.Add(new Token(TokenType.Field, _src.Substring(start, _pos - start), _line, start));
    }

    private void LexNumber()
    {
        int start = _pos;
        if (_src[_pos] == '+' || _src[_pos] == '-') _pos++;
        string digits = "0123456789_";
        if (_pos + 1 < _src.Length && _src[_pos] == '0' && "xXoObB".IndexOf(_src[_pos + 1]) >= 0)
        {
            char b = char.ToLowerInvariant(_src[_pos + 1]);
            digits = b == 'x' ? "0123456789abcdefABCDEF_" : b == 'o' ? "01234567_" : "01_";
            _pos += 2;
        }
        while (_pos < _src.Length && digits.IndexOf(_src[_pos]) >= 0) _pos++;
        if (_pos < _src.Length && _src[_pos] == '.') { _pos++; while (_pos < _src.Length && digits.IndexOf(_src[_pos]) >= 0) _pos++; }
        if (digits.Length <= 11 && _pos < _src.Length && (_src[_pos] == 'e' || _src[_pos] == 'E'))
        {
            _pos++;
            if (_pos < _src.Length && (_src[_pos] == '+' || _src[_pos] == '-')) _pos++;
            while (_pos < _src.Length && char.IsDigit(_src[_pos])) _pos++;
        }
        if (digits.Length > 11 && _pos < _src.Length && (_src[_pos] == 'p' || _src[_pos] == 'P'))
        {
            _pos++;
            if (_pos < _src.Length && (_src[_pos] == '+' || _src[_pos] == '-')) _pos++;
            while (_pos < _src.Length && char.IsDigit(_src[_pos])) _pos++;
        }
        if (_pos < _src.Length && _src[_pos] == 'i') _pos++;
        if (_pos < _src.Length && IsAlphaNumeric(_src[_pos]))
        {
            _pos++;
            throw Error($"bad number syntax: \"{_src.Substring(start, _pos - start)}\"");
        }
        _tokens.Add(new Token(TokenType.Number, _src.Substring(start, _pos - start), _line, start));
    }

    private static readonly FrozenDictionary<string, TokenType> Keywords = new Dictionary<string, TokenType>(StringComparer.Ordinal)
    {
        ["if"] = TokenType.If, ["else"] = TokenType.Else, ["end"] = TokenType.End, ["range"] = TokenType.Range,
        ["with"] = TokenType.With, ["define"] = TokenType.Define, ["template"] = TokenType.Template,
        ["block"] = TokenType.Block, ["break"] = TokenType.Break, ["continue"] = TokenType.Continue,
        ["nil"] = TokenType.Nil, ["true"] = TokenType.Bool, ["false"] = TokenType.Bool,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private void LexIdentifier()
    {
        int start = _pos;
        while (_pos < _src.Length && IsAlphaNumeric(_src[_pos])) _pos++;
        string word = _src.Substring(start, _pos - start);
        if (_pos < _src.Length && !IsTerminator(_src[_pos]))
            throw Error($"bad character {GoFormat.QuoteRune(_src[_pos])}");
        _tokens.Add(new Token(Keywords.TryGetValue(word, out var kw) ? kw : TokenType.Identifier, word, _line, start));
    }

    private bool IsTerminator(char c)
    {
        if (IsSpace(c)) return true;
        switch (c)
        {
            case '.': case ',': case '|': case ':': case ')': case '(': case '=': return true;
        }
        return AtRightDelim(_pos);
    }

    /// <summary>Decodes a Go interpreted string literal (with quotes).</summary>
    internal static string Unquote(string quoted)
    {
        var sb = new StringBuilder(quoted.Length);
        for (int i = 1; i < quoted.Length - 1; i++)
        {
            char c = quoted[i];
            if (c != '\\') { sb.Append(c); continue; }
            char e = quoted[++i];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '"': sb.Append('"'); break;
                case '\'': sb.Append('\''); break;
                case 'x': sb.Append((char)Convert.ToInt32(quoted.Substring(i + 1, 2), 16)); i += 2; break;
                case 'u': sb.Append(char.ConvertFromUtf32(Convert.ToInt32(quoted.Substring(i + 1, 4), 16))); i += 4; break;
                case 'U': sb.Append(char.ConvertFromUtf32(Convert.ToInt32(quoted.Substring(i + 1, 8), 16))); i += 8; break;
                default:
                    if (e >= '0' && e <= '7') { sb.Append((char)Convert.ToInt32(quoted.Substring(i, 3), 8)); i += 2; break; }
                    throw new FormatException("invalid syntax");
            }
        }
        return sb.ToString();
    }
}
