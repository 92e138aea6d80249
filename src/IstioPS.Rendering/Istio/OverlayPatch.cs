using System.Collections;
using IstioPS.Rendering.Functions;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Istio;

/// <summary>istioctl's k8s.overlays patches (operator/pkg/tpath): a path of map keys and list selectors walked through a
/// rendered object, creating missing map entries on the way, then the value written there (or, without a value, the
/// node deleted). Selectors: [N] an index (past the end appends), [key:value] the first map item whose key prints as
/// value, [value] or [:value] the first scalar item matching value as an unanchored regular expression; "\." escapes a
/// dot. A string value that reads as a YAML map ("a: b", or several lines with a colon) is written as that map.
/// istioctl 1.30 drops a patch whose path fails (nothing written); so does this, returning istioctl's error text.</summary>
internal static class OverlayPatch
{
    private sealed class Context
    {
        public Context? Parent;
        public object? Key;
        public object? Node;
    }

    /// <summary>Applies one patch to <paramref name="root"/>; returns null, or the error istioctl would record.</summary>
    public static string? Apply(IDictionary<string, object?> root, string path, object? value)
    {
        var elements = PathFromString(path);
        string full = string.Join(".", elements);
        var ctx = Find(new Context { Node = root }, full, elements, 0, out string? error);
        if (ctx == null) return error;
        return value != null ? Set(ctx, value) : Delete(ctx);
    }

    /// <summary>util.PathFromString: split at unescaped dots, "\." kept as a dot, "a[0]" split into "a" and "[0]".</summary>
    internal static List<string> PathFromString(string path)
    {
        path = path.Trim('.');
        var result = new List<string>();
        foreach (var raw in SplitEscaped(path, '.'))
        {
            if (raw.Length == 0) continue;
            string s = raw.Replace("\\.", ".", StringComparison.Ordinal);
            int bracket = s.IndexOf('[');
            if (bracket > 0) { result.Add(s.Substring(0, bracket)); result.Add(s.Substring(bracket)); }
            else result.Add(s);
        }
        return result;
    }

    private static List<string> SplitEscaped(string s, char sep)
    {
        var parts = new List<string>();
        if (s.Length == 0) return parts;
        int start = 0;
        for (int i = 0; i < s.Length; i++)
            if (s[i] == sep && (i == 0 || s[i - 1] != '\\')) { parts.Add(s.Substring(start, i - start)); start = i + 1; }
        parts.Add(s.Substring(start));
        return parts;
    }

    private static bool Brackets(string pe, out string inner)
    {
        inner = pe.Length >= 2 && pe[0] == '[' && pe[^1] == ']' ? pe.Substring(1, pe.Length - 2) : "";
        return pe.Length >= 2 && pe[0] == '[' && pe[^1] == ']';
    }

    private static bool IsIndex(string pe, out int n)
    {
        n = 0;
        return Brackets(pe, out var inner) && int.TryParse(inner, System.Globalization.NumberStyles.AllowLeadingSign,
            System.Globalization.CultureInfo.InvariantCulture, out n) && n > -1;
    }

    private static bool IsKeyValue(string pe, out string key, out string value)
    {
        key = value = "";
        if (!Brackets(pe, out var inner)) return false;
        var kv = SplitEscaped(inner, ':');
        if (kv.Count != 2 || kv[0].Length == 0 || kv[1].Length == 0 || !kv[0].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) return false;
        key = kv[0];
        value = kv[1];
        return true;
    }

    private static Context? Find(Context nc, string full, List<string> path, int at, out string? error)
    {
        error = null;
        while (true)
        {
            if (at == path.Count) return nc;
            string pe = path[at];
            if (nc.Node == null)
                nc.Node = IsIndex(pe, out _) || IsKeyValue(pe, out _, out _) ? new List<object?>() : GoValues.NewMap();
            if (nc.Node is List<object?> list)
            {
                if (IsIndex(pe, out int idx))
                {
                    object? found;
                    if (idx >= list.Count) { idx = list.Count; found = GoValues.NewMap(); }
                    else found = list[idx];
                    nc.Key = idx;
                    nc = new Context { Parent = nc, Node = found };
                    at++;
                    continue;
                }
                Context? next = null;
                for (int i = 0; i < list.Count && next == null; i++)
                {
                    if (list[i] is IDictionary<string, object?> item)
                    {
                        if (!IsKeyValue(pe, out string k, out string v)) { error = $"path {full}: {pe} is not a valid key:value path element"; return null; }
                        if (GoFormat.ToString(item.TryGetValue(k, out var iv) ? iv : null) != v) continue;
                        nc.Key = i;
                        next = new Context { Parent = nc, Node = item, Key = k };
                        if (at == path.Count - 1) return next; // a [key:value] at the end selects the item itself
                    }
                    else
                    {
                        Brackets(pe, out var inner);
                        string pattern = inner.Length > 1 && inner[0] == ':' ? inner.Substring(1) : inner;
                        if (pattern.Length == 0) { error = $"path {full}: {pe} is not a valid value path element"; return null; }
                        if (!MatchesRegex(pattern, list[i])) continue;
                        nc.Key = i;
                        next = new Context { Parent = nc, Node = list[i] };
                    }
                }
                if (next == null) { error = $"path {full}: element {pe} not found"; return null; }
                nc = next;
                at++;
                continue;
            }
            if (nc.Node is IDictionary<string, object?> map)
            {
                if (!map.TryGetValue(pe, out var child))
                {
                    child = GoValues.NewMap();
                    map[pe] = child;
                }
                nc.Key = pe;
                nc = new Context { Parent = nc, Node = child };
                at++;
                continue;
            }
            error = $"leaf type {GoType(nc.Node)} in non-leaf Node {string.Join(".", path.Skip(at))}";
            return null;
        }
    }

    private static bool MatchesRegex(string pattern, object? value)
    {
        try { return GoRegexp.CompileUncached(pattern).IsMatch(GoFormat.ToString(value)); }
        catch (GoFunctionException) { return false; }
    }

    /// <summary>The value written, then each node up the path put back into its parent (a list grows as needed).</summary>
    private static string? Set(Context leaf, object? value)
    {
        leaf.Node = FromYamlString(value);
        for (var c = leaf; c.Parent != null; c = c.Parent)
        {
            switch (c.Parent.Node)
            {
                case List<object?> list:
                    int idx = (int)c.Parent.Key!;
                    while (list.Count <= idx) list.Add(null);
                    list[idx] = c.Node;
                    break;
                case IDictionary<string, object?> map:
                    map[(string)c.Parent.Key!] = c.Node;
                    break;
                default:
                    return $"don't know about type {GoType(c.Parent.Node)}";
            }
        }
        return null;
    }

    private static string? Delete(Context leaf)
    {
        var parent = leaf.Parent;
        if (parent == null) return "cannot delete root element";
        switch (parent.Node)
        {
            case List<object?> list:
                if (parent.Parent?.Node is not IDictionary<string, object?>)
                    return $"cannot delete path: unsupported parent.parent type {GoType(parent.Parent?.Node)} for delete";
                int idx = (int)parent.Key!;
                if (idx < list.Count) list.RemoveAt(idx);
                return null;
            case IDictionary<string, object?> map:
                map.Remove((string)parent.Key!);
                return null;
        }
        return $"cannot delete path: unsupported parent type {GoType(parent.Node)} for delete";
    }

    /// <summary>tpath's tryToUnmarshalStringToYAML: a string that looks like a YAML map (one line with ": ", or several
    /// lines with ":") and is not a JSON object becomes that map; anything else stays as it is.</summary>
    private static object? FromYamlString(object? value)
    {
        if (value is not string s) return value;
        bool multiline = s.Contains('\n');
        if (!(multiline ? s.Contains(':') : s.Contains(": ", StringComparison.Ordinal))) return value;
        try
        {
            if (GoJson.Unmarshal(s) is IDictionary<string, object?>) return value;
        }
        catch (GoFunctionException) { }
        try { return GoYaml.Parse(s) is IDictionary<string, object?> m ? m : value; }
        catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException) { return value; }
    }

    private static string GoType(object? v) => v switch
    {
        null => "<nil>",
        double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => "int",
        _ => GoValues.TypeName(v),
    };
}
