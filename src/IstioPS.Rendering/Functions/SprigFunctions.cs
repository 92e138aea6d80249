using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Functions;

/// <summary>Sprig and Helm template functions with Go's behaviour.</summary>
public static partial class SprigFunctions
{
    /// <summary>A function table with Go builtins, Sprig's functions and Helm's (include, tpl, required, toYaml, fromYaml, toJson...).</summary>
    public static FunctionTable CreateHelmTable()
    {
        var t = new FunctionTable();
        RegisterSprig(t);
        RegisterLists(t);
        RegisterStrings(t);
        RegisterNumbers(t);
        RegisterDates(t);
        RegisterCertificates(t);
        RegisterEncodings(t);
        RegisterHelm(t);
        foreach (var (name, signature) in GoSignatures.Table)
        {
            if (!t.TryGet(name, out var function)) continue;
            t.SetSignature(name, signature);
            if (TypedResult(function, signature.Results[0]) is { } typed) t.Add(name, typed);
        }
        return t.Freeze();
    }

    /// <summary>Gives a function's result the Go type its signature names where the value model would otherwise
    /// blur it: int64 (not int) and typed slices such as []string and []int (not []interface {}).</summary>
    private static GoFunction? TypedResult(GoFunction function, string resultType) => resultType switch
    {
        "int64" => (c, a) => function(c, a) switch { long l => new GoInt64(l), var r => r },
        "[]string" or "[]int" => (c, a) => function(c, a) switch { GoTypedList typed => typed, List<object?> l => new GoTypedList(resultType, l), var r => r },
        _ => null,
    };

    // ---- argument helpers -------------------------------------------------------------------

    internal static string Str(object?[] a, int i)
    {
        if (i >= a.Length) throw new GoFunctionException($"wrong number of args: want at least {i + 1} got {a.Length}");
        return a[i] switch
        {
            string s => s,
            null => throw new GoFunctionException("invalid value; expected string"),
            var o => throw new GoFunctionException($"wrong type for value; expected string; got {GoValues.TypeName(o)}"),
        };
    }

    internal static int Int(object?[] a, int i)
    {
        if (i >= a.Length) throw new GoFunctionException($"wrong number of args: want at least {i + 1} got {a.Length}");
        return a[i] switch
        {
            long l => (int)l,
            int n => n,
            GoInt64 n => (int)n.Value,
            double d when d == Math.Floor(d) => (int)d,
            null => throw new GoFunctionException("invalid value; expected int"),
            var o => throw new GoFunctionException($"wrong type for value; expected int; got {GoValues.TypeName(o)}"),
        };
    }

    internal static IDictionary<string, object?>? Map(object?[] a, int i)
    {
        if (i >= a.Length) throw new GoFunctionException($"wrong number of args: want at least {i + 1} got {a.Length}");
        return a[i] switch
        {
            IDictionary<string, object?> m => m,
            null => null,
            var o => throw new GoFunctionException($"wrong type for value; expected map[string]interface {{}}; got {GoValues.TypeName(o)}"),
        };
    }

    private static void Arity(string name, object?[] a, int n) => GoTemplateArity(name, a, n);

    private static void GoTemplateArity(string name, object?[] a, int n)
    {
        if (a.Length != n) throw new GoFunctionException($"wrong number of args for {name}: want {n} got {a.Length}");
    }

    /// <summary>Sprig's strval.</summary>
    public static string StrVal(object? v) => v switch
    {
        string s => s,
        null => "<nil>",
        _ => GoFormat.ToString(v),
    };

    /// <summary>spf13/cast ToInt64 as Sprig uses it.</summary>
    public static long ToInt64(object? v)
    {
        switch (v)
        {
            case null: return 0;
            case long l: return l;
            case int i: return i;
            case GoInt64 n: return n.Value;
            case double d: return GoFloatToInt(d);
            case bool b: return b ? 1 : 0;
            case string s:
                {
                    s = TrimZeroDecimal(s);
                    return GoTemplate.Parser.TryParseGoInt(s, out long r) ? r : 0;
                }
            default: return 0;
        }
    }

    /// <summary>Go's int64(float64) on amd64: out-of-range values (and NaN) become the smallest int64.</summary>
    internal static long GoFloatToInt(double d) =>
        double.IsNaN(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0 ? long.MinValue : (long)d;

    private static string TrimZeroDecimal(string s)
    {
        bool foundZero = false;
        for (int i = s.Length; i > 0; i--)
        {
            switch (s[i - 1])
            {
                case '.': if (foundZero) return s.Substring(0, i - 1); break;
                case '0': foundZero = true; break;
                default: return s;
            }
        }
        return s;
    }

    public static double ToFloat64(object? v) => v switch
    {
        null => 0,
        long l => l,
        int i => i,
        GoInt64 n => n.Value,
        double d => d,
        bool b => b ? 1 : 0,
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0,
        _ => 0,
    };

    private static List<object?> ToList(object? v, string fn)
    {
        return v switch
        {
            null => new List<object?>(),
            List<object?> l => l,
            IList l => l.Cast<object?>().ToList(),
            _ => throw new GoFunctionException($"Cannot {fn} on type {GoValues.TypeName(v)}"),
        };
    }

    // ---- Sprig ------------------------------------------------------------------------------

    private static void RegisterSprig(FunctionTable t)
    {
        // defaults / flow
        t.Add("default", (_, a) =>
        {
            if (a.Length == 0) throw new GoFunctionException("wrong number of args for default: want at least 1 got 0");
            if (a.Length < 2 || GoValues.IsEmpty(a[1])) return a[0];
            return a[1];
        });
        t.Add("empty", (_, a) => { Arity("empty", a, 1); return GoValues.IsEmpty(a[0]); });
        t.Add("coalesce", (_, a) => a.FirstOrDefault(x => !GoValues.IsEmpty(x)));
        t.Add("ternary", (_, a) =>
        {
            Arity("ternary", a, 3);
            if (a[2] is not bool b) throw new GoFunctionException($"wrong type for value; expected bool; got {GoValues.TypeName(a[2])}");
            return b ? a[0] : a[1];
        });

        // strings
        t.Add("quote", (_, a) => string.Join(" ", a.Where(x => x != null).Select(x => GoFormat.Quote(StrVal(x)))));
        t.Add("squote", (_, a) => string.Join(" ", a.Where(x => x != null).Select(x => "'" + StrVal(x) + "'")));
        t.Add("trim", (_, a) => { Arity("trim", a, 1); return Str(a, 0).Trim(); });
        t.Add("trimSuffix", (_, a) =>
        {
            Arity("trimSuffix", a, 2);
            string suffix = Str(a, 0), s = Str(a, 1);
            return suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s.Substring(0, s.Length - suffix.Length) : s;
        });
        t.Add("trimPrefix", (_, a) =>
        {
            Arity("trimPrefix", a, 2);
            string prefix = Str(a, 0), s = Str(a, 1);
            return prefix.Length > 0 && s.StartsWith(prefix, StringComparison.Ordinal) ? s.Substring(prefix.Length) : s;
        });
        t.Add("upper", (_, a) => Str(a, 0).ToUpperInvariant());
        t.Add("lower", (_, a) => Str(a, 0).ToLowerInvariant());
        t.Add("replace", (_, a) =>
        {
            Arity("replace", a, 3);
            string old = Str(a, 0), nw = Str(a, 1), src = Str(a, 2);
            return old.Length == 0 ? GoReplaceEmpty(src, nw) : src.Replace(old, nw, StringComparison.Ordinal);
        });
        t.Add("trunc", (_, a) =>
        {
            Arity("trunc", a, 2);
            int c = Int(a, 0); string s = Str(a, 1);
            if (c < 0 && s.Length + c > 0) return s.Substring(s.Length + c);
            if (c >= 0 && s.Length > c) return s.Substring(0, c);
            return s;
        });
        t.Add("contains", (_, a) => { Arity("contains", a, 2); return Str(a, 1).Contains(Str(a, 0), StringComparison.Ordinal); });
        t.Add("hasPrefix", (_, a) => { Arity("hasPrefix", a, 2); return Str(a, 1).StartsWith(Str(a, 0), StringComparison.Ordinal); });
        t.Add("hasSuffix", (_, a) => { Arity("hasSuffix", a, 2); return Str(a, 1).EndsWith(Str(a, 0), StringComparison.Ordinal); });
        t.Add("cat", (_, a) => GoFormat.Sprintf(string.Join(" ", a.Where(x => x != null).Select(_ => "%v")), a.Where(x => x != null).ToArray()));
        t.Add("toString", (_, a) => { Arity("toString", a, 1); return StrVal(a[0]); });

        // numbers

        // lists
        t.Add("list", (_, a) => a.ToList());

        // dicts
        t.Add("dict", (_, a) =>
        {
            var d = GoValues.NewMap();
            for (int i = 0; i < a.Length; i += 2)
            {
                string key = StrVal(a[i]);
                d[key] = i + 1 < a.Length ? a[i + 1] : "";
            }
            return d;
        });
        t.Add("set", (_, a) =>
        {
            Arity("set", a, 3);
            var d = Map(a, 0) ?? throw new GoFunctionException("assignment to entry in nil map");
            d[Str(a, 1)] = a[2];
            return d;
        });
        t.Add("unset", (_, a) =>
        {
            Arity("unset", a, 2);
            var d = Map(a, 0);
            d?.Remove(Str(a, 1));
            return d;
        });
        t.Add("hasKey", (_, a) => { Arity("hasKey", a, 2); var d = Map(a, 0); return d != null && d.ContainsKey(Str(a, 1)); });
        t.Add("pick", (_, a) =>
        {
            var d = Map(a, 0);
            var res = GoValues.NewMap();
            for (int i = 1; i < a.Length; i++) { string k = Str(a, i); if (d != null && d.TryGetValue(k, out var v)) res[k] = v; }
            return res;
        });
        t.Add("omit", (_, a) =>
        {
            var d = Map(a, 0);
            var res = GoValues.NewMap();
            var omit = new HashSet<string>(a.Skip(1).Select(x => StrVal(x)), StringComparer.Ordinal);
            if (d != null) foreach (var kv in d) if (!omit.Contains(kv.Key)) res[kv.Key] = kv.Value;
            return res;
        });
        t.Add("keys", (_, a) => a.SelectMany(x => Map(new[] { x }, 0)?.Keys ?? Enumerable.Empty<string>()).Select(k => (object?)k).ToList());
        t.Add("values", (_, a) => (Map(a, 0)?.Values ?? Enumerable.Empty<object?>()).ToList());
        t.Add("dig", (_, a) =>
        {
            if (a.Length < 3) throw new GoFunctionException("dig needs at least three arguments");
            if (a[^1] is not IDictionary<string, object?> d)
                throw new GoFunctionException($"interface conversion: interface {{}} is {GoValues.TypeName(a[^1])}, not map[string]interface {{}}");
            var def = a[^2];
            for (int i = 0; i < a.Length - 2; i++)
            {
                string k = a[i] as string ?? throw new GoFunctionException($"interface conversion: interface {{}} is {GoValues.TypeName(a[i])}, not string");
                if (!d.TryGetValue(k, out var step)) return def;
                if (i == a.Length - 3) return step;
                d = step as IDictionary<string, object?> ?? throw new GoFunctionException($"interface conversion: interface {{}} is {GoValues.TypeName(step)}, not map[string]interface {{}}");
            }
            return def;
        });
        GoFunction merge(bool overwrite, bool must) => (_, a) =>
        {
            if (a.Length == 0) throw new GoFunctionException("wrong number of args: want at least 1 got 0");
            var dst = Map(a, 0) ?? GoValues.NewMap();
            for (int i = 1; i < a.Length; i++)
            {
                var src = Map(a, i);
                if (src != null) Mergo.Merge(dst, src, overwrite);
            }
            return dst;
        };
        t.Add("merge", merge(false, false));
        t.Add("mustMerge", merge(false, true));
        t.Add("mergeOverwrite", merge(true, false));
        t.Add("mustMergeOverwrite", merge(true, true));
        // copystructure panics on nil.
        GoFunction deepCopy = (_, a) => a[0] == null ? throw new GoFunctionException("reflect: call of reflect.Value.Type on zero Value") : GoValues.DeepCopy(a[0]);
        t.Add("deepCopy", deepCopy);
        t.Add("mustDeepCopy", deepCopy);

        // more lists, dicts and strings
        t.Add("get", (_, a) => { Arity("get", a, 2); var d = Map(a, 0); return d != null && d.TryGetValue(Str(a, 1), out var v) ? v : ""; });
        t.Add("pluck", (_, a) =>
        {
            string key = Str(a, 0);
            var res = new List<object?>();
            for (int i = 1; i < a.Length; i++) { var d = Map(a, i); if (d != null && d.TryGetValue(key, out var v)) res.Add(v); }
            return res;
        });

        // types
    }

    private static void RegisterEncodings(FunctionTable t)
    {
        t.Add("semver", (_, a) => SemVer.TryParse(Str(a, 0), out var v) ? new SemVerObject(v) : throw new GoFunctionException("Invalid Semantic Version"));
        t.Add("semverCompare", (_, a) => SemVer.Satisfies(Str(a, 0), Str(a, 1)));
        // Helm's toJson/toYaml swallow errors (empty result); the must* ones report them.
        t.Add("toJson", (_, a) => Swallow(() => GoJson.Marshal(a[0])));
        t.Add("mustToJson", (_, a) => GoJson.Marshal(a[0]));
        t.Add("toPrettyJson", (_, a) => Swallow(() => GoJson.MarshalIndent(a[0])));
        t.Add("mustToPrettyJson", (_, a) => GoJson.MarshalIndent(a[0]));
        t.Add("toRawJson", (_, a) => Swallow(() => GoJson.Marshal(a[0], escapeHtml: false)));
        t.Add("mustToRawJson", (_, a) => GoJson.Marshal(a[0], escapeHtml: false));
        t.Add("fromJson", (_, a) =>
        {
            try
            {
                return GoJson.Unmarshal(Str(a, 0)) switch
                {
                    IDictionary<string, object?> m => m,
                    null => GoValues.NewMap(),
                    var other => ErrorMap($"json: cannot unmarshal {GoYaml.JsonKind(other)} into Go value of type map[string]interface {{}}"),
                };
            }
            catch (GoFunctionException e) { return ErrorMap(e.Message); }
        });
        t.Add("fromJsonArray", (_, a) =>
        {
            try
            {
                return GoJson.Unmarshal(Str(a, 0)) switch
                {
                    List<object?> l => l,
                    null => new List<object?>(),
                    var other => new List<object?> { $"json: cannot unmarshal {GoYaml.JsonKind(other)} into Go value of type []interface {{}}" },
                };
            }
            catch (GoFunctionException e) { return new List<object?> { e.Message }; }
        });
        t.Add("mustFromJson", (_, a) => GoJson.Unmarshal(Str(a, 0)));
    }

    private static string Swallow(Func<string> f)
    {
        try { return f(); }
        catch (GoFunctionException) { return ""; }
    }

    private static Dictionary<string, object?> ErrorMap(string message)
    {
        var m = GoValues.NewMap();
        m["Error"] = message;
        return m;
    }

    // ---- Helm -------------------------------------------------------------------------------

    private static void RegisterHelm(FunctionTable t)
    {
        t.Add("include", (ctx, a) =>
        {
            if (a.Length != 2) throw new GoFunctionException($"wrong number of args for include: want 2 got {a.Length}");
            string name = Str(a, 0);
            // Helm counts nested includes per name and stops past recursionMaxNums (1000).
            var counts = ctx.Items.TryGetValue(IncludeCountsKey, out var c) && c is Dictionary<string, int> d ? d : new Dictionary<string, int>(StringComparer.Ordinal);
            ctx.Items[IncludeCountsKey] = counts;
            if (counts.TryGetValue(name, out int n))
            {
                if (n > IncludeLimit)
                    throw new GoFunctionException($"rendering template has a nested reference name: {name}: unable to execute template", new[] { "unable to execute template" });
                counts[name] = n + 1;
            }
            else counts[name] = 1;
            try { return ctx.ExecuteTemplate(name, a[1]); }
            finally { counts[name]--; }
        });
        t.Add("tpl", (ctx, a) =>
        {
            Arity("tpl", a, 2);
            string text = Str(a, 0);
            var child = ctx.Set.CreateChild();
            child.MissingKey = MissingKeyOption.Zero;
            string name = ctx.Set.RootName;
            try { child.Parse(name, text); }
            catch (RenderException e)
            {
                throw new GoFunctionException($"cannot parse template {GoFormat.Quote(text)}: {e.Message}", new[] { e.Message }, e.ErrorId);
            }
            var sb = new StringBuilder();
            try { child.ExecuteTo(sb, name, a[1], ctx); }
            catch (RenderException e)
            {
                throw new GoFunctionException($"error during tpl function execution for {GoFormat.Quote(text)}: {e.Message}",
                    e.GoChain ?? new[] { e.Message }, e.ErrorId == RenderErrorIds.TemplateExecutionError ? null : e.ErrorId, e);
            }
            return sb.ToString().Replace("<no value>", "", StringComparison.Ordinal);
        });
        t.Add("required", (_, a) =>
        {
            Arity("required", a, 2);
            string warn = Str(a, 0);
            if (a[1] == null || (a[1] is string s && s.Length == 0)) throw new GoFunctionException(HelmWarning(warn), RenderErrorIds.RequiredValueMissing);
            return a[1];
        });
        t.Add("fail", (_, a) => { Arity("fail", a, 1); throw new GoFunctionException(HelmWarning(Str(a, 0)), RenderErrorIds.RequiredValueMissing); });
        t.Add("getHostByName", (_, a) => { Arity("getHostByName", a, 1); Str(a, 0); return ""; });
        t.Add("toYaml", (ctx, a) =>
        {
            Arity("toYaml", a, 1);
            try { return TrimSuffixNewline((ctx.Cache as YamlCache)?.MarshalMemoized(a[0]) ?? GoYaml.Marshal(a[0])); }
            catch (FormatException) { return ""; }
        });
        t.Add("mustToYaml", (_, a) => TrimSuffixNewline(GoYaml.Marshal(a[0])));
        t.Add("toYamlPretty", (_, a) =>
        {
            try { return TrimSuffixNewline(GoYaml.MarshalPretty(a[0])); }
            catch (FormatException) { return ""; }
        });
        t.Add("fromYamlArray", (_, a) =>
        {
            try
            {
                return GoYaml.Parse(Str(a, 0)) switch
                {
                    List<object?> l => l,
                    null => new List<object?>(),
                    var other => new List<object?> { $"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {GoYaml.JsonKind(other)} into Go value of type []interface {{}}" },
                };
            }
            catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException) { return new List<object?> { GoYaml.GoErrorText(e) }; }
        });
        t.Add("fromYaml", (ctx, a) =>
        {
            Arity("fromYaml", a, 1);
            try { return (ctx.Cache as YamlCache)?.ParseMapCached(Str(a, 0)) ?? GoYaml.ParseMap(Str(a, 0)); }
            catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException)
            {
                var m = GoValues.NewMap();
                m["Error"] = GoYaml.GoErrorText(e);
                return m;
            }
        });
        t.Add("lookup", (_, a) => GoValues.NewMap());
    }

    private const string IncludeCountsKey = "helm.include";
    private const int IncludeLimit = 1000;

    /// <summary>Helm marks the messages of required and fail so its error rewriting can find them.</summary>
    internal const string WarnStart = "HELM_ERR_START", WarnEnd = "HELM_ERR_END";

    private static string HelmWarning(string message) => WarnStart + message + WarnEnd;

    private static string TrimSuffixNewline(string s) => s.EndsWith('\n') ? s.Substring(0, s.Length - 1) : s;
}
