using System.Collections;
using System.Text;

namespace IstioPS.Rendering.GoTemplate;

/// <summary>Go text/template's predefined functions.</summary>
internal static class Builtins
{
    public static void Register(FunctionTable t)
    {
        t.Add("and", (_, a) => throw new GoFunctionException("and is evaluated by the executor"));
        t.Add("or", (_, a) => throw new GoFunctionException("or is evaluated by the executor"));
        t.Add("not", (_, a) => { Arity("not", a, 1); return !GoValues.IsTrue(a[0]); });
        t.Add("len", (_, a) => { Arity("len", a, 1); return Len(a[0]); });
        t.Add("index", (_, a) => Index(a));
        t.Add("print", (_, a) => GoFormat.Sprint(a));
        t.Add("println", (_, a) => string.Join(" ", a.Select(GoFormat.ToString)) + "\n");
        t.Add("printf", (_, a) =>
        {
            if (a.Length == 0) throw new GoFunctionException("wrong number of args for printf: want at least 1 got 0");
            if (a[0] is not string f) throw new GoFunctionException($"wrong type for value; expected string; got {GoValues.TypeName(a[0])}");
            return GoFormat.Sprintf(f, a.Skip(1).ToArray());
        });
        t.Add("eq", (_, a) =>
        {
            if (a.Length < 2) throw new GoFunctionException("missing argument for comparison");
            for (int i = 1; i < a.Length; i++) if (Eq(a[0], a[i])) return true;
            return false;
        });
        t.Add("ne", (_, a) => { Arity("ne", a, 2); return !Eq(a[0], a[1]); });
        t.Add("lt", (_, a) => { Arity("lt", a, 2); return Lt(a[0], a[1]); });
        t.Add("le", (_, a) => { Arity("le", a, 2); return Lt(a[0], a[1]) || Eq(a[0], a[1]); });
        t.Add("gt", (_, a) => { Arity("gt", a, 2); return !(Lt(a[0], a[1]) || Eq(a[0], a[1])); });
        t.Add("ge", (_, a) => { Arity("ge", a, 2); return !Lt(a[0], a[1]); });
        t.Add("html", (_, a) => GoEscaping.Html(GoEscaping.EvalArgs(a)));
        t.Add("urlquery", (_, a) => GoEscaping.QueryEscape(GoEscaping.EvalArgs(a)));
        t.Add("js", (_, a) => GoEscaping.Js(GoEscaping.EvalArgs(a)));
        // Values here never hold functions (Helm's values are YAML data), so call fails as Go's does on a non-function.
        t.Add("call", (_, a) =>
        {
            if (a.Length == 0) throw new GoFunctionException("wrong number of args for call: want at least 1 got 0");
            throw new GoFunctionException(GoValues.Normalize(a[0]) is { } fn ? $"non-function of type {GoValues.TypeName(fn)}" : "call of nil");
        });
        t.Add("slice", (_, a) => Slice(a));
        // Go's signatures for its builtins (funcs.go): the executor checks argument counts and types against them.
        // reflect.Value parameters take any value, but neither nil nor a missing one.
        string[] value = { "reflect.Value" }, values = { "reflect.Value", "...reflect.Value" }, two = { "reflect.Value", "reflect.Value" };
        string[] anys = { "...interface {}" };
        foreach (var (name, ps, rs) in new[]
        {
            ("call", values, new[] { "reflect.Value", "error" }), ("index", values, new[] { "reflect.Value", "error" }),
            ("slice", values, new[] { "reflect.Value", "error" }), ("len", value, new[] { "int", "error" }), ("not", value, new[] { "bool" }),
            ("eq", values, new[] { "bool", "error" }), ("ne", two, new[] { "bool", "error" }), ("lt", two, new[] { "bool", "error" }),
            ("le", two, new[] { "bool", "error" }), ("gt", two, new[] { "bool", "error" }), ("ge", two, new[] { "bool", "error" }),
            ("html", anys, new[] { "string" }), ("js", anys, new[] { "string" }), ("urlquery", anys, new[] { "string" }),
            ("print", anys, new[] { "string" }), ("println", anys, new[] { "string" }),
            ("printf", new[] { "string", "...interface {}" }, new[] { "string" }),
        })
            t.SetSignature(name, new GoSignature(ps, rs));
    }

    internal static void Arity(string name, object?[] a, int n)
    {
        if (a.Length != n) throw new GoFunctionException($"wrong number of args for {name}: want {n} got {a.Length}");
    }

    private static object Len(object? v) => v switch
    {
        null => throw new GoFunctionException("len of nil pointer"),
        GoMissing => throw new GoFunctionException("reflect: call of reflect.Value.Type on zero Value"),
        string s => (long)GoBytes.Length(s),
        ICollection c => (long)c.Count,
        IDictionary<string, object?> m => (long)m.Count,
        IGoMapLike g => (long)g.Entries.Count,
        _ => throw new GoFunctionException($"len of type {GoValues.TypeName(v)}"),
    };

    private static object? Index(object?[] a)
    {
        if (a.Length == 0) throw new GoFunctionException("wrong number of args for index: want at least 1 got 0");
        object? item = GoValues.Normalize(a[0]);
        if (item == null) throw new GoFunctionException("index of untyped nil");
        for (int i = 1; i < a.Length; i++)
        {
            var index = a[i];
            if (item == null) throw new GoFunctionException("index of nil pointer");
            switch (item)
            {
                case IDictionary<string, object?> m:
                    if (index is not string key)
                        throw new GoFunctionException(index == null ? "value is nil; should be of type string" : $"value has type {GoValues.TypeName(index)}; should be string");
                    item = m.TryGetValue(key, out var v) ? v : null;
                    break;
                case IList l:
                    item = l[IndexArg(index, l.Count)];
                    break;
                case string s:
                    item = (long)GoBytes.Encode(s)[IndexArg(index, GoBytes.Length(s))];
                    break;
                default:
                    throw new GoFunctionException($"can't index item of type {GoValues.TypeName(item)}");
            }
        }
        return item;
    }

    private static int IndexArg(object? index, int len)
    {
        long x = index switch
        {
            long l => l,
            int i => i,
            GoInt64 n => n.Value,
            null => throw new GoFunctionException("cannot index slice/array with nil"),
            _ => throw new GoFunctionException($"cannot index slice/array with type {GoValues.TypeName(index)}"),
        };
        if (x < 0 || x >= len) throw new GoFunctionException($"index out of range: {x}");
        return (int)x;
    }

    private static object? Slice(object?[] a)
    {
        if (a.Length == 0) throw new GoFunctionException("wrong number of args for slice: want at least 1 got 0");
        var item = GoValues.Normalize(a[0]) ?? throw new GoFunctionException("slice of untyped nil");
        var idx = a.Skip(1).Select(x => GoValues.Integer(x) is long l ? (int)l : throw new GoFunctionException("cannot index slice/array with type " + GoValues.TypeName(x))).ToArray();
        switch (item)
        {
            case string s:
                {
                    int lo = idx.Length > 0 ? idx[0] : 0, hi = idx.Length > 1 ? idx[1] : s.Length;
                    return s.Substring(lo, hi - lo);
                }
            case List<object?> l:
                {
                    int lo = idx.Length > 0 ? idx[0] : 0, hi = idx.Length > 1 ? idx[1] : l.Count;
                    return l.GetRange(lo, hi - lo);
                }
        }
        throw new GoFunctionException($"can't slice item of type {GoValues.TypeName(item)}");
    }

    private enum Kind { Invalid, Bool, Int, Float, String, Other }

    private static Kind BasicKind(object? v) => v switch
    {
        null or GoMissing => Kind.Invalid,
        bool => Kind.Bool,
        long or int or GoInt64 => Kind.Int,
        double => Kind.Float,
        string => Kind.String,
        _ => Kind.Other,
    };

    internal static bool Eq(object? a, object? b)
    {
        var k1 = BasicKind(a);
        var k2 = BasicKind(b);
        if (k1 != k2)
        {
            if (k1 != Kind.Invalid && k2 != Kind.Invalid) throw new GoFunctionException("incompatible types for comparison");
            return false;
        }
        switch (k1)
        {
            case Kind.Bool: return (bool)a! == (bool)b!;
            case Kind.Int: return GoValues.Integer(a) == GoValues.Integer(b);
            case Kind.Float: return (double)a! == (double)b!;
            case Kind.String: return string.Equals((string)a!, (string)b!, StringComparison.Ordinal);
            case Kind.Invalid: return true;
            default:
                if (a is IDictionary<string, object?> || a is IList)
                    throw new GoFunctionException(GoFormat.Sprintf("non-comparable type %s: ", new[] { a }) + GoValues.TypeName(a));
                return ReferenceEquals(a, b) || Equals(a, b);
        }
    }

    private static bool Lt(object? a, object? b)
    {
        var k1 = BasicKind(a);
        var k2 = BasicKind(b);
        if (k1 is Kind.Invalid or Kind.Other || k2 is Kind.Invalid or Kind.Other)
            throw new GoFunctionException("invalid type for comparison");
        if (k1 != k2) throw new GoFunctionException("incompatible types for comparison");
        return k1 switch
        {
            Kind.Float => (double)a! < (double)b!,
            Kind.Int => GoValues.Integer(a) < GoValues.Integer(b),
            Kind.String => string.CompareOrdinal((string)a!, (string)b!) < 0,
            _ => throw new GoFunctionException("invalid type for comparison"),
        };
    }
}
