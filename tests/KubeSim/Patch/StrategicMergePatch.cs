using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Patch;

/// <summary>
/// Strategic merge patch (application/strategic-merge-patch+json) for built-in kinds: maps merge,
/// lists with a merge key merge item by item, and the $patch, $retainKeys, $setElementOrder and
/// $deleteFromPrimitiveList directives kubectl sends are honoured.
/// </summary>
public static class StrategicMergePatch
{
    const string SetOrderPrefix = "$setElementOrder/";
    const string DeletePrimitivePrefix = "$deleteFromPrimitiveList/";

    public static JsonObject Apply(ResourceType rt, JsonObject original, JsonObject patch) =>
        MergeMap(rt, original.Clone(), patch, []) ?? new JsonObject();

    static JsonObject? MergeMap(ResourceType rt, JsonObject target, JsonObject patch, List<string> path)
    {
        var directive = patch.Str("$patch");
        if (directive == "delete") return null;
        if (directive == "replace")
        {
            var replaced = patch.Clone();
            replaced.Remove("$patch");
            return (JsonObject)StripDirectives(replaced)!;
        }
        string[]? retain = patch["$retainKeys"] is JsonArray rk ? rk.Select(k => k.AsString() ?? "").ToArray() : null;

        foreach (var (key, value) in patch)
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith(SetOrderPrefix, StringComparison.Ordinal)) continue;
            if (key.StartsWith(DeletePrimitivePrefix, StringComparison.Ordinal))
            {
                var field = key[DeletePrimitivePrefix.Length..];
                if (target[field] is JsonArray arr && value is JsonArray remove)
                    for (var i = arr.Count - 1; i >= 0; i--)
                        if (remove.Any(r => JsonNode.DeepEquals(r, arr[i]))) arr.RemoveAt(i);
                continue;
            }
            if (value is null)
            {
                target.Remove(key);
                continue;
            }
            path.Add(key);
            var current = target.TryGetPropertyValue(key, out var c) ? c : null;
            JsonNode? merged = (current, value) switch
            {
                (JsonObject co, JsonObject po) => MergeMap(rt, co.Clone(), po, path),
                (_, JsonObject po) => MergeMap(rt, new JsonObject(), po, path),
                (JsonArray ca, JsonArray pa) => MergeList(rt, ca, pa, path),
                (_, JsonArray pa) => MergeList(rt, new JsonArray(), pa, path),
                _ => value.DeepClone(),
            };
            path.RemoveAt(path.Count - 1);
            if (merged is null) target.Remove(key);
            else target[key] = merged;
        }

        foreach (var (key, value) in patch)
            if (key.StartsWith(SetOrderPrefix, StringComparison.Ordinal) && value is JsonArray order
                && target[key[SetOrderPrefix.Length..]] is JsonArray list)
            {
                path.Add(key[SetOrderPrefix.Length..]);
                target[key[SetOrderPrefix.Length..]] = Reorder(list, order, ListSemantics.For(rt, path));
                path.RemoveAt(path.Count - 1);
            }

        if (retain is not null)
            foreach (var key in target.Select(kv => kv.Key).ToList())
                if (!retain.Contains(key)) target.Remove(key);
        return target;
    }

    /// <summary>$setElementOrder: listed items first, in the given order; the others keep their relative order after them.</summary>
    static JsonArray Reorder(JsonArray list, JsonArray order, ListType type)
    {
        // Order entries carry only the merge key (e.g. containerPort without protocol).
        bool Same(JsonNode? item, JsonNode? entry) => type.Kind == ListKind.Map
            ? entry is JsonObject e && item is JsonObject && type.Keys.Any(k => e[k] is not null)
              && type.Keys.All(k => e[k] is null || JsonNode.DeepEquals(item[k], e[k]))
            : JsonNode.DeepEquals(item, entry);
        var items = list.Select(i => i?.DeepClone()).ToList();
        var result = new JsonArray();
        foreach (var entry in order)
        {
            var idx = items.FindIndex(i => Same(i, entry));
            if (idx < 0) continue;
            result.Add(items[idx]);
            items.RemoveAt(idx);
        }
        foreach (var rest in items) result.Add(rest);
        return result;
    }

    static JsonArray MergeList(ResourceType rt, JsonArray current, JsonArray patch, List<string> path)
    {
        var type = ListSemantics.For(rt, path);
        if (patch.Any(i => i is JsonObject o && o.Str("$patch") == "replace"))
            return new JsonArray([.. patch.Where(i => !(i is JsonObject o && o.Str("$patch") == "replace")).Select(i => StripDirectives(i?.DeepClone()))]);

        switch (type.Kind)
        {
            case ListKind.Set:
            {
                var result = new JsonArray([.. current.Select(i => i?.DeepClone())]);
                foreach (var item in patch)
                    if (!result.Any(r => JsonNode.DeepEquals(r, item))) result.Add(item?.DeepClone());
                return result;
            }
            case ListKind.Map:
            {
                var result = new JsonArray([.. current.Select(i => i?.DeepClone())]);
                foreach (var item in patch)
                {
                    if (item is not JsonObject po) continue;
                    var idx = IndexOf(result, po, type);
                    if (po.Str("$patch") == "delete")
                    {
                        if (idx >= 0) result.RemoveAt(idx);
                        continue;
                    }
                    if (idx >= 0)
                    {
                        var merged = MergeMap(rt, ((JsonObject)result[idx]!).Clone(), po, path);
                        result[idx] = merged;
                    }
                    else result.Add(StripDirectives(po.DeepClone()));
                }
                return result;
            }
            default:
                return new JsonArray([.. patch.Select(i => StripDirectives(i?.DeepClone()))]);
        }
    }

    static int IndexOf(JsonArray list, JsonObject item, ListType type)
    {
        for (var i = 0; i < list.Count; i++)
            if (ListSemantics.SameKey(list[i], item, type)) return i;
        return -1;
    }

    static JsonNode? StripDirectives(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).Where(k => k.StartsWith('$')).ToList()) o.Remove(key);
                foreach (var (_, v) in o) StripDirectives(v);
                break;
            case JsonArray a:
                foreach (var v in a) StripDirectives(v);
                break;
        }
        return node;
    }
}
