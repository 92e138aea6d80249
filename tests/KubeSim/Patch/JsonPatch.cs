using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Patch;

/// <summary>RFC 6902 JSON patch (application/json-patch+json).</summary>
public static class JsonPatch
{
    public static JsonNode Apply(JsonNode doc, JsonNode patch)
    {
        if (patch is not JsonArray ops) throw ApiException.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        var root = new JsonObject { ["r"] = doc.DeepClone() };
        foreach (var opNode in ops)
        {
            if (opNode is not JsonObject op) throw ApiException.BadRequest("invalid JSON patch operation");
            var name = op.Str("op") ?? throw ApiException.BadRequest("missing 'op' in JSON patch operation");
            var path = op.Str("path") ?? throw ApiException.BadRequest("missing 'path' in JSON patch operation");
            switch (name)
            {
                case "add": Add(root, path, Value(op)); break;
                case "remove": Remove(root, path); break;
                case "replace": Remove(root, path); Add(root, path, Value(op)); break;
                case "move":
                {
                    var from = op.Str("from") ?? throw ApiException.BadRequest("missing 'from' in move operation");
                    var v = Remove(root, from);
                    Add(root, path, v);
                    break;
                }
                case "copy":
                {
                    var from = op.Str("from") ?? throw ApiException.BadRequest("missing 'from' in copy operation");
                    Add(root, path, Resolve(root, from)?.DeepClone());
                    break;
                }
                case "test":
                    if (!JsonNode.DeepEquals(Resolve(root, path), op["value"]))
                        throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    break;
                default: throw ApiException.BadRequest($"Unexpected kind: {name}");
            }
        }
        return root["r"] ?? throw ApiException.BadRequest("JSON patch removed the whole object");
    }

    static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var v) ? v?.DeepClone() : throw ApiException.BadRequest("missing 'value' in JSON patch operation");

    static List<string> Tokens(string path)
    {
        if (path.Length == 0) return ["r"];
        if (!path.StartsWith('/')) throw ApiException.BadRequest($"JSON pointer must start with '/': {path}");
        return ["r", .. path[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~"))];
    }

    static (JsonNode Parent, string Last) Parent(JsonObject root, string path)
    {
        var tokens = Tokens(path);
        JsonNode? node = root;
        foreach (var t in tokens.Take(tokens.Count - 1))
            node = Child(node, t) ?? throw Missing(path);
        return (node!, tokens[^1]);
    }

    static JsonNode? Child(JsonNode? node, string token) => node switch
    {
        JsonObject o => o.TryGetPropertyValue(token, out var v) ? v : null,
        JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
        _ => null,
    };

    static JsonNode? Resolve(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var t in Tokens(path)) node = Child(node, t) ?? throw Missing(path);
        return node;
    }

    static void Add(JsonObject root, string path, JsonNode? value)
    {
        var (parent, last) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a:
                if (last == "-") a.Add(value);
                else if (int.TryParse(last, out var i) && i >= 0 && i <= a.Count) a.Insert(i, value);
                else throw Missing(path);
                break;
            default: throw Missing(path);
        }
    }

    static JsonNode? Remove(JsonObject root, string path)
    {
        var (parent, last) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var v):
                o.Remove(last);
                return v;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                var item = a[i];
                a.RemoveAt(i);
                return item;
            default: throw Missing(path);
        }
    }

    static ApiException Missing(string path) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: doc is missing path: \"{path}\": missing value");
}

/// <summary>RFC 7386 JSON merge patch (application/merge-patch+json).</summary>
public static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p) return patch?.DeepClone();
        var result = target is JsonObject t ? t.Clone() : new JsonObject();
        foreach (var (key, value) in p)
        {
            if (value is null) result.Remove(key);
            else result[key] = Apply(result.TryGetPropertyValue(key, out var cur) ? cur?.DeepClone() : null, value);
        }
        return result;
    }
}
