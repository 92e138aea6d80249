using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Yaml;

public static partial class GoYaml
{
    private const int CacheMinLength = 1024;
    private const long CacheMaxChars = 32L * 1024 * 1024;
    private static readonly Dictionary<string, object?> ParseCache = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, string> MarshalCache = new(StringComparer.Ordinal);
    private static long _parseCacheChars;
    private static long _marshalCacheChars;

    /// <summary>Like <see cref="Parse"/>, but large inputs are parsed once per process; callers get a private deep copy.
    /// Rendering reads the same large documents (CRDs) on every call, so this keeps warm renders fast.</summary>
    public static object? ParseCached(string text) =>
        text.Length < CacheMinLength ? Parse(text) : GoValues.DeepCopy(ParseShared(text));

    /// <summary>The cached parse of <paramref name="text"/> itself (no copy): callers must not modify it.</summary>
    internal static object? ParseShared(string text)
    {
        if (text.Length < CacheMinLength) return Parse(text);
        lock (ParseCache)
        {
            if (ParseCache.TryGetValue(text, out var hit)) return hit;
        }
        var parsed = Parse(text);
        lock (ParseCache)
        {
            if (_parseCacheChars + text.Length > CacheMaxChars) { ParseCache.Clear(); _parseCacheChars = 0; }
            if (ParseCache.TryAdd(text, parsed)) _parseCacheChars += text.Length;
            else parsed = ParseCache[text];
        }
        return parsed;
    }

    private const int MarshalMemoMinNodes = 512;
    private static readonly Dictionary<ulong, (object Snapshot, string Yaml)> MarshalMemo = new();
    private static long _marshalMemoNodes;

    /// <summary><see cref="Marshal"/> for toYaml: large trees seen before (same structure and values) reuse their text.</summary>
    public static string MarshalMemoized(object? value)
    {
        if (value is not (IDictionary<string, object?> or System.Collections.IList)) return Marshal(value);
        int nodes = 0;
        ulong hash = StructuralHash(value, ref nodes);
        if (nodes < MarshalMemoMinNodes) return Marshal(value);
        lock (MarshalMemo)
        {
            if (MarshalMemo.TryGetValue(hash, out var hit) && Functions.SprigFunctions.DeepEqual(hit.Snapshot, value)) return hit.Yaml;
        }
        string yaml = Marshal(value);
        var snapshot = GoValues.DeepCopy(value)!;
        lock (MarshalMemo)
        {
            if (_marshalMemoNodes + nodes > 4_000_000) { MarshalMemo.Clear(); ByYaml.Clear(); _marshalMemoNodes = 0; }
            MarshalMemo[hash] = (snapshot, yaml);
            ByYaml[yaml] = snapshot;
            _marshalMemoNodes += nodes;
        }
        return yaml;
    }

    /// <summary>Large values toYaml wrote, by the text it wrote (trailing newline included).</summary>
    private static readonly Dictionary<string, object> ByYaml = new(StringComparer.Ordinal);

    /// <summary>If <paramref name="document"/> is comment lines followed by text toYaml wrote for a large value,
    /// returns that value (shared: do not modify) and the text, so it need not be parsed and written again.</summary>
    internal static bool TryGetMarshalled(string document, out object? value, out string yaml)
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
        string body = pos == 0 ? document : document.Substring(pos);
        string key = body + "\n";
        lock (MarshalMemo)
        {
            if (!ByYaml.TryGetValue(key, out var v)) return false;
            value = v;
            yaml = key;
            return true;
        }
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

    /// <summary><see cref="Marshal"/> of the object parsed from <paramref name="sourceText"/>, memoised by that text
    /// (valid only while the object is unchanged from what the text parses to).</summary>
    public static string MarshalParsed(string sourceText, object? parsed)
    {
        if (sourceText.Length < CacheMinLength) return Marshal(parsed);
        lock (MarshalCache)
        {
            if (MarshalCache.TryGetValue(sourceText, out var hit)) return hit;
        }
        var yaml = Marshal(parsed);
        lock (MarshalCache)
        {
            if (_marshalCacheChars + sourceText.Length > CacheMaxChars) { MarshalCache.Clear(); _marshalCacheChars = 0; }
            if (MarshalCache.TryAdd(sourceText, yaml)) _marshalCacheChars += sourceText.Length;
        }
        return yaml;
    }
}
