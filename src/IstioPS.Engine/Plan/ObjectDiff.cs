using System.Text.Json;
using System.Text.Json.Nodes;

namespace IstioPS.Engine.Plan;

/// <summary>
/// The fields that differ between a live object and what the API server answered for the dry-run apply.
/// Both come from the server (defaulting, admission and merging are its own), so every difference is a
/// change the apply makes; fields of other managers that the apply leaves alone are equal on both sides.
/// Bookkeeping the server rewrites on every write (resourceVersion, managedFields, ...) is not compared.
/// </summary>
public static class ObjectDiff
{
    private static readonly HashSet<string> Bookkeeping = new(StringComparer.Ordinal)
    {
        "managedFields", "resourceVersion", "generation", "creationTimestamp", "uid", "selfLink",
    };

    public static IReadOnlyList<FieldChange> Changes(JsonObject live, JsonObject planned)
    {
        var changes = new List<FieldChange>();
        foreach (var key in Keys(live, planned))
        {
            if (key == "status") continue;
            if (key == "metadata")
            {
                var a = live["metadata"] as JsonObject ?? new JsonObject();
                var b = planned["metadata"] as JsonObject ?? new JsonObject();
                foreach (var m in Keys(a, b).Where(k => !Bookkeeping.Contains(k))) Walk(a[m], b[m], "metadata." + m, changes);
                continue;
            }

            Walk(live[key], planned[key], key, changes);
        }

        return changes;
    }

    /// <summary>A path segment for a key: plain when it is a simple name, quoted otherwise (label keys have dots and slashes).</summary>
    private static string Child(string path, string key)
        => key.All(c => char.IsLetterOrDigit(c) || c is '_' or '-') ? $"{path}.{key}" : $"{path}['{key}']";

    private static IEnumerable<string> Keys(JsonObject a, JsonObject b)
        => a.Select(kv => kv.Key).Concat(b.Select(kv => kv.Key).Where(k => !a.ContainsKey(k)));

    private static void Walk(JsonNode? live, JsonNode? planned, string path, List<FieldChange> changes)
    {
        if (JsonNode.DeepEquals(live, planned)) return;
        switch (live, planned)
        {
            case (JsonObject a, JsonObject b):
                foreach (var key in Keys(a, b)) Walk(a[key], b[key], Child(path, key), changes);
                return;
            case (JsonArray a, JsonArray b) when Named(a) is { } byNameA && Named(b) is { } byNameB:
                foreach (var name in byNameA.Keys.Concat(byNameB.Keys.Where(k => !byNameA.ContainsKey(k))))
                {
                    Walk(byNameA.GetValueOrDefault(name), byNameB.GetValueOrDefault(name), $"{path}[{name}]", changes);
                }

                return;
            case (JsonArray a, JsonArray b) when a.Count == b.Count:
                for (var i = 0; i < a.Count; i++) Walk(a[i], b[i], $"{path}[{i}]", changes);
                return;
            default:
                changes.Add(new FieldChange(path, Text(live), Text(planned)));
                return;
        }
    }

    /// <summary>A list of objects each with a distinct name (containers, ports, env, volumes), by name; otherwise null.</summary>
    private static Dictionary<string, JsonNode>? Named(JsonArray array)
    {
        var map = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var item in array)
        {
            if (item is not JsonObject o || o["name"] is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return null;
            if (!map.TryAdd((string)v!, o)) return null;
        }

        return map;
    }

    /// <summary>A value as text: strings bare, everything else as compact JSON.</summary>
    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => (string)v!,
        _ => node.ToJsonString(),
    };
}
