using System.Globalization;

namespace IstioPS.Rendering.GoTemplate;

/// <summary>A named template body and the source file it came from.</summary>
public sealed class TemplateDefinition
{
    public TemplateDefinition(string name, string sourceName, ListNode root, string source = "")
    {
        Name = name; SourceName = sourceName; Root = root; Source = source;
    }

    public string Name { get; }
    public string SourceName { get; }
    public ListNode Root { get; }

    /// <summary>The whole text the template was parsed from (for Go's line:column error locations).</summary>
    public string Source { get; }

    /// <summary>Go's ErrorContext location: "source:line:column", the column a 0-based byte offset in its line.</summary>
    public string Location(int pos)
    {
        if (pos < 0 || pos > Source.Length) return SourceName;
        int lastNl = pos == 0 ? -1 : Source.LastIndexOf('\n', pos - 1);
        int line = 1;
        for (int i = 0; i < pos; i++) if (Source[i] == '\n') line++;
        int col = System.Text.Encoding.UTF8.GetByteCount(Source.AsSpan(lastNl + 1, pos - lastNl - 1));
        return $"{SourceName}:{line}:{col}";
    }
}

/// <summary>Go text/template parser producing <see cref="TemplateDefinition"/>s.</summary>
internal sealed class Parser
{
    private readonly string _name;
    private readonly string _source;
    private readonly List<Token> _tokens;
    private readonly Func<string, bool> _hasFunction;
    private readonly Action<TemplateDefinition> _define;
    private int _pos;
    private readonly List<string> _vars = new() { "$" };
    private int _rangeDepth;

    private Parser(string name, string source, List<Token> tokens, Func<string, bool> hasFunction, Action<TemplateDefinition> define)
    {
        _name = name; _source = source; _tokens = tokens; _hasFunction = hasFunction; _define = define;
    }

    /// <summary>Parses <paramref name="source"/>; the main body is returned, each define is passed to <paramref name="define"/>.</summary>
    public static ListNode Parse(string name, string source, Func<string, bool> hasFunction, Action<TemplateDefinition> define)
    {
        var tokens = Lexer.Lex(name, source);
        var p = new Parser(name, source, tokens, hasFunction, define);
        return p.ParseTop();
    }

    private Token Next() => _tokens[_pos++];
    private Token Peek() => _tokens[_pos];
    private void Backup() => _pos--;

    private Token NextNonSpace()
    {
        Token t;
        do { t = Next(); } while (t.Type == TokenType.Space);
        return t;
    }

    private Token PeekNonSpace()
    {
        var t = NextNonSpace();
        Backup();
        return t;
    }

    private RenderException Error(int line, string message, string id = RenderErrorIds.TemplateParseError) =>
        new(id, $"template: {_name}:{line}: {message}", _name, line);

    private Token Expect(TokenType type, string context)
    {
        var t = NextNonSpace();
        if (t.Type != type) throw Unexpected(t, context);
        return t;
    }

    private RenderException Unexpected(Token t, string context)
    {
        string desc = t.Type switch
        {
            TokenType.Eof => "EOF",
            TokenType.RightDelim => "\"}}\"",
            TokenType.LeftDelim => "\"{{\"",
            TokenType.Space => "space",
            _ => $"\"{t.Value}\"",
        };
        if (t.Type == TokenType.Eof) return Error(t.Line, $"unexpected EOF");
        return Error(t.Line, $"unexpected {desc} in {context}");
    }

    private ListNode ParseTop()
    {
        var root = new ListNode(1);
        while (Peek().Type != TokenType.Eof)
        {
            if (Peek().Type == TokenType.LeftDelim)
            {
                int save = _pos;
                Next();
                if (NextNonSpace().Type == TokenType.Define)
                {
                    ParseDefinition();
                    continue;
                }
                _pos = save;
            }
            var (n, term) = TextOrAction();
            if (term != null) throw Error(term.Value.Line, $"unexpected {{{{{term.Value.Value}}}}}");
            if (n != null) root.Nodes.Add(n);
        }
        return root;
    }

    private void ParseDefinition()
    {
        var nameTok = NextNonSpace();
        if (nameTok.Type != TokenType.String && nameTok.Type != TokenType.RawString) throw Unexpected(nameTok, "define clause");
        string name = StringValue(nameTok);
        Expect(TokenType.RightDelim, "define clause");
        var saved = new List<string>(_vars);
        _vars.Clear(); _vars.Add("$");
        var (list, end) = ItemList();
        if (end.Type != TokenType.End) throw Error(end.Line, $"unexpected {{{{{end.Value}}}}} in define clause");
        _vars.Clear(); _vars.AddRange(saved);
        _define(new TemplateDefinition(name, _name, list, _source));
    }

    /// <summary>Parses nodes until {{end}} or {{else}}; returns the list and the terminating keyword token.</summary>
    private (ListNode, Token) ItemList()
    {
        var list = new ListNode(Peek().Line) { Pos = Peek().Pos };
        while (Peek().Type != TokenType.Eof)
        {
            var (n, term) = TextOrAction();
            if (term != null) return (list, term.Value);
            if (n != null) list.Nodes.Add(n);
        }
        throw Error(Peek().Line, "unexpected EOF");
    }

    private (Node?, Token?) TextOrAction()
    {
        var t = Next();
        switch (t.Type)
        {
            case TokenType.Text: return (new TextNode(t.Line, t.Value) { Pos = t.Pos }, null);
            case TokenType.LeftDelim: return Action();
            default: throw Unexpected(t, "input");
        }
    }

    private (Node?, Token?) Action()
    {
        var t = NextNonSpace();
        switch (t.Type)
        {
            case TokenType.Block: return (BlockControl(t), null);
            case TokenType.Break:
            case TokenType.Continue:
                if (_rangeDepth == 0) throw Error(t.Line, $"{{{{{t.Value}}}}} outside {{{{range}}}}");
                Expect(TokenType.RightDelim, t.Value);
                return (t.Type == TokenType.Break ? new BreakNode(t.Line) { Pos = t.Pos } : new ContinueNode(t.Line) { Pos = t.Pos }, null);
            case TokenType.Else:
                {
                    var peek = PeekNonSpace();
                    if (peek.Type == TokenType.If || peek.Type == TokenType.With) return (null, t);
                    Expect(TokenType.RightDelim, "else");
                    return (null, t);
                }
            case TokenType.End:
                Expect(TokenType.RightDelim, "end");
                return (null, t);
            case TokenType.If: return (Control(BranchKind.If, t.Line), null);
            case TokenType.Range: return (Control(BranchKind.Range, t.Line), null);
            case TokenType.With: return (Control(BranchKind.With, t.Line), null);
            case TokenType.Template: return (TemplateControl(t), null);
        }
        Backup();
        var pipe = Pipeline("command", TokenType.RightDelim);
        return (new ActionNode(t.Line, pipe) { Pos = t.Pos }, null);
    }

    private Node Control(BranchKind kind, int line)
    {
        int mark = _vars.Count;
        string context = kind switch { BranchKind.If => "if", BranchKind.With => "with", _ => "range" };
        var pipe = Pipeline(context, TokenType.RightDelim);
        if (kind == BranchKind.Range) _rangeDepth++;
        var (list, next) = ItemList();
        if (kind == BranchKind.Range) _rangeDepth--;
        ListNode? elseList = null;
        if (next.Type == TokenType.Else)
        {
            var peek = PeekNonSpace();
            if (kind == BranchKind.If && peek.Type == TokenType.If)
            {
                NextNonSpace();
                elseList = new ListNode(next.Line) { Pos = next.Pos };
                elseList.Nodes.Add(Control(BranchKind.If, peek.Line));
            }
            else if (kind == BranchKind.With && peek.Type == TokenType.With)
            {
                NextNonSpace();
                elseList = new ListNode(next.Line) { Pos = next.Pos };
                elseList.Nodes.Add(Control(BranchKind.With, peek.Line));
            }
            else
            {
                Token end;
                (elseList, end) = ItemList();
                if (end.Type != TokenType.End) throw Error(end.Line, "expected end; found {{else}}");
            }
        }
        _vars.RemoveRange(mark, _vars.Count - mark);
        return new BranchNode(line, kind, pipe, list, elseList) { Pos = pipe.Pos };
    }

    private Node TemplateControl(Token t)
    {
        var (name, pipe, pos) = NameAndPipe("template clause");
        return new TemplateNode(t.Line, name, pipe) { Pos = pos };
    }

    private Node BlockControl(Token t)
    {
        var (name, pipe, pos) = NameAndPipe("block clause");
        var saved = new List<string>(_vars);
        _vars.Clear(); _vars.Add("$");
        var (list, end) = ItemList();
        if (end.Type != TokenType.End) throw Error(end.Line, "unexpected {{else}} in block clause");
        _vars.Clear(); _vars.AddRange(saved);
        _define(new TemplateDefinition(name, _name, list, _source));
        return new TemplateNode(t.Line, name, pipe) { Pos = pos };
    }

    /// <summary>The quoted name and optional pipeline of {{template}} and {{block}}.</summary>
    /// <summary>A template clause's name and pipeline; Go places the clause at its name.</summary>
    private (string Name, PipeNode? Pipe, int Pos) NameAndPipe(string context)
    {
        var nameTok = NextNonSpace();
        if (nameTok.Type != TokenType.String && nameTok.Type != TokenType.RawString) throw Unexpected(nameTok, context);
        string name = StringValue(nameTok);
        PipeNode? pipe = null;
        if (NextNonSpace().Type != TokenType.RightDelim)
        {
            Backup();
            pipe = Pipeline(context, TokenType.RightDelim);
        }
        return (name, pipe, nameTok.Pos);
    }

    private static string StringValue(Token t) =>
        t.Type == TokenType.RawString ? t.Value.Substring(1, t.Value.Length - 2) : Lexer.Unquote(t.Value);

    private PipeNode Pipeline(string context, TokenType end)
    {
        var pipe = new PipeNode(Peek().Line) { Pos = Peek().Pos };
        // Declarations.
        var v = PeekNonSpace();
        if (v.Type == TokenType.Variable)
        {
            int save = _pos;
            NextNonSpace();
            var tokenAfterVariable = Peek();
            var next = PeekNonSpace();
            if (next.Type == TokenType.Declare || next.Type == TokenType.Assign)
            {
                NextNonSpace();
                pipe.IsAssign = next.Type == TokenType.Assign;
                pipe.Decl.Add(v.Value);
                // Go declares the name for the rest of the scope even for "=": assigning an undeclared variable fails when executed.
                _vars.Add(v.Value);
            }
            else if (next.Type == TokenType.Comma && context == "range")
            {
                NextNonSpace();
                var v2 = NextNonSpace();
                if (v2.Type != TokenType.Variable) throw Error(v2.Line, "range can only initialize variables");
                var op = NextNonSpace();
                if (op.Type != TokenType.Declare && op.Type != TokenType.Assign) throw Error(op.Line, "range can only initialize variables");
                pipe.IsAssign = op.Type == TokenType.Assign;
                pipe.Decl.Add(v.Value);
                pipe.Decl.Add(v2.Value);
                _vars.Add(v.Value); _vars.Add(v2.Value);
            }
            else if (tokenAfterVariable.Type == TokenType.Space)
            {
                _pos = save;
            }
            else
            {
                _pos = save;
            }
        }
        while (true)
        {
            var t = NextNonSpace();
            if (t.Type == end)
            {
                if (pipe.Commands.Count == 0) throw Error(t.Line, $"missing value for {context}");
                for (int i = 1; i < pipe.Commands.Count; i++)
                {
                    var first = pipe.Commands[i].Args[0];
                    if (first is BoolNode or DotNode or NilNode or NumberNode or StringNode)
                        throw Error(t.Line, $"non executable command in pipeline stage {i + 1}");
                }
                return pipe;
            }
            switch (t.Type)
            {
                case TokenType.Bool: case TokenType.Char: case TokenType.Dot: case TokenType.Field:
                case TokenType.Identifier: case TokenType.Number: case TokenType.Nil: case TokenType.RawString:
                case TokenType.String: case TokenType.Variable: case TokenType.LeftParen:
                    Backup();
                    pipe.Commands.Add(Command());
                    break;
                default:
                    throw Unexpected(t, context);
            }
        }
    }

    private CommandNode Command()
    {
        var cmd = new CommandNode(PeekNonSpace().Line) { Pos = PeekNonSpace().Pos };
        while (true)
        {
            PeekNonSpace();
            var operand = Operand();
            if (operand != null) cmd.Args.Add(operand);
            var t = Next();
            if (t.Type == TokenType.Space) continue;
            if (t.Type == TokenType.RightDelim || t.Type == TokenType.RightParen) { Backup(); break; }
            if (t.Type == TokenType.Pipe) break;
            throw Unexpected(t, "operand");
        }
        if (cmd.Args.Count == 0) throw Error(cmd.Line, "empty command");
        return cmd;
    }

    private Node? Operand()
    {
        var node = Term();
        if (node == null) return null;
        if (Peek().Type != TokenType.Field) return node;
        // Go: the chained node sits where its first chained field starts.
        int chainPos = Peek().Pos;
        var fields = new List<string>();
        while (Peek().Type == TokenType.Field) fields.Add(Next().Value.Substring(1));
        switch (node)
        {
            case FieldNode f: return new FieldNode(f.Line, f.Idents.Concat(fields).ToArray()) { Pos = chainPos };
            case VariableNode v: return new VariableNode(v.Line, v.Idents.Concat(fields).ToArray()) { Pos = chainPos };
            case BoolNode or StringNode or NumberNode or NilNode or DotNode:
                throw Error(node.Line, $"unexpected . after term \"{fields[0]}\"");
            default: return new ChainNode(node.Line, node, fields.ToArray()) { Pos = chainPos };
        }
    }

    private Node? Term()
    {
        var t = NextNonSpace();
        switch (t.Type)
        {
            case TokenType.Identifier:
                if (!_hasFunction(t.Value))
                    throw Error(t.Line, $"function \"{t.Value}\" not defined", RenderErrorIds.UnknownFunction);
                return new IdentifierNode(t.Line, t.Value) { Pos = t.Pos };
            case TokenType.Dot: return new DotNode(t.Line) { Pos = t.Pos };
            case TokenType.Nil: return new NilNode(t.Line) { Pos = t.Pos };
            case TokenType.Variable:
                if (!_vars.Contains(t.Value)) throw Error(t.Line, $"undefined variable \"{t.Value}\"");
                return new VariableNode(t.Line, new[] { t.Value }) { Pos = t.Pos };
            case TokenType.Field: return new FieldNode(t.Line, new[] { t.Value.Substring(1) }) { Pos = t.Pos };
            case TokenType.Bool: return new BoolNode(t.Line, t.Value == "true") { Pos = t.Pos };
            case TokenType.Char:
            case TokenType.Number: return ParseNumber(t);
            case TokenType.LeftParen:
                var pipe = Pipeline("parenthesized pipeline", TokenType.RightParen);
                return new PipeExprNode(t.Line, pipe) { Pos = t.Pos };
            case TokenType.String:
            case TokenType.RawString:
                return new StringNode(t.Line, t.Value, StringValue(t)) { Pos = t.Pos };
        }
        Backup();
        return null;
    }

    private NumberNode ParseNumber(Token t)
    {
        var n = new NumberNode(t.Line, t.Value) { Pos = t.Pos };
        if (t.Type == TokenType.Char)
        {
            string s = Lexer.Unquote("\"" + t.Value.Substring(1, t.Value.Length - 2) + "\"");
            n.IsInt = true; n.IntValue = char.ConvertToUtf32(s, 0); n.IsFloat = true; n.FloatValue = n.IntValue;
            return n;
        }
        string text = t.Value.Replace("_", "");
        if (text.EndsWith('i')) throw Error(t.Line, "complex numbers are not supported");
        if (TryParseGoInt(text, out long iv))
        {
            n.IsInt = true; n.IntValue = iv; n.IsFloat = true; n.FloatValue = iv;
            return n;
        }
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double fv))
        {
            if (text.AsSpan().IndexOfAny(FloatSyntax) < 0)
            {
                // Integer syntax beyond int64: Go keeps a uint64 (an error only when evaluated), else rejects it here.
                if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    throw Error(t.Line, $"integer overflow: {GoFormat.Quote(t.Value)}");
                n.IsUint = true; n.IsFloat = true; n.FloatValue = fv;
                return n;
            }
            n.IsFloat = true; n.FloatValue = fv;
            if (fv == Math.Floor(fv) && Math.Abs(fv) < 9.2e18 && !text.Contains('.') && !text.Contains('e') && !text.Contains('E'))
            {
                n.IsInt = true; n.IntValue = (long)fv;
            }
            else if (fv == Math.Floor(fv) && Math.Abs(fv) < 9.2e18)
            {
                // Go: a float constant with an integral value is also usable as int.
                n.IsInt = true; n.IntValue = (long)fv;
            }
            return n;
        }
        throw Error(t.Line, $"illegal number syntax: \"{t.Value}\"");
    }

    private static readonly System.Buffers.SearchValues<char> FloatSyntax = System.Buffers.SearchValues.Create(".eEpP");

    internal static bool TryParseGoInt(string text, out long value)
    {
        value = 0;
        bool neg = false;
        string s = text;
        if (s.StartsWith('+')) s = s.Substring(1);
        else if (s.StartsWith('-')) { neg = true; s = s.Substring(1); }
        if (s.Length == 0) return false;
        int radix = 10;
        if (s.Length > 1 && s[0] == '0')
        {
            char p = char.ToLowerInvariant(s[1]);
            if (p == 'x') { radix = 16; s = s.Substring(2); }
            else if (p == 'o') { radix = 8; s = s.Substring(2); }
            else if (p == 'b') { radix = 2; s = s.Substring(2); }
            else { radix = 8; s = s.Substring(1); }
        }
        if (s.Length == 0) return false;
        ulong acc = 0;
        foreach (char c in s)
        {
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
            if (d >= radix) return false;
            ulong next = acc * (ulong)radix + (ulong)d;
            if (next / (ulong)radix != acc && acc != 0) return false;
            acc = next;
        }
        if (!neg && acc > long.MaxValue) return false;
        if (neg && acc > (ulong)long.MaxValue + 1) return false;
        value = neg ? (long)(0 - acc) : (long)acc;
        return true;
    }
}
