using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Functions;

/// <summary>Sprig and Helm template functions with Go's behaviour.</summary>
public static class SprigFunctions
{
    /// <summary>A function table with Go builtins, Sprig's functions and Helm's (include, tpl, required, toYaml, fromYaml, toJson...).</summary>
    public static FunctionTable CreateHelmTable()
    {
        var t = new FunctionTable();
        RegisterSprig(t);
        RegisterHelm(t);
        return t;
    }

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
            case double d: return double.IsNaN(d) ? 0 : (long)d;
            case bool b: return b ? 1 : 0;
            case string s:
                {
                    s = TrimZeroDecimal(s);
                    return GoTemplate.Parser.TryParseGoInt(s, out long r) ? r : 0;
                }
            default: return 0;
        }
    }

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

    private static readonly ConcurrentDictionary<string, Regex> RegexCache = new(StringComparer.Ordinal);

    internal static Regex GoRegex(string pattern) =>
        RegexCache.GetOrAdd(pattern, p => new Regex(p, RegexOptions.CultureInvariant));

    /// <summary>reflect.DeepEqual for the value model.</summary>
    public static bool DeepEqual(object? a, object? b)
    {
        a = GoValues.Normalize(a); b = GoValues.Normalize(b);
        if (a == null || b == null) return a == null && b == null;
        if (a.GetType() != b.GetType()) return false;
        switch (a)
        {
            case IDictionary<string, object?> ma:
                var mb = (IDictionary<string, object?>)b;
                if (ma.Count != mb.Count) return false;
                foreach (var kv in ma) if (!mb.TryGetValue(kv.Key, out var bv) || !DeepEqual(kv.Value, bv)) return false;
                return true;
            case IList la:
                var lb = (IList)b;
                if (la.Count != lb.Count) return false;
                for (int i = 0; i < la.Count; i++) if (!DeepEqual(la[i], lb[i])) return false;
                return true;
            default:
                return a.Equals(b);
        }
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
        t.Add("indent", (_, a) => { Arity("indent", a, 2); return Indent(Int(a, 0), Str(a, 1)); });
        t.Add("nindent", (_, a) => { Arity("nindent", a, 2); return "\n" + Indent(Int(a, 0), Str(a, 1)); });
        t.Add("trim", (_, a) => { Arity("trim", a, 1); return Str(a, 0).Trim(); });
        t.Add("trimAll", (_, a) => { Arity("trimAll", a, 2); return Str(a, 1).Trim(Str(a, 0).ToCharArray()); });
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
        t.Add("title", (_, a) => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Str(a, 0)));
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
        t.Add("repeat", (_, a) =>
        {
            Arity("repeat", a, 2);
            int n = Int(a, 0);
            if (n < 0) throw new GoFunctionException("strings: negative Repeat count");
            return string.Concat(Enumerable.Repeat(Str(a, 1), n));
        });
        t.Add("contains", (_, a) => { Arity("contains", a, 2); return Str(a, 1).Contains(Str(a, 0), StringComparison.Ordinal); });
        t.Add("hasPrefix", (_, a) => { Arity("hasPrefix", a, 2); return Str(a, 1).StartsWith(Str(a, 0), StringComparison.Ordinal); });
        t.Add("hasSuffix", (_, a) => { Arity("hasSuffix", a, 2); return Str(a, 1).EndsWith(Str(a, 0), StringComparison.Ordinal); });
        t.Add("cat", (_, a) => GoFormat.Sprintf(string.Join(" ", a.Where(x => x != null).Select(_ => "%v")), a.Where(x => x != null).ToArray()));
        t.Add("toString", (_, a) => { Arity("toString", a, 1); return StrVal(a[0]); });
        t.Add("toStrings", (_, a) => ToList(a[0], "toStrings").Select(x => (object?)StrVal(x)).ToList());
        t.Add("split", (_, a) =>
        {
            Arity("split", a, 2);
            var parts = Str(a, 1).Split(Str(a, 0));
            var res = GoValues.NewMap();
            for (int i = 0; i < parts.Length; i++) res["_" + i.ToString(CultureInfo.InvariantCulture)] = parts[i];
            return res;
        });
        t.Add("splitList", (_, a) => { Arity("splitList", a, 2); return GoSplit(Str(a, 1), Str(a, 0)).Select(x => (object?)x).ToList(); });
        t.Add("join", (_, a) => { Arity("join", a, 2); return string.Join(Str(a, 0), ToList(a[1], "join").Where(x => x != null).Select(StrVal)); });
        t.Add("regexMatch", (_, a) => { Arity("regexMatch", a, 2); return GoRegex(Str(a, 0)).IsMatch(Str(a, 1)); });
        t.Add("regexReplaceAll", (_, a) => { Arity("regexReplaceAll", a, 3); return GoRegex(Str(a, 0)).Replace(Str(a, 1), Str(a, 2).Replace("${", "$${").Replace("$$${", "${")); });
        t.Add("regexFind", (_, a) => { Arity("regexFind", a, 2); var m = GoRegex(Str(a, 0)).Match(Str(a, 1)); return m.Success ? m.Value : ""; });
        t.Add("b64enc", (_, a) => Convert.ToBase64String(Encoding.UTF8.GetBytes(StrVal(a[0]))));
        t.Add("b64dec", (_, a) =>
        {
            try { return Encoding.UTF8.GetString(Convert.FromBase64String(StrVal(a[0]))); }
            catch (FormatException e) { return e.Message; }
        });
        t.Add("sha256sum", (_, a) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Str(a, 0)))).ToLowerInvariant());

        // numbers
        t.Add("int", (_, a) => { Arity("int", a, 1); return ToInt64(a[0]); });
        t.Add("int64", (_, a) => { Arity("int64", a, 1); return ToInt64(a[0]); });
        t.Add("atoi", (_, a) => { Arity("atoi", a, 1); return GoTemplate.Parser.TryParseGoInt(Str(a, 0), out long l) && !Str(a, 0).StartsWith('0') ? l : long.TryParse(Str(a, 0), out l) ? l : 0L; });
        t.Add("float64", (_, a) => { Arity("float64", a, 1); return ToFloat64(a[0]); });
        t.Add("add", (_, a) => a.Aggregate(0L, (s, x) => s + ToInt64(x)));
        t.Add("add1", (_, a) => ToInt64(a[0]) + 1);
        t.Add("sub", (_, a) => { Arity("sub", a, 2); return ToInt64(a[0]) - ToInt64(a[1]); });
        t.Add("mul", (_, a) => a.Skip(1).Aggregate(ToInt64(a[0]), (s, x) => s * ToInt64(x)));
        t.Add("div", (_, a) =>
        {
            Arity("div", a, 2);
            long d = ToInt64(a[1]);
            if (d == 0) throw new GoFunctionException("runtime error: integer divide by zero");
            return ToInt64(a[0]) / d;
        });
        t.Add("mod", (_, a) => { Arity("mod", a, 2); return ToInt64(a[0]) % ToInt64(a[1]); });
        t.Add("max", (_, a) => a.Skip(1).Aggregate(ToInt64(a[0]), (s, x) => Math.Max(s, ToInt64(x))));
        t.Add("min", (_, a) => a.Skip(1).Aggregate(ToInt64(a[0]), (s, x) => Math.Min(s, ToInt64(x))));

        // lists
        t.Add("list", (_, a) => a.ToList());
        t.Add("has", (_, a) =>
        {
            Arity("has", a, 2);
            if (a[1] == null) return false;
            if (a[1] is not IList l) throw new GoFunctionException($"Cannot find has on type {GoValues.TypeName(a[1])}");
            foreach (var x in l) if (DeepEqual(a[0], x)) return true;
            return false;
        });
        t.Add("first", (_, a) => { var l = ToList(a[0], "find first"); return l.Count == 0 ? null : l[0]; });
        t.Add("last", (_, a) => { var l = ToList(a[0], "find last"); return l.Count == 0 ? null : l[^1]; });
        t.Add("append", (_, a) => { var l = new List<object?>(ToList(a[0], "append")); l.Add(a[1]); return l; });
        t.Add("prepend", (_, a) => { var l = new List<object?>(ToList(a[0], "prepend")); l.Insert(0, a[1]); return l; });
        t.Add("concat", (_, a) => a.SelectMany(x => ToList(x, "concat")).ToList());
        t.Add("uniq", (_, a) =>
        {
            var res = new List<object?>();
            foreach (var x in ToList(a[0], "uniq")) if (!res.Any(y => DeepEqual(x, y))) res.Add(x);
            return res;
        });
        t.Add("without", (_, a) => ToList(a[0], "without").Where(x => !a.Skip(1).Any(y => DeepEqual(x, y))).ToList());
        t.Add("compact", (_, a) => ToList(a[0], "compact").Where(x => !GoValues.IsEmpty(x)).ToList());
        t.Add("sortAlpha", (_, a) =>
        {
            var l = ToList(a[0], "sortAlpha").Select(StrVal).ToList();
            l.Sort(StringComparer.Ordinal);
            return l.Select(x => (object?)x).ToList();
        });
        t.Add("until", (_, a) => Enumerable.Range(0, Math.Max(0, Int(a, 0))).Select(i => (object?)(long)i).ToList());

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
        t.Add("deepCopy", (_, a) => { Arity("deepCopy", a, 1); return GoValues.DeepCopy(a[0]); });
        t.Add("mustDeepCopy", (_, a) => { Arity("mustDeepCopy", a, 1); return GoValues.DeepCopy(a[0]); });

        // more lists, dicts and strings
        t.Add("get", (_, a) => { Arity("get", a, 2); var d = Map(a, 0); return d != null && d.TryGetValue(Str(a, 1), out var v) ? v : ""; });
        t.Add("pluck", (_, a) =>
        {
            string key = Str(a, 0);
            var res = new List<object?>();
            for (int i = 1; i < a.Length; i++) { var d = Map(a, i); if (d != null && d.TryGetValue(key, out var v)) res.Add(v); }
            return res;
        });
        t.Add("rest", (_, a) => ToList(a[0], "find rest").Skip(1).ToList());
        t.Add("initial", (_, a) => { var l = ToList(a[0], "find initial"); return l.Take(Math.Max(0, l.Count - 1)).ToList(); });
        t.Add("reverse", (_, a) => { var l = new List<object?>(ToList(a[0], "reverse")); l.Reverse(); return l; });
        t.Add("substr", (_, a) =>
        {
            Arity("substr", a, 3);
            int start = Int(a, 0), end = Int(a, 1); string s = Str(a, 2);
            if (start < 0) return s.Substring(0, Math.Min(Math.Max(end, 0), s.Length));
            if (end < 0 || end > s.Length) return start > s.Length ? "" : s.Substring(start);
            return start > end ? "" : s.Substring(start, end - start);
        });
        t.Add("nospace", (_, a) => new string(Str(a, 0).Where(c => !char.IsWhiteSpace(c)).ToArray()));
        t.Add("regexFindAll", (_, a) =>
        {
            Arity("regexFindAll", a, 3);
            int n = Int(a, 2);
            var matches = GoRegex(Str(a, 0)).Matches(Str(a, 1)).Select(m => (object?)m.Value);
            return (n < 0 ? matches : matches.Take(n)).ToList();
        });
        t.Add("regexSplit", (_, a) =>
        {
            Arity("regexSplit", a, 3);
            int n = Int(a, 2);
            var parts = n < 0 ? GoRegex(Str(a, 0)).Split(Str(a, 1)) : GoRegex(Str(a, 0)).Split(Str(a, 1), Math.Max(n, 1));
            return parts.Select(p => (object?)p).ToList();
        });
        t.Add("sha1sum", (_, a) => Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(Str(a, 0)))).ToLowerInvariant());
        t.Add("semverCompare", (_, a) => { Arity("semverCompare", a, 2); return SemVer.Satisfies(Str(a, 0), Str(a, 1)); });
        t.Add("semver", (_, a) =>
        {
            Arity("semver", a, 1);
            if (!SemVer.TryParse(Str(a, 0), out var v)) throw new GoFunctionException("Invalid Semantic Version");
            var m = GoValues.NewMap();
            m["Major"] = v.Major; m["Minor"] = v.Minor; m["Patch"] = v.Patch; m["Prerelease"] = v.Prerelease; m["Original"] = v.Original;
            return m;
        });

        // types
        t.Add("kindIs", (_, a) => { Arity("kindIs", a, 2); return Kind(a[1]) == Str(a, 0); });
        t.Add("kindOf", (_, a) => { Arity("kindOf", a, 1); return Kind(a[0]); });
        t.Add("typeOf", (_, a) => { Arity("typeOf", a, 1); return GoValues.TypeName(a[0]); });
        t.Add("typeIs", (_, a) => { Arity("typeIs", a, 2); return GoValues.TypeName(a[1]) == Str(a, 0); });
        t.Add("toJson", (_, a) => { Arity("toJson", a, 1); return GoJson.Marshal(a[0]); });
        t.Add("toPrettyJson", (_, a) => { Arity("toPrettyJson", a, 1); return GoJson.MarshalIndent(a[0]); });
        t.Add("toRawJson", (_, a) => { Arity("toRawJson", a, 1); return GoJson.Marshal(a[0]); });
    }

    private static string Kind(object? v) => v switch
    {
        null => "invalid",
        string => "string",
        long or int => "int",
        double => "float64",
        bool => "bool",
        IDictionary<string, object?> => "map",
        IList => "slice",
        _ => "struct",
    };

    private static string Indent(int spaces, string v)
    {
        string pad = new(' ', Math.Max(0, spaces));
        return pad + v.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }

    private static string GoReplaceEmpty(string s, string nw)
    {
        var sb = new StringBuilder();
        sb.Append(nw);
        foreach (var r in s.EnumerateRunes()) { sb.Append(r.ToString()); sb.Append(nw); }
        return sb.ToString();
    }

    /// <summary>strings.Split semantics (empty separator splits into UTF-8 sequences).</summary>
    private static IEnumerable<string> GoSplit(string s, string sep)
    {
        if (sep.Length == 0) return s.EnumerateRunes().Select(r => r.ToString());
        return s.Split(sep);
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
        t.Add("toYaml", (_, a) =>
        {
            Arity("toYaml", a, 1);
            try { return TrimSuffixNewline(GoYaml.MarshalMemoized(a[0])); }
            catch (FormatException) { return ""; }
        });
        t.Add("toYamlPretty", (_, a) => TrimSuffixNewline(GoYaml.Marshal(a[0])));
        t.Add("fromYaml", (_, a) =>
        {
            Arity("fromYaml", a, 1);
            try { return GoYaml.ParseMapCached(Str(a, 0)); }
            catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException)
            {
                var m = GoValues.NewMap();
                m["Error"] = e.Message;
                return m;
            }
        });
        t.Add("fromYamlArray", (_, a) =>
        {
            try { return GoYaml.Parse(Str(a, 0)) as List<object?> ?? new List<object?>(); }
            catch (YamlDotNet.Core.YamlException e) { return new List<object?> { e.Message }; }
        });
        t.Add("fromJson", (_, a) =>
        {
            try { return GoYaml.Parse(Str(a, 0)) as IDictionary<string, object?> ?? GoValues.NewMap(); }
            catch (YamlDotNet.Core.YamlException e) { var m = GoValues.NewMap(); m["Error"] = e.Message; return m; }
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
