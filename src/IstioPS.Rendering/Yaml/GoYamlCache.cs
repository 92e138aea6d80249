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
    public static object? ParseCached(string text)
    {
        if (text.Length < CacheMinLength) return Parse(text);
        lock (ParseCache)
        {
            if (ParseCache.TryGetValue(text, out var hit)) return GoValues.DeepCopy(hit);
        }
        var parsed = Parse(text);
        lock (ParseCache)
        {
            if (_parseCacheChars + text.Length > CacheMaxChars) { ParseCache.Clear(); _parseCacheChars = 0; }
            if (ParseCache.TryAdd(text, parsed)) _parseCacheChars += text.Length;
        }
        return GoValues.DeepCopy(parsed);
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
