using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Yaml;

/// <summary>Memoised YAML parsing and writing for large documents (the CRDs, rendered again on every call): each
/// large text is parsed once and each large tree written once, per cache. Thread-safe; bounded (cleared when full).
/// Objects it hands out as shared must be treated as read-only.</summary>
public sealed class YamlCache : IExecutionCache
{
    private const int CacheMinLength = 1024;
    private const long CacheMaxChars = 32L * 1024 * 1024;
    private const int MarshalMemoMinNodes = 512;
    private const long MarshalMemoMaxNodes = 4_000_000;

    private readonly Dictionary<string, object?> _parse = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _marshalParsed = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, (object Snapshot, string Yaml)> _marshalMemo = new();
    private readonly Dictionary<string, object> _byYaml = new(StringComparer.Ordinal);
    private long _parseChars, _marshalParsedChars, _marshalMemoNodes;

    /// <summary>Like <see cref="GoYaml.Parse"/>, but large inputs are parsed once; callers get a private deep copy.</summary>
    public object? ParseCached(string text) =>
        text.Length < CacheMinLength ? GoYaml.Parse(text) : GoValues.DeepCopy(ParseShared(text));

    /// <summary><see cref="GoYaml.ParseMap"/> through the cache.</summary>
    public Dictionary<string, object?> ParseMapCached(string text) => GoYaml.AsMap(ParseCached(text));

    /// <summary>The cached parse of <paramref name="text"/> itself (no copy): callers must not modify it.</summary>
    internal object? ParseShared(string text)
    {
        if (text.Length < CacheMinLength) return GoYaml.Parse(text);
        lock (_parse)
        {
            if (_parse.TryGetValue(text, out var hit)) return hit;
        }
        var parsed = GoYaml.Parse(text);
        lock (_parse)
        {
            if (_parseChars + text.Length > CacheMaxChars) { _parse.Clear(); _parseChars = 0; }
            if (_parse.TryAdd(text, parsed)) _parseChars += text.Length;
            else parsed = _parse[text];
        }
        return parsed;
    }

    /// <summary><see cref="GoYaml.Marshal"/> for toYaml: large trees seen before (same structure and values) reuse their text.</summary>
    public string MarshalMemoized(object? value)
    {
        if (value is not (IDictionary<string, object?> or System.Collections.IList)) return GoYaml.Marshal(value);
        int nodes = 0;
        ulong hash = StructuralHash(value, ref nodes);
        if (nodes < MarshalMemoMinNodes) return GoYaml.Marshal(value);
        lock (_marshalMemo)
        {
            if (_marshalMemo.TryGetValue(hash, out var hit) && GoValues.DeepEqual(hit.Snapshot, value)) return hit.Yaml;
        }
        string yaml = GoYaml.Marshal(value);
        var snapshot = GoValues.DeepCopy(value)!;
        lock (_marshalMemo)
        {
            if (_marshalMemoNodes + nodes > MarshalMemoMaxNodes) { _marshalMemo.Clear(); _byYaml.Clear(); _marshalMemoNodes = 0; }
            _marshalMemo[hash] = (snapshot, yaml);
            _byYaml[yaml] = snapshot;
            _marshalMemoNodes += nodes;
        }
        return yaml;
    }

    /// <summary>If <paramref name="document"/> is comment lines followed by text toYaml wrote for a large value,
    /// returns that value (shared: do not modify) and the text, so it need not be parsed and written again.</summary>
    internal bool TryGetMarshalled(string document, out object? value, out string yaml)
    {
        value = null; yaml = "";
        if (document.Length < CacheMinLength) return false;
        int pos = 0;
        while (pos < document.Length && document[pos] == '#')
        {
            int nl = document.IndexOf('\n', pos);
            if (nl < 0) return false;
            pos = nl + 1;
        }
        string key = (pos == 0 ? document : document.Substring(pos)) + "\n";
        lock (_marshalMemo)
        {
            if (!_byYaml.TryGetValue(key, out var v)) return false;
            value = v;
            yaml = key;
            return true;
        }
    }

    /// <summary><see cref="GoYaml.Marshal"/> of the object parsed from <paramref name="sourceText"/>, memoised by that text
    /// (valid only while the object is unchanged from what the text parses to).</summary>
    public string MarshalParsed(string sourceText, object? parsed)
    {
        if (sourceText.Length < CacheMinLength) return GoYaml.Marshal(parsed);
        lock (_marshalParsed)
        {
            if (_marshalParsed.TryGetValue(sourceText, out var hit)) return hit;
        }
        var yaml = GoYaml.Marshal(parsed);
        lock (_marshalParsed)
        {
            if (_marshalParsedChars + sourceText.Length > CacheMaxChars) { _marshalParsed.Clear(); _marshalParsedChars = 0; }
            if (_marshalParsed.TryAdd(sourceText, yaml)) _marshalParsedChars += sourceText.Length;
        }
        return yaml;
    }

    private static ulong StructuralHash(object? v, ref int nodes)
    {
        nodes++;
        const ulong prime = 1099511628211UL;
        switch (v)
        {
            case null: return 0x9E3779B97F4A7C15UL;
            case string s: return (ulong)(uint)s.GetHashCode() * 31 + 1;
            case IDictionary<string, object?> m:
                {
                    ulong h = 14695981039346656037UL ^ (ulong)m.Count;
                    foreach (var kv in m)
                        h += ((ulong)(uint)kv.Key.GetHashCode() * prime) ^ StructuralHash(kv.Value, ref nodes) * 0x2545F4914F6CDD1DUL; // order-independent
                    return h;
                }
            case System.Collections.IList l:
                {
                    ulong h = 1469598103934665603UL ^ (ulong)l.Count;
                    foreach (var e in l) h = (h ^ StructuralHash(e, ref nodes)) * prime;
                    return h;
                }
            default: return (ulong)v.GetHashCode() * 17 + (ulong)v.GetType().GetHashCode();
        }
    }
}
