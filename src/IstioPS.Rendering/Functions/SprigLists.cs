using System.Collections;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>Sprig's list, type and reflection functions (list.go, reflect.go, defaults.go), each with its must* twin:
/// the plain one panics where the must one returns the error, and Go's template engine reports both the same way.</summary>
public static partial class SprigFunctions
{
    /// <summary>reflect.Kind's name for a value of the model.</summary>
    internal static string GoKind(object? v) => v switch
    {
        null or GoMissing => "invalid",
        string => "string",
        long or int => "int",
        GoInt64 => "int64",
        double => "float64",
        bool => "bool",
        IDictionary<string, object?> => "map",
        IList => "slice",
        IGoMapLike => "map",
        IGoObject o => o.GoTypeName.StartsWith('*') ? "ptr" : "struct",
        _ => "struct",
    };

    /// <summary>The elements of a slice argument; nil panics as reflect.TypeOf(nil).Kind() does in Sprig, other kinds
    /// fail with Sprig's "Cannot ... on type kind" text.</summary>
    private static List<object?> Elements(object? v, string what)
    {
        switch (v)
        {
            case null: throw new NullReferenceException();
            case List<object?> l: return l;
            case IList l: return l.Cast<object?>().ToList();
            default: throw new GoFunctionException(string.Format(System.Globalization.CultureInfo.InvariantCulture, what, GoKind(v)));
        }
    }

    private static void AddBoth(FunctionTable t, string name, GoFunction fn)
    {
        t.Add(name, fn);
        t.Add("must" + char.ToUpperInvariant(name[0]) + name.Substring(1), fn);
    }

    /// <summary>Sprig's strslice: []string as is, other slices element by element (nils dropped), nil empty, else one.</summary>
    internal static List<object?> StrSlice(object? v) => v switch
    {
        null => new List<object?>(),
        IList l => l.Cast<object?>().Where(x => x != null).Select(x => (object?)StrVal(x)).ToList(),
        _ => new List<object?> { StrVal(v) },
    };

    private static void RegisterLists(FunctionTable t)
    {
        t.Add("list", (_, a) => a.ToList());
        t.Add("tuple", (_, a) => a.ToList());
        AddBoth(t, "first", (_, a) => { var l = Elements(a[0], "Cannot find first on type {0}"); return l.Count == 0 ? null : l[0]; });
        AddBoth(t, "last", (_, a) => { var l = Elements(a[0], "Cannot find last on type {0}"); return l.Count == 0 ? null : l[^1]; });
        AddBoth(t, "rest", (_, a) => { var l = Elements(a[0], "Cannot find rest on type {0}"); return l.Count == 0 ? null : l.Skip(1).ToList(); });
        AddBoth(t, "initial", (_, a) => { var l = Elements(a[0], "Cannot find initial on type {0}"); return l.Count == 0 ? null : l.Take(l.Count - 1).ToList(); });
        AddBoth(t, "reverse", (_, a) => { var l = new List<object?>(Elements(a[0], "Cannot find reverse on type {0}")); l.Reverse(); return l; });
        GoFunction push = (_, a) => { var l = new List<object?>(Elements(a[0], "Cannot push on type {0}")); l.Add(a[1]); return l; };
        AddBoth(t, "append", push);
        AddBoth(t, "push", push);
        AddBoth(t, "prepend", (_, a) => { var l = new List<object?>(Elements(a[0], "Cannot prepend on type {0}")); l.Insert(0, a[1]); return l; });
        AddBoth(t, "compact", (_, a) => Elements(a[0], "Cannot compact on type {0}").Where(x => !GoValues.IsEmpty(x)).ToList());
        AddBoth(t, "uniq", (_, a) =>
        {
            var res = new List<object?>();
            foreach (var x in Elements(a[0], "Cannot find uniq on type {0}")) if (!res.Any(y => GoValues.DeepEqual(x, y))) res.Add(x);
            return res;
        });
        AddBoth(t, "without", (_, a) => Elements(a[0], "Cannot find without on type {0}").Where(x => !a.Skip(1).Any(y => GoValues.DeepEqual(x, y))).ToList());
        AddBoth(t, "has", (_, a) => a[1] != null && Elements(a[1], "Cannot find has on type {0}").Any(x => GoValues.DeepEqual(a[0], x)));
        AddBoth(t, "slice", (_, a) =>
        {
            if (a[0] is not IList && a[0] != null) throw new GoFunctionException($"list should be type of slice or array but {GoKind(a[0])}");
            var l = Elements(a[0], "list should be type of slice or array but {0}");
            if (l.Count == 0) return null;
            int start = a.Length > 1 ? (int)ToInt64(a[1]) : 0, end = a.Length > 2 ? (int)ToInt64(a[2]) : l.Count;
            if (start < 0 || end > l.Count || start > end) throw new GoFunctionException("reflect.Value.Slice: slice index out of bounds");
            return l.GetRange(start, end - start);
        });
        AddBoth(t, "chunk", (_, a) =>
        {
            int size = Int(a, 0);
            var l = Elements(a[1], "Cannot chunk type {0}");
            if (size < 1) throw new GoFunctionException("runtime error: makeslice: len out of range");
            var res = new List<object?>();
            for (int i = 0; i < l.Count; i += size) res.Add(l.GetRange(i, Math.Min(size, l.Count - i)));
            return res;
        });
        t.Add("concat", (_, a) =>
        {
            var res = new List<object?>();
            foreach (var x in a) res.AddRange(Elements(x, "Cannot concat type {0} as list"));
            return res;
        });
        t.Add("until", (_, a) => UntilStep(0, Int(a, 0), Int(a, 0) < 0 ? -1 : 1));
        t.Add("untilStep", (_, a) => UntilStep(Int(a, 0), Int(a, 1), Int(a, 2)));
        t.Add("seq", (_, a) =>
        {
            var p = a.Select(x => GoValues.Integer(x) ?? 0L).ToArray();
            List<object?> r;
            switch (p.Length)
            {
                case 1: r = UntilStep(1, p[0] + (p[0] < 1 ? -1 : 1), p[0] < 1 ? -1 : 1); break;
                case 2: { long step = p[1] < p[0] ? -1 : 1; r = UntilStep(p[0], p[1] + step, step); break; }
                case 3:
                    {
                        long inc = 1;
                        if (p[2] < p[0]) { inc = -1; if (p[1] > 0) return ""; }
                        r = UntilStep(p[0], p[2] + inc, p[1]);
                        break;
                    }
                default: return "";
            }
            return string.Join(" ", r.Select(x => GoFormat.ToString(x)));
        });
        t.Add("all", (_, a) => a.All(x => !GoValues.IsEmpty(x)));
        t.Add("any", (_, a) => a.Any(x => !GoValues.IsEmpty(x)));
        t.Add("deepEqual", (_, a) => GoValues.DeepEqual(a[0], a[1]));
        t.Add("sortAlpha", (_, a) =>
        {
            if (a[0] is not IList) return new List<object?> { StrVal(a[0]) };
            var l = StrSlice(a[0]).Cast<string>().ToList();
            l.Sort(StringComparer.Ordinal);
            return l.Select(x => (object?)x).ToList();
        });
        t.Add("toStrings", (_, a) => StrSlice(a[0]));
        t.Add("join", (_, a) => string.Join(Str(a, 0), StrSlice(a[1]).Cast<string>()));

        t.Add("typeOf", (_, a) => GoValues.TypeName(a[0]));
        t.Add("typeIs", (_, a) => Str(a, 0) == GoValues.TypeName(a[1]));
        t.Add("typeIsLike", (_, a) => { string ty = GoValues.TypeName(a[1]); return Str(a, 0) == ty || "*" + Str(a, 0) == ty; });
        t.Add("kindOf", (_, a) => GoKind(a[0]));
        t.Add("kindIs", (_, a) => Str(a, 0) == GoKind(a[1]));
    }

    /// <summary>Sprig's untilStep: from start towards stop (exclusive) by step; nothing when step points away.</summary>
    private static List<object?> UntilStep(long start, long stop, long step)
    {
        var v = new List<object?>();
        if (stop < start)
        {
            if (step >= 0) return v;
            for (long i = start; i > stop; i += step) v.Add(i);
            return v;
        }
        if (step <= 0) return v;
        for (long i = start; i < stop; i += step) v.Add(i);
        return v;
    }
}
