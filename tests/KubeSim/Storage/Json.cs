using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeSim.Storage;

/// <summary>Small helpers over System.Text.Json nodes, the storage format of every object.</summary>
public static class Json
{
    /// <summary>
    /// How deep a request body may nest: Go's encoding/json (kube-apiserver's decoder) stops at 10,000 levels
    /// ("exceeded max depth"); System.Text.Json's default of 64 would refuse bodies a real server takes.
    /// </summary>
    public const int MaxDepth = 10_000;

    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        MaxDepth = MaxDepth + 64, // room for the lists, events and tables that carry objects
    };

    /// <summary>Parses a request body as kube-apiserver's decoder does, up to <see cref="MaxDepth"/> levels.</summary>
    public static JsonNode? ParseRequest(byte[] body) => JsonNode.Parse(body, NodeOptions, RequestDocumentOptions);

    private static readonly JsonDocumentOptions RequestDocumentOptions = new() { MaxDepth = MaxDepth };

    /// <summary>What the server itself stores may be a little deeper than any request (managedFields nest under metadata).</summary>
    private static readonly JsonDocumentOptions StoredDocumentOptions = new() { MaxDepth = MaxDepth + 64 };

    public static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    public static byte[] Bytes(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Options);

    public static string Text(JsonNode? node) => node is null ? "null" : node.ToJsonString(Options);

    public static JsonObject Obj(this JsonObject parent, string key)
    {
        if (parent[key] is JsonObject o) return o;
        o = new JsonObject();
        parent[key] = o;
        return o;
    }

    public static string? Str(this JsonNode? node, string key) =>
        node is JsonObject o && o.TryGetPropertyValue(key, out var v) && v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : null;

    public static string? AsString(this JsonNode? node) =>
        node is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : null;

    public static long? Long(this JsonNode? node, string key)
    {
        if (node is not JsonObject o || !o.TryGetPropertyValue(key, out var v) || v is not JsonValue jv) return null;
        if (jv.TryGetValue<long>(out var l)) return l;
        if (jv.TryGetValue<int>(out var i)) return i;
        if (jv.TryGetValue<double>(out var d)) return (long)d;
        if (jv.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out l)) return l;
        return null;
    }

    public static bool? Bool(this JsonNode? node, string key) =>
        node is JsonObject o && o.TryGetPropertyValue(key, out var v) && v is JsonValue jv && jv.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>Follows a dotted path of object keys, or null.</summary>
    public static JsonNode? At(this JsonNode? node, params string[] path)
    {
        foreach (var p in path)
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(p, out node)) return null;
        }
        return node;
    }

    public static JsonObject Meta(this JsonObject obj) => obj.Obj("metadata");

    public static string Name(this JsonObject obj) => obj.At("metadata", "name").AsString() ?? "";
    public static string Namespace(this JsonObject obj) => obj.At("metadata", "namespace").AsString() ?? "";
    public static string Uid(this JsonObject obj) => obj.At("metadata", "uid").AsString() ?? "";

    public static Dictionary<string, string> Labels(this JsonObject obj) => StringMap(obj.At("metadata", "labels"));

    public static Dictionary<string, string> StringMap(JsonNode? node)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject o)
            foreach (var (k, v) in o)
                d[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
        return d;
    }

    public static JsonObject Clone(this JsonObject obj) => (JsonObject)obj.DeepClone();

    public static JsonObject Parse(ReadOnlySpan<byte> utf8)
    {
        var node = JsonNode.Parse(utf8, NodeOptions, StoredDocumentOptions) ?? throw new JsonException("null body");
        return node as JsonObject ?? throw new JsonException("body is not a JSON object");
    }

    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    public static string Now() => Timestamp(DateTimeOffset.UtcNow);

    public static DateTimeOffset? ParseTime(string? s) =>
        s is not null && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
