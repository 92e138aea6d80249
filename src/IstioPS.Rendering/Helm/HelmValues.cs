using System.Globalization;
using System.Text;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Helm;

/// <summary>Helm values: reading files, --set parsing (strvals) and coalescing (null deletes a key).</summary>
public static class HelmValues
{
    /// <summary>Parses Helm values YAML text (numbers become float64 as in Helm).</summary>
    public static Dictionary<string, object?> Parse(string yaml, string? sourceName = null)
    {
        try { return GoYaml.ParseMap(yaml); }
        catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException)
        {
            int? line = e is YamlDotNet.Core.YamlException ye ? (int)ye.Start.Line : null;
            string where = line == null ? sourceName ?? "values" : $"{sourceName ?? "values"}:{line}";
            throw new RenderException(RenderErrorIds.ValuesFileInvalid, $"{where}: {GoYaml.GoErrorText(e)}", sourceName, line, e);
        }
    }

    /// <summary>Reads a Helm values file.</summary>
    public static Dictionary<string, object?> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new RenderException(RenderErrorIds.ValuesFileInvalid, $"values file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Merges values files then --set strings the way `helm template -f ... --set ...` does (later wins).</summary>
    public static Dictionary<string, object?> Combine(IEnumerable<IDictionary<string, object?>> files, IEnumerable<string>? sets = null)
    {
        var result = GoValues.NewMap();
        foreach (var f in files) MergeMaps(result, f);
        if (sets != null) foreach (var s in sets) ParseSetInto(s, result);
        return result;
    }

    /// <summary>Helm's mergeMaps (values files): nested maps merge, other values replace.</summary>
    public static void MergeMaps(IDictionary<string, object?> dst, IDictionary<string, object?> src)
    {
        foreach (var kv in src)
        {
            if (kv.Value is IDictionary<string, object?> sm && dst.TryGetValue(kv.Key, out var dv) && dv is IDictionary<string, object?> dm)
                MergeMaps(dm, sm);
            else dst[kv.Key] = GoValues.DeepCopy(kv.Value);
        }
    }

    /// <summary>Helm 4's CoalesceValues for a chart without dependencies: user values over the chart's defaults. A user
    /// null deletes the default; nulls in the defaults are dropped; a user null for a key the defaults lack stays null.
    /// Returns a new map; inputs are not modified.</summary>
    public static Dictionary<string, object?> Coalesce(IReadOnlyDictionary<string, object?> chartDefaults, IDictionary<string, object?>? user)
    {
        var v = (Dictionary<string, object?>)GoValues.DeepCopy(user == null ? GoValues.NewMap() : new Dictionary<string, object?>(user, StringComparer.Ordinal))!;
        var defaults = (Dictionary<string, object?>)GoValues.DeepCopy(new Dictionary<string, object?>(chartDefaults, StringComparer.Ordinal))!;
        foreach (var kv in defaults)
        {
            if (v.TryGetValue(kv.Key, out var value))
            {
                if (value == null) v.Remove(kv.Key);
                else if (value is Dictionary<string, object?> dest && kv.Value is Dictionary<string, object?> src)
                {
                    CleanNulls(src);
                    CoalesceTables(dest, src);
                }
            }
            else if (kv.Value != null)
            {
                if (kv.Value is Dictionary<string, object?> sub) CleanNulls(sub);
                v[kv.Key] = kv.Value;
            }
        }
        return v;
    }

    /// <summary>Helm 4's coalesceTablesFullKey (merge=false): src fills what dst lacks; a dst null deletes the key
    /// only where src had a value.</summary>
    private static void CoalesceTables(Dictionary<string, object?> dst, Dictionary<string, object?> src)
    {
        var srcNonNull = new HashSet<string>(src.Where(kv => kv.Value != null).Select(kv => kv.Key), StringComparer.Ordinal);
        foreach (var kv in dst) if (kv.Value == null) src[kv.Key] = null;
        foreach (var kv in src)
        {
            bool ok = dst.TryGetValue(kv.Key, out var dv);
            if (ok && dv == null && srcNonNull.Contains(kv.Key)) dst.Remove(kv.Key);
            else if (!ok) dst[kv.Key] = kv.Value;
            else if (kv.Value is Dictionary<string, object?> sm && dv is Dictionary<string, object?> dm) CoalesceTables(dm, sm);
        }
    }

    private static void CleanNulls(Dictionary<string, object?> m)
    {
        foreach (var key in m.Keys.ToList())
        {
            if (m[key] == null) m.Remove(key);
            else if (m[key] is Dictionary<string, object?> sub) CleanNulls(sub);
        }
    }

    /// <summary>Helm's strvals.ParseInto for one --set argument ("a.b=c,d[0]=e,f={x,y}").</summary>
    public static void ParseSetInto(string set, IDictionary<string, object?> dest)
    {
        try
        {
            new StrValsParser(set).ParseInto(dest);
        }
        catch (FormatException e)
        {
            throw new RenderException(RenderErrorIds.InvalidSetValue, $"failed parsing --set data \"{set}\": {e.Message}", null, null, e);
        }
    }

    private sealed class StrValsParser
    {
        private readonly string _s;
        private int _pos;

        public StrValsParser(string s) => _s = s;

        public void ParseInto(IDictionary<string, object?> dest)
        {
            while (_pos < _s.Length)
            {
                ParseKey(dest);
            }
        }

        private string ReadUntil(string stops, out char stop)
        {
            var sb = new StringBuilder();
            while (_pos < _s.Length)
            {
                char c = _s[_pos++];
                if (c == '\\' && _pos < _s.Length) { sb.Append(_s[_pos++]); continue; }
                if (stops.IndexOf(c) >= 0) { stop = c; return sb.ToString(); }
                sb.Append(c);
            }
            stop = '\0';
            return sb.ToString();
        }

        private void ParseKey(IDictionary<string, object?> dest)
        {
            string key = ReadUntil("=[,.", out char stop);
            switch (stop)
            {
                case '\0':
                    if (key.Length == 0) return;
                    throw new FormatException($"key \"{key}\" has no value");
                case ',':
                    throw new FormatException($"key \"{key}\" has no value (cannot end with ,)");
                case '.':
                    {
                        if (key.Length == 0) throw new FormatException("key has no name");
                        if (!(dest.TryGetValue(key, out var inner) && inner is IDictionary<string, object?> im))
                        {
                            im = GoValues.NewMap();
                            dest[key] = im;
                        }
                        ParseKey(im);
                        return;
                    }
                case '[':
                    {
                        var list = dest.TryGetValue(key, out var existing) && existing is List<object?> l ? l : new List<object?>();
                        dest[key] = ParseIndex(list);
                        return;
                    }
                case '=':
                    {
                        if (_pos < _s.Length && _s[_pos] == '{')
                        {
                            _pos++;
                            var items = new List<object?>();
                            while (true)
                            {
                                string item = ReadUntil(",}", out char st);
                                items.Add(TypedVal(item));
                                if (st == '}') break;
                                if (st == '\0') throw new FormatException("list must terminate with '}'");
                            }
                            dest[key] = items;
                            if (_pos < _s.Length && _s[_pos] == ',') _pos++;
                            return;
                        }
                        string val = ReadUntil(",", out _);
                        dest[key] = TypedVal(val);
                        return;
                    }
            }
        }

        private List<object?> ParseIndex(List<object?> list)
        {
            string idxText = ReadUntil("]", out char st);
            if (st != ']' || !int.TryParse(idxText, NumberStyles.None, CultureInfo.InvariantCulture, out int idx))
                throw new FormatException($"invalid index \"{idxText}\"");
            while (list.Count <= idx) list.Add(null);
            char next = _pos < _s.Length ? _s[_pos++] : '\0';
            switch (next)
            {
                case '=':
                    list[idx] = TypedVal(ReadUntil(",", out _));
                    return list;
                case '.':
                    {
                        if (list[idx] is not IDictionary<string, object?> m) { m = GoValues.NewMap(); list[idx] = m; }
                        ParseKey(m);
                        return list;
                    }
                case '[':
                    {
                        var inner = list[idx] as List<object?> ?? new List<object?>();
                        list[idx] = ParseIndex(inner);
                        return list;
                    }
                default:
                    throw new FormatException($"unexpected data at end of array index");
            }
        }

        private static object? TypedVal(string val)
        {
            if (val.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
            if (val.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
            if (val.Equals("null", StringComparison.OrdinalIgnoreCase)) return null;
            if (val == "0") return 0L;
            if (val.Length > 0 && val[0] != '0' && long.TryParse(val, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
            return val;
        }
    }
}
