using System.Text;

namespace IstioPS.Rendering.GoTemplate;

/// <summary>Tree-walking executor with Go text/template semantics.</summary>
internal sealed class Executor
{
    private static readonly object NoFinal = new();

    /// <summary>Go's maxExecDepth.</summary>
    private const int MaxExecDepth = 100000;
    private readonly TemplateContext _ctx;
    private readonly StringBuilder _out;
    private TemplateDefinition _def;
    private readonly object? _data;
    private readonly List<KeyValuePair<string, object?>> _vars = new();
    private Node? _at;

    /// <summary>The element the innermost range is on (an interface {} in Go, which its error texts show).</summary>
    private object? _rangeElement;

    private enum Flow { Normal, Break, Continue }

    /// <summary>Where the output's lines come from in this template; null when nobody asked (nested executions).</summary>
    private readonly OutputLineMap? _lines;

    public Executor(TemplateContext ctx, StringBuilder output, TemplateDefinition def, object? data, OutputLineMap? lines = null)
    {
        _ctx = ctx; _out = output; _def = def; _data = data; _lines = lines;
    }

    public void Run()
    {
        // Go: executing with nil data makes dot an invalid value (reflect.ValueOf(nil)).
        object? data = _data ?? GoMissing.Value;
        _vars.Add(new("$", data));
        Walk(data, _def.Root);
    }

    /// <summary>Go's ExecError: "template: loc: executing "name" at &lt;context&gt;: message"; <paramref name="innerChain"/> is
    /// the error it wraps (%w), as the texts of its Unwrap chain.</summary>
    private RenderException Error(string message, string? id = null, Exception? inner = null, IReadOnlyList<string>? innerChain = null)
    {
        int line = _at?.Line ?? 0;
        string text;
        if (_at == null || _at.Pos < 0) text = $"template: {_def.Name}: {message}";
        else
        {
            string context = Describe(_at);
            text = $"template: {_def.Location(_at.Pos)}: executing {GoFormat.Quote(_def.Name)} at <{context}>: {message}";
        }
        var chain = new List<string> { text };
        if (innerChain != null) chain.AddRange(innerChain);
        return new RenderException(id ?? RenderErrorIds.TemplateExecutionError, text, _def.SourceName, line, inner) { GoChain = chain };
    }

    /// <summary>Go's Node.String().</summary>
    internal static string Describe(Node n) => n switch
    {
        FieldNode f => f.ToString(),
        VariableNode v => v.ToString(),
        IdentifierNode i => i.Name,
        StringNode s => s.Quoted,
        NumberNode num => num.Text,
        BoolNode b => b.Value ? "true" : "false",
        DotNode => ".",
        NilNode => "nil",
        ChainNode c => (c.Target is PipeExprNode ? Describe(c.Target) : Describe(c.Target)) + "." + string.Join(".", c.Fields),
        CommandNode c => string.Join(" ", c.Args.Select(Describe)),
        PipeExprNode p => "(" + DescribePipe(p.Pipe) + ")",
        PipeNode p => DescribePipe(p),
        ActionNode a => "{{" + DescribePipe(a.Pipe) + "}}",
        TextNode t => t.Text,
        ListNode l => string.Concat(l.Nodes.Select(Describe)),
        BranchNode b => "{{" + b.Kind.ToString().ToLowerInvariant() + " " + DescribePipe(b.Pipe) + "}}" + Describe(b.List) +
                        (b.ElseList != null ? "{{else}}" + Describe(b.ElseList) : "") + "{{end}}",
        TemplateNode t => "{{template " + GoFormat.Quote(t.Name) + (t.Pipe != null ? " " + DescribePipe(t.Pipe) : "") + "}}",
        BreakNode => "{{break}}",
        ContinueNode => "{{continue}}",
        _ => n.GetType().Name,
    };

    private static string DescribePipe(PipeNode p) =>
        (p.Decl.Count > 0 ? string.Join(", ", p.Decl) + " := " : "") + string.Join(" | ", p.Commands.Select(Describe));

    private Flow Walk(object? dot, Node node)
    {
        switch (node)
        {
            case TextNode t:
                _lines?.Record(_out.Length, t.Line, true);
                _out.Append(t.Text);
                return Flow.Normal;
            case ActionNode a:
                {
                    var val = EvalPipeline(dot, a.Pipe);
                    if (a.Pipe.Decl.Count == 0) PrintValue(a, val);
                    return Flow.Normal;
                }
            case ListNode l:
                _ctx.CancellationToken.ThrowIfCancellationRequested();
                foreach (var n in l.Nodes)
                {
                    var f = Walk(dot, n);
                    if (f != Flow.Normal) return f;
                }
                return Flow.Normal;
            case BranchNode b:
                return b.Kind == BranchKind.Range ? WalkRange(dot, b) : WalkIfOrWith(dot, b);
            case TemplateNode t:
                WalkTemplate(dot, t);
                return Flow.Normal;
            case BreakNode: return Flow.Break;
            case ContinueNode: return Flow.Continue;
        }
        _at = node;
        throw Error("unknown node: " + node.GetType().Name);
    }

    private Flow WalkIfOrWith(object? dot, BranchNode b)
    {
        int mark = _vars.Count;
        try
        {
            var val = EvalPipeline(dot, b.Pipe);
            if (GoValues.IsTrue(val))
                return Walk(b.Kind == BranchKind.With ? val : dot, b.List);
            if (b.ElseList != null) return Walk(dot, b.ElseList);
            return Flow.Normal;
        }
        finally { _vars.RemoveRange(mark, _vars.Count - mark); }
    }

    private Flow WalkRange(object? dot, BranchNode r)
    {
        _at = r;
        int mark = _vars.Count;
        try
        {
            var val = EvalPipeline(dot, r.Pipe);
            int mark2 = _vars.Count;
            bool Iter(object? index, object? elem, out bool stop)
            {
                stop = false;
                if (r.Pipe.Decl.Count > 0)
                {
                    if (r.Pipe.IsAssign)
                    {
                        if (r.Pipe.Decl.Count > 1) { SetVar(r.Pipe.Decl[0], index); SetVar(r.Pipe.Decl[1], elem); }
                        else SetVar(r.Pipe.Decl[0], elem);
                    }
                    else
                    {
                        if (r.Pipe.Decl.Count > 1) { SetTopVar(2, index); SetTopVar(1, elem); }
                        else SetTopVar(1, elem);
                    }
                }
                var outer = _rangeElement;
                _rangeElement = elem;
                var f = Walk(elem, r.List);
                _rangeElement = outer;
                _vars.RemoveRange(mark2, _vars.Count - mark2);
                if (f == Flow.Break) { stop = true; }
                return true;
            }
            val = GoValues.Normalize(val);
            if (val is IGoMapLike mapLike) val = mapLike.Entries.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            switch (val)
            {
                case IDictionary<string, object?> m when m.Count > 0:
                    foreach (var k in GoValues.SortedKeys(m))
                    {
                        Iter(k, m[k], out bool stop);
                        if (stop) break;
                    }
                    return Flow.Normal;
                case System.Collections.IList l when l.Count > 0:
                    for (int i = 0; i < l.Count; i++)
                    {
                        Iter((long)i, l[i], out bool stop);
                        if (stop) break;
                    }
                    return Flow.Normal;
                case long n when n > 0:
                    for (long i = 0; i < n; i++)
                    {
                        Iter(i, i, out bool stop);
                        if (stop) break;
                    }
                    return Flow.Normal;
                case GoInt64 n when n.Value > 0:
                    for (long i = 0; i < n.Value; i++)
                    {
                        Iter(new GoInt64(i), new GoInt64(i), out bool stop);
                        if (stop) break;
                    }
                    return Flow.Normal;
                case null:
                case IDictionary<string, object?>:
                case System.Collections.IList:
                case long:
                case GoInt64:
                    break;
                default:
                    throw Error($"range can't iterate over {GoFormat.ToString(val)}");
            }
            if (r.ElseList != null) return Walk(dot, r.ElseList);
            return Flow.Normal;
        }
        finally { _vars.RemoveRange(mark, _vars.Count - mark); }
    }

    private void SetTopVar(int n, object? value) => _vars[^n] = new(_vars[^n].Key, value);

    private void WalkTemplate(object? dot, TemplateNode t)
    {
        _at = t;
        if (!_ctx.Set.TryGet(t.Name, out var def))
            throw Error($"template {GoFormat.Quote(t.Name)} not defined");
        var newDot = t.Pipe == null ? null : EvalPipeline(dot, t.Pipe);
        _at = t;
        if (_ctx.TemplateDepth + 1 >= MaxExecDepth) throw Error($"exceeded maximum template depth ({MaxExecDepth})");
        var ctx = new TemplateContext(_ctx.Set, _ctx, _ctx.TemplateDepth + 1);
        _lines?.Record(_out.Length, t.Line, false); // what another template writes here is this line's
        StackGuard.Run(ctx.NestingDepth, new Executor(ctx, _out, def, newDot).Run);
    }

    private void PrintValue(Node n, object? val)
    {
        _at = n;
        _lines?.Record(_out.Length, n.Line, false);
        switch (val)
        {
            case GoMissing: _out.Append("<no value>"); return;
            case string s: _out.Append(s); return;
            case null: _out.Append("<nil>"); return;
            default:
                // A value that contains itself prints forever in Go (its stack runs out); here it is an error.
                try { _out.Append(GoFormat.ToString(val)); }
                catch (InsufficientExecutionStackException e) { throw Error($"printing {GoValues.TypeName(val)}: {RuntimeError(e)}"); }
                return;
        }
    }

    private object? EvalPipeline(object? dot, PipeNode pipe)
    {
        _at = pipe;
        object? value = NoFinal;
        foreach (var cmd in pipe.Commands)
        {
            value = EvalCommand(dot, cmd, value);
            if (value == null) value = GoMissing.Value;
        }
        foreach (var v in pipe.Decl)
        {
            if (pipe.IsAssign) SetVar(v, value);
            else _vars.Add(new(v, value));
        }
        return value;
    }

    private void SetVar(string name, object? value)
    {
        for (int i = _vars.Count - 1; i >= 0; i--)
        {
            if (_vars[i].Key == name) { _vars[i] = new(name, value); return; }
        }
        throw Error($"undefined variable: {name}");
    }

    private object? VarValue(string name)
    {
        for (int i = _vars.Count - 1; i >= 0; i--)
            if (_vars[i].Key == name) return _vars[i].Value;
        throw Error($"undefined variable: {name}");
    }

    private void NotAFunction(List<Node> args, object? final)
    {
        if (args.Count > 1 || final != NoFinal) throw Error($"can't give argument to non-function {Describe(args[0])}");
    }

    private object? EvalCommand(object? dot, CommandNode cmd, object? final)
    {
        var first = cmd.Args[0];
        switch (first)
        {
            case FieldNode f: return EvalFieldChain(dot, dot, f, f.Idents, 0, cmd.Args, final);
            case ChainNode c: return EvalChain(dot, c, cmd.Args, final);
            case IdentifierNode id: return EvalFunction(dot, id, cmd, cmd.Args, final);
            case PipeExprNode p: NotAFunction(cmd.Args, final); return EvalPipeline(dot, p.Pipe);
            case VariableNode v: return EvalVariable(dot, v, cmd.Args, final);
        }
        _at = first;
        NotAFunction(cmd.Args, final);
        switch (first)
        {
            case BoolNode b: return b.Value;
            case DotNode: return dot;
            case NilNode: throw Error("nil is not a command");
            case NumberNode n: return IdealConstant(n);
            case StringNode s: return s.Text;
        }
        throw Error("can't evaluate command " + Describe(first));
    }

    private object IdealConstant(NumberNode n)
    {
        _at = n;
        string t = n.Text;
        bool floatSyntax = n.IsFloat && !t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && !t.StartsWith('\'') &&
                           t.IndexOfAny(new[] { '.', 'e', 'E', 'p', 'P' }) >= 0;
        if (floatSyntax) return n.FloatValue;
        if (n.IsInt) return n.IntValue;
        if (n.IsFloat && !n.IsUint) return n.FloatValue;
        throw Error($"{t} overflows int");
    }

    private object? EvalChain(object? dot, ChainNode chain, List<Node> args, object? final)
    {
        _at = chain;
        if (chain.Target is NilNode) throw Error("indirection through explicit nil in " + Describe(chain));
        var pipe = EvalArg(dot, chain.Target);
        return EvalFieldChain(dot, pipe, chain, chain.Fields, 0, args, final);
    }

    private object? EvalVariable(object? dot, VariableNode v, List<Node> args, object? final)
    {
        _at = v;
        var value = VarValue(v.Idents[0]);
        if (v.Idents.Length == 1)
        {
            NotAFunction(args, final);
            return value;
        }
        return EvalFieldChain(dot, value, v, v.Idents, 1, args, final);
    }

    /// <summary>Evaluates .a.b.c on <paramref name="receiver"/>. Go reports a failing receiver by its static type:
    /// "interface {}" for values taken from a map or a range element, the concrete type otherwise.</summary>
    private object? EvalFieldChain(object? dot, object? receiver, Node node, string[] idents, int start, List<Node>? args, object? final)
    {
        int n = idents.Length;
        bool isInterface = receiver != null && ReferenceEquals(receiver, _rangeElement);
        for (int i = start; i < n - 1; i++)
        {
            bool fromMap = receiver is IDictionary<string, object?>;
            receiver = EvalField(dot, idents[i], node, null, NoFinal, receiver, isInterface);
            isInterface = fromMap;
        }
        return EvalField(dot, idents[n - 1], node, args, final, receiver, isInterface);
    }

    private object? EvalField(object? dot, string fieldName, Node node, List<Node>? args, object? final, object? receiver, bool receiverIsInterface)
    {
        _at = node;
        if (receiver is GoMissing)
        {
            if (_ctx.Set.MissingKey == MissingKeyOption.Error) throw Error($"nil data; no entry for key {GoFormat.Quote(fieldName)}");
            return GoMissing.Value;
        }
        if (receiver == null) throw Error($"nil pointer evaluating interface {{}}.{fieldName}");
        bool hasArgs = (args != null && args.Count > 1) || final != NoFinal;
        if (receiver is IGoObject obj)
        {
            if (obj.TryGetField(fieldName, out var fv))
            {
                if (hasArgs) throw Error($"{fieldName} has arguments but cannot be invoked as function");
                return fv;
            }
            var argv = EvalArgs(dot, args, 1, final);
            object? result;
            bool found;
            try { found = obj.TryCallMethod(fieldName, argv, out result); }
            catch (GoFunctionException e) { throw Error($"error calling {fieldName}: {e.Message}", e.ErrorId, e, e.GoChain ?? new[] { e.Message }); }
            catch (Exception e) when (e is not (RenderException or OperationCanceledException))
            {
                string message = RuntimeError(e);
                throw Error($"error calling {fieldName}: {message}", null, e, new[] { message });
            }
            if (found) return result;
            throw Error($"can't evaluate field {fieldName} in type {(receiverIsInterface ? "interface {}" : obj.GoTypeName)}");
        }
        if (receiver is IDictionary<string, object?> map)
        {
            if (hasArgs) throw Error($"{fieldName} is not a method but has arguments");
            if (map.TryGetValue(fieldName, out var v)) return v;
            return _ctx.Set.MissingKey switch
            {
                MissingKeyOption.Zero => null,
                MissingKeyOption.Error => throw Error($"map has no entry for key {GoFormat.Quote(fieldName)}"),
                _ => GoMissing.Value,
            };
        }
        throw Error($"can't evaluate field {fieldName} in type {(receiverIsInterface ? "interface {}" : GoValues.TypeName(receiver))}");
    }

    private object?[] EvalArgs(object? dot, List<Node>? args, int start, object? final)
    {
        int n = (args?.Count ?? 0) - start;
        if (n < 0) n = 0;
        bool hasFinal = final != NoFinal;
        var argv = new object?[n + (hasFinal ? 1 : 0)];
        for (int i = 0; i < n; i++) argv[i] = GoValues.Normalize(EvalArg(dot, args![start + i]));
        if (hasFinal) argv[n] = GoValues.Normalize(final);
        return argv;
    }

    /// <summary>Go's evalFunction/evalCall: a failing call is reported at <paramref name="cmd"/>, the whole command.</summary>
    private object? EvalFunction(object? dot, IdentifierNode node, Node cmd, List<Node> args, object? final)
    {
        _at = node;
        string name = node.Name;
        if (name == "and" || name == "or")
        {
            int count = args.Count - 1 + (final != NoFinal ? 1 : 0);
            if (count < 1) throw Error($"wrong number of args for {name}: want at least 1 got 0");
            object? v = null;
            for (int i = 1; i < args.Count; i++)
            {
                v = EvalArg(dot, args[i]);
                bool t = GoValues.IsTrue(v);
                if (name == "and" ? !t : t) return v;
            }
            if (final != NoFinal) v = final;
            return v;
        }
        if (!_ctx.Set.Functions.TryGet(name, out var fn)) throw Error($"\"{name}\" is not a defined function");
        var argv = _ctx.Set.Functions.TryGetSignature(name, out var signature)
            ? EvalTypedArgs(dot, node, name, signature, args, final)
            : EvalArgs(dot, args, 1, final);
        // Go leaves the position at the last argument evaluated: a later type error in the caller points there.
        try
        {
            return fn(_ctx, argv);
        }
        catch (GoFunctionException e)
        {
            _at = cmd;
            throw Error($"error calling {name}: {e.Message}", e.ErrorId, e, e.GoChain ?? new[] { e.Message });
        }
        catch (RenderException e)
        {
            _at = cmd;
            throw Error($"error calling {name}: {e.Message}", e.ErrorId == RenderErrorIds.TemplateExecutionError ? null : e.ErrorId, e, e.GoChain ?? new[] { e.Message });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A function that fails unexpectedly is Go's recovered panic: "error calling f: <runtime error>".
            string message = RuntimeError(e);
            _at = cmd;
            throw Error($"error calling {name}: {message}", null, e, new[] { message });
        }
    }

    /// <summary>The text Go's runtime panic would carry for a .NET failure inside a function.</summary>
    internal static string RuntimeError(Exception e) => e switch
    {
        DivideByZeroException => "runtime error: integer divide by zero",
        OverflowException => "runtime error: integer overflow",
        NullReferenceException => "runtime error: invalid memory address or nil pointer dereference",
        ArgumentOutOfRangeException or IndexOutOfRangeException => "runtime error: index out of range",
        InvalidCastException => "interface conversion: " + e.Message,
        // Go's stack grows until the process dies; here a value that contains itself (or nests too deeply) fails.
        InsufficientExecutionStackException => "runtime error: a value contains itself or nests too deeply",
        _ => e.Message,
    };

    /// <summary>Go's evalCall: argument count, then each argument evaluated for its parameter's type.</summary>
    private object?[] EvalTypedArgs(object? dot, IdentifierNode node, string name, GoSignature sig, List<Node> args, object? final)
    {
        var ps = sig.Params;
        int given = args.Count - 1;
        int numIn = given + (final != NoFinal ? 1 : 0);
        int numFixed = sig.Variadic ? ps.Length - 1 : ps.Length;
        _at = node;
        if (sig.Variadic)
        {
            if (numIn < numFixed) throw Error($"wrong number of args for {name}: want at least {numFixed} got {given}");
        }
        else if (numIn != ps.Length) throw Error($"wrong number of args for {name}: want {ps.Length} got {numIn}");
        var argv = new object?[numIn];
        int i = 0;
        for (; i < numFixed && i < given; i++) argv[i] = EvalTypedArg(dot, ps[i], args[i + 1]);
        if (sig.Variadic)
        {
            string elem = ps[^1].Substring(3);
            for (; i < given; i++) argv[i] = EvalTypedArg(dot, elem, args[i + 1]);
        }
        if (final != NoFinal)
        {
            string t = ps[^1];
            if (sig.Variadic) t = numIn - 1 < numFixed ? ps[numIn - 1] : t.Substring(3);
            argv[i] = ValidateType(final, t);
        }
        return argv;
    }

    private static bool CanBeNil(string type) =>
        type is "interface {}" or "reflect.Value" || type.StartsWith('[') || type.StartsWith("map[", StringComparison.Ordinal) || type.StartsWith('*');

    /// <summary>Go's evalArg for a parameter of Go type <paramref name="type"/>.</summary>
    private object? EvalTypedArg(object? dot, string type, Node n)
    {
        _at = n;
        switch (n)
        {
            case DotNode: return ValidateType(dot, type);
            case NilNode:
                // nil for a reflect.Value parameter is the zero Value, as invalid as a missing one.
                if (type == "reflect.Value") return GoMissing.Value;
                if (CanBeNil(type)) return null;
                throw Error($"cannot assign nil to {type}");
            case FieldNode or VariableNode or PipeExprNode or IdentifierNode or ChainNode:
                return ValidateType(EvalArg(dot, n), type);
        }
        switch (type)
        {
            case "interface {}": return GoValues.Normalize(EvalArg(dot, n));
            case "reflect.Value": return EvalArg(dot, n);
            case "bool":
                if (n is BoolNode b) return b.Value;
                throw Error($"expected bool; found {Describe(n)}");
            case "int64":
                if (n is NumberNode { IsInt: true } i64) return new GoInt64(i64.IntValue);
                throw Error($"expected integer; found {Describe(n)}");
            case "int" or "int32" or "uint32" or "uint" or "uint64":
                if (n is NumberNode { IsInt: true } i) return i.IntValue;
                throw Error($"expected integer; found {Describe(n)}");
            case "float64" or "float32":
                if (n is NumberNode { IsFloat: true } f) return f.FloatValue;
                throw Error($"expected float; found {Describe(n)}");
            case "string":
                if (n is StringNode str) return str.Text;
                throw Error($"expected string; found {Describe(n)}");
        }
        throw Error($"can't handle {Describe(n)} for arg of type {type}");
    }

    /// <summary>Go's validateType: a computed value must be assignable to the parameter type. A nil from a map or
    /// a function is an interface {} holding nil; a missing value (no key, missingkey=default) is invalid.</summary>
    private object? ValidateType(object? value, string type)
    {
        if (value is GoMissing)
        {
            if (type == "reflect.Value") return value;
            if (CanBeNil(type)) return null;
            throw Error($"invalid value; expected {type}");
        }
        if (type is "interface {}" or "reflect.Value") return value;
        bool ok = type switch
        {
            "string" => value is string,
            "int" => value is long or int,
            "int64" => value is GoInt64,
            "int32" or "uint32" or "uint" or "uint64" => value is long or int,
            "float64" or "float32" => value is double,
            "bool" => value is bool,
            "map[string]interface {}" => value is IDictionary<string, object?>,
            "[]interface {}" => value is List<object?> and not GoTypedList,
            _ => value != null && GoValues.TypeName(value) == type,
        };
        if (ok) return value;
        throw Error($"wrong type for value; expected {type}; got {(value == null ? "interface {}" : GoValues.TypeName(value))}");
    }

    private object? EvalArg(object? dot, Node n)
    {
        _at = n;
        switch (n)
        {
            case DotNode: return dot;
            case NilNode: return null;
            case FieldNode f: return EvalFieldChain(dot, dot, f, f.Idents, 0, new List<Node> { n }, NoFinal);
            case VariableNode v: return EvalVariable(dot, v, new List<Node> { n }, NoFinal);
            case PipeExprNode p: return EvalPipeline(dot, p.Pipe);
            case IdentifierNode id: return EvalFunction(dot, id, id, new List<Node> { n }, NoFinal);
            case ChainNode c: return EvalChain(dot, c, new List<Node> { n }, NoFinal);
            case BoolNode b: return b.Value;
            case NumberNode num: return IdealConstant(num);
            case StringNode s: return s.Text;
        }
        throw Error("can't handle " + Describe(n));
    }
}
