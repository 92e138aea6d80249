using System.Collections.Immutable;
using System.Collections;
using System.Globalization;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Istio;

/// <summary>istioctl's values.Map operations on the value model: path get/set with "[i]" and "[key:value]"
/// segments, MergeFrom, --set parsing and value typing.</summary>
public static class IopValues
{
    private static readonly ImmutableArray<string> AlwaysString = ImmutableArray.Create(new string[]
    {
        "spec.values.compatibilityVersion", "spec.tag", "spec.values.global.tag",
        "spec.meshConfig.defaultConfig.proxyMetadata.", "spec.values.meshConfig.defaultConfig.proxyMetadata.",
        "spec.compatibilityVersion",
    });

    /// <summary>values.Map.MergeFrom: nested maps merge, everything else (lists, nulls) replaces; src maps are shared.</summary>
    public static void MergeFrom(IDictionary<string, object?> dst, IDictionary<string, object?> src)
    {
        foreach (var kv in src)
        {
            if (kv.Value is IDictionary<string, object?> vm && dst.TryGetValue(kv.Key, out var bv) && bv is IDictionary<string, object?> bm)
            {
                MergeFrom(bm, vm);
                continue;
            }
            dst[kv.Key] = kv.Value;
        }
    }

    /// <summary>Splits an istioctl path: escaped dots ("a\.b") stay in the segment; "x[0]" becomes "x", "[0]".</summary>
    public static List<string> SplitPath(string path)
    {
        path = path.Trim('.');
        var result = new List<string>();
        int start = 0;
        var parts = new List<string>();
        for (int i = 0; i < path.Length; i++)
        {
            if (path[i] == '.' && (i == 0 || path[i - 1] != '\\'))
            {
                parts.Add(path.Substring(start, i - start));
                start = i + 1;
            }
        }
        parts.Add(path.Substring(start));
        foreach (var raw in parts)
        {
            if (raw.Length == 0) continue;
            string str = raw.Replace("\\.", ".");
            int nb = str.IndexOf('[');
            if (nb > 0) { result.Add(str.Substring(0, nb)); result.Add(str.Substring(nb)); }
            else result.Add(str);
        }
        return result;
    }

    private static bool TryIndex(string seg, out int index)
    {
        index = 0;
        return seg.StartsWith('[') && seg.EndsWith(']') &&
               int.TryParse(seg.AsSpan(1, seg.Length - 2), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index);
    }

    private static bool TryKeyValue(string seg, out string key, out string value)
    {
        key = value = "";
        if (!seg.StartsWith('[') || !seg.EndsWith(']')) return false;
        var inner = seg.Substring(1, seg.Length - 2);
        int c = inner.IndexOf(':');
        if (c < 0) return false;
        key = inner.Substring(0, c);
        value = inner.Substring(c + 1);
        return true;
    }

    public static bool TryGetPath(IDictionary<string, object?> m, string path, out object? value)
    {
        object? cur = m;
        foreach (var n in SplitPath(path))
        {
            if (TryIndex(n, out int idx))
            {
                if (cur is not IList a || idx < 0 || idx >= a.Count) { value = null; return false; }
                cur = a[idx];
            }
            else if (TryKeyValue(n, out var k, out var v))
            {
                if (cur is not IList a) { value = null; return false; }
                object? found = null;
                bool ok = false;
                foreach (var e in a)
                    if (e is IDictionary<string, object?> em && em.TryGetValue(k, out var ev) && ev is string es && es == v) { found = e; ok = true; break; }
                if (!ok) { value = null; return false; }
                cur = found;
            }
            else
            {
                if (cur is not IDictionary<string, object?> cm || !cm.TryGetValue(n, out var sub)) { value = null; return false; }
                cur = sub;
            }
        }
        value = cur;
        return true;
    }

    public static IDictionary<string, object?>? GetPathMap(IDictionary<string, object?> m, string path) =>
        TryGetPath(m, path, out var v) ? v as IDictionary<string, object?> : null;

    public static string GetPathString(IDictionary<string, object?> m, string path) =>
        TryGetPath(m, path, out var v) && v is string s ? s : "";

    public static bool GetPathBool(IDictionary<string, object?> m, string path) =>
        TryGetPath(m, path, out var v) && v is bool b && b;

    /// <summary>values.Map.SetPath: creates intermediate maps; "[i]" beyond the end appends; "[k:v]" selects an element.</summary>
    public static void SetPath(IDictionary<string, object?> m, string path, object? value)
    {
        var segs = SplitPath(path);
        if (segs.Count == 0) throw new RenderException(RenderErrorIds.InvalidSetPath, $"invalid path \"{path}\"");
        SetRecurse(m, segs, 0, value, path);
    }

    private static void SetRecurse(IDictionary<string, object?> b, List<string> paths, int at, object? value, string full)
    {
        string seg = paths[at];
        if (seg.StartsWith('['))
            throw new RenderException(RenderErrorIds.InvalidSetPath, $"invalid path \"{full}\": unexpected index segment {seg}");
        bool last = at == paths.Count - 1;
        bool nextIsArray = at + 1 < paths.Count && paths[at + 1].StartsWith('[');
        if (nextIsArray)
        {
            last = at + 2 == paths.Count;
            if (!b.TryGetValue(seg, out var existing) || existing == null) { existing = new List<object?>(); b[seg] = existing; }
            if (existing is not List<object?> l)
                throw new RenderException(RenderErrorIds.InvalidSetPath, $"invalid path \"{full}\": {seg} is not a list");
            int index;
            if (TryKeyValue(paths[at + 1], out var k, out var v))
            {
                index = l.FindIndex(e => e is IDictionary<string, object?> em && em.TryGetValue(k, out var ev) && ev is string s && s == v);
                if (index < 0) throw new RenderException(RenderErrorIds.InvalidSetPath, $"invalid path \"{full}\": element {paths[at + 1]} not found");
            }
            else if (!TryIndex(paths[at + 1], out index))
                throw new RenderException(RenderErrorIds.InvalidSetPath, $"invalid path \"{full}\": unknown segment {paths[at + 1]}");
            if (index < 0 || index >= l.Count)
            {
                if (last) l.Add(value);
                else
                {
                    var nm = GoValues.NewMap();
                    SetRecurse(nm, paths, at + 2, value, full);
                    l.Add(nm);
                }
            }
            else
            {
                if (last) { l[index] = value; return; }
                if (l[index] is not IDictionary<string, object?> em)
                {
                    em = GoValues.NewMap();
                    l[index] = em;
                }
                SetRecurse(em, paths, at + 2, value, full);
            }
            return;
        }
        if (last) { b[seg] = value; return; }
        if (!b.TryGetValue(seg, out var cur) || cur is not IDictionary<string, object?> cm)
        {
            if (b.ContainsKey(seg) && cur != null && cur is not IDictionary<string, object?>)
                throw new RenderException(RenderErrorIds.InvalidSetPath, $"invalid path \"{full}\": {seg} is not a map");
            cm = GoValues.NewMap();
            b[seg] = cm;
        }
        SetRecurse(cm, paths, at + 1, value, full);
    }

    /// <summary>values.Map.SetSpecPaths: each "path=value" is set under "spec." with istioctl's value typing.</summary>
    public static void SetSpecPaths(IDictionary<string, object?> m, IEnumerable<string> setFlags)
    {
        foreach (var flag in setFlags)
        {
            int eq = flag.IndexOf('=');
            string p = (eq < 0 ? flag : flag.Substring(0, eq)).Trim();
            string v = eq < 0 ? "" : flag.Substring(eq + 1).Trim();
            if (p.Length == 0) throw new RenderException(RenderErrorIds.InvalidSetPath, $"invalid --set \"{flag}\": empty path");
            if (p.IndexOfAny(new[] { ' ', '\t' }) >= 0 || p.Contains("..", StringComparison.Ordinal) || p.StartsWith('['))
                throw new RenderException(RenderErrorIds.InvalidSetPath, $"invalid --set path \"{p}\"");
            string full = "spec." + p;
            object? val = AlwaysString.Any(a => full.StartsWith(a, StringComparison.Ordinal)) ? v : ParseValue(v);
            SetPath(m, full, val);
        }
    }

    /// <summary>istioctl's parseValue: int, then float, then bool (strconv.ParseBool), else string ("\," unescaped).</summary>
    public static object? ParseValue(string s)
    {
        if (GoAtoi(s, out long l)) return l;
        if (GoParseFloat(s, out double d)) return d;
        switch (s)
        {
            case "1": case "t": case "T": case "TRUE": case "true": case "True": return true;
            case "0": case "f": case "F": case "FALSE": case "false": case "False": return false;
        }
        return s.Replace("\\,", ",", StringComparison.Ordinal);
    }

    private static bool GoAtoi(string s, out long v)
    {
        v = 0;
        if (s.Length == 0) return false;
        int i = 0;
        if (s[0] == '+' || s[0] == '-') i = 1;
        if (i == s.Length) return false;
        for (int k = i; k < s.Length; k++) if (s[k] < '0' || s[k] > '9') return false;
        return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v);
    }

    private static bool GoParseFloat(string s, out double d)
    {
        d = 0;
        if (s.Length == 0) return false;
        string t = s.Replace("_", "");
        string lower = t.ToLowerInvariant().TrimStart('+', '-');
        if (lower is "inf" or "infinity" or "nan")
        {
            d = lower == "nan" ? double.NaN : s.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        foreach (char c in t) if (!(char.IsDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')) return false;
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out d);
    }

    /// <summary>A JSON round trip of the value model (values.Map.DeepClone): every number becomes float64.</summary>
    public static object? JsonClone(object? v)
    {
        switch (v)
        {
            case IDictionary<string, object?> m:
                var nm = new Dictionary<string, object?>(m.Count, StringComparer.Ordinal);
                foreach (var kv in m) nm[kv.Key] = JsonClone(kv.Value);
                return nm;
            case IList l:
                var nl = new List<object?>(l.Count);
                foreach (var e in l) nl.Add(JsonClone(e));
                return nl;
            case long n: return (double)n;
            case GoInt64 n: return (double)n.Value;
            case int i: return (double)i;
            case GoMissing: return null;
            default: return v;
        }
    }

    public static Dictionary<string, object?> JsonCloneMap(IDictionary<string, object?> m) => (Dictionary<string, object?>)JsonClone(m)!;
}
