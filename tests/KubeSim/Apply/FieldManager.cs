using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Patch;
using KubeSim.Storage;

namespace KubeSim.Apply;

/// <summary>One metadata.managedFields entry.</summary>
public sealed class ManagedEntry
{
    public required string Manager { get; init; }
    public required string Operation { get; init; }
    public required string ApiVersion { get; set; }
    public string? Subresource { get; init; }
    public string Time { get; set; } = Json.Now();
    public FieldSet Set { get; set; } = new();

    public bool Is(string manager, string operation, string? subresource) =>
        Manager == manager && Operation == operation && (Subresource ?? "") == (subresource ?? "");

    /// <summary>How conflicts name this manager: "x" or "x" using apps/v1.</summary>
    public string Describe()
    {
        var s = $"\"{Manager}\"";
        if (!string.IsNullOrEmpty(Subresource)) s += $" with subresource \"{Subresource}\"";
        return Operation == "Update" ? $"{s} using {ApiVersion}" : s;
    }
}

/// <summary>
/// Field ownership: tracks which manager set which fields (metadata.managedFields), detects apply conflicts
/// and merges applied configurations the way server-side apply does.
/// </summary>
public static class FieldManager
{
    public static List<ManagedEntry> Read(JsonObject obj)
    {
        var list = new List<ManagedEntry>();
        if (obj.At("metadata", "managedFields") is not JsonArray arr) return list;
        foreach (var e in arr.OfType<JsonObject>())
            list.Add(new ManagedEntry
            {
                Manager = e.Str("manager") ?? "",
                Operation = e.Str("operation") ?? "Update",
                ApiVersion = e.Str("apiVersion") ?? "",
                Subresource = e.Str("subresource"),
                Time = e.Str("time") ?? Json.Now(),
                Set = FieldSet.FromFieldsV1(e["fieldsV1"]),
            });
        return list;
    }

    public static void Write(JsonObject obj, List<ManagedEntry> entries)
    {
        var arr = new JsonArray();
        foreach (var e in entries.Where(e => !e.Set.IsEmpty))
        {
            var o = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = e.ApiVersion,
                ["time"] = e.Time,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = e.Set.ToFieldsV1(),
            };
            if (!string.IsNullOrEmpty(e.Subresource)) o["subresource"] = e.Subresource;
            arr.Add(o);
        }
        if (arr.Count > 0) obj.Meta()["managedFields"] = arr;
        else obj.Meta().Remove("managedFields");
    }

    /// <summary>Records a non-apply write (create, update, patch): changed fields move to <paramref name="manager"/>.</summary>
    public static void TrackUpdate(ResourceType rt, JsonObject? old, JsonObject updated, string manager, string? subresource)
    {
        var entries = old is null ? [] : Read(old);
        var statusOnly = subresource == "status";
        var newSet = FieldSet.Of(rt, updated, statusOnly);
        var oldSet = old is null ? null : FieldSet.Of(rt, old, statusOnly);
        var changed = newSet.Paths.Where(p => oldSet is null || !FieldSet.SameValue(oldSet, newSet, p)).ToList();
        var removed = oldSet is null ? [] : oldSet.Paths.Where(p => !newSet.Contains(p)).ToList();
        if (changed.Count > 0 || removed.Count > 0)
        {
            foreach (var e in entries)
            {
                foreach (var p in changed) e.Set.Remove(p);
                foreach (var p in removed) e.Set.Remove(p);
            }
            var mine = entries.FirstOrDefault(e => e.Is(manager, "Update", subresource));
            if (mine is null && changed.Count > 0)
                entries.Add(mine = new ManagedEntry { Manager = manager, Operation = "Update", ApiVersion = rt.ApiVersion, Subresource = subresource });
            if (mine is not null)
            {
                foreach (var p in changed) mine.Set.Add(p);
                mine.Time = Json.Now();
                mine.ApiVersion = rt.ApiVersion;
            }
        }
        Write(updated, entries);
    }

    /// <summary>
    /// Server-side apply of <paramref name="applied"/> onto <paramref name="live"/> (null to create) by
    /// <paramref name="manager"/>. Throws a 409 listing conflicts unless <paramref name="force"/>.
    /// Returns the merged object with its managedFields.
    /// </summary>
    public static JsonObject Apply(ResourceType rt, JsonObject? live, JsonObject applied, string manager, bool force, string? subresource)
    {
        var statusOnly = subresource == "status";
        var entries = live is null ? [] : Read(live);
        var appliedSet = FieldSet.Of(rt, applied, statusOnly);
        var mine = entries.FirstOrDefault(e => e.Is(manager, "Apply", subresource));

        if (live is not null)
        {
            var liveSet = FieldSet.Of(rt, live, statusOnly);
            var conflicts = new List<(ManagedEntry Owner, string Path)>();
            foreach (var e in entries)
            {
                if (e == mine) continue;
                foreach (var p in appliedSet.Paths)
                {
                    if (!e.Set.Contains(p) || appliedSet.Values![p] == FieldSet.Item) continue;
                    if (!FieldSet.SameValue(liveSet, appliedSet, p)) conflicts.Add((e, p));
                }
            }
            if (conflicts.Count > 0)
            {
                if (!force) throw ConflictError(conflicts);
                foreach (var (owner, path) in conflicts) owner.Set.Remove(path);
            }
        }

        var merged = live?.Clone() ?? new JsonObject();
        if (mine is not null)
        {
            // A field stays when another manager owns it or anything inside it (an item someone else added fields to).
            var others = new HashSet<string>(StringComparer.Ordinal);
            foreach (var path in entries.Where(e => e != mine).SelectMany(e => e.Set.Paths))
                for (var cut = path.Length; cut > 0; cut = path.LastIndexOf(FieldSet.Sep, cut - 1))
                    if (!others.Add(path[..cut])) break;
            foreach (var p in mine.Set.Paths.OrderByDescending(p => p.Length))
                if (!appliedSet.Contains(p) && !others.Contains(p) && !IsKeyOfKeptItem(p, others)) FieldSet.RemoveAt(merged, p);
        }
        merged = (JsonObject)Merge(rt, merged, applied, [])!;

        var changedSet = mine is null || !mine.Set.Paths.ToHashSet().SetEquals(appliedSet.Paths);
        var unchanged = live is not null && !changedSet && SameIgnoringManagedFields(live, merged);
        if (mine is null)
            entries.Add(mine = new ManagedEntry { Manager = manager, Operation = "Apply", ApiVersion = rt.ApiVersion, Subresource = subresource });
        mine.Set = new FieldSet(appliedSet.Paths);
        if (!unchanged)
        {
            mine.Time = Json.Now();
            mine.ApiVersion = rt.ApiVersion;
        }
        Write(merged, entries);
        return merged;
    }

    /// <summary>A key field (name in k:{"name":...}) of a list item that stays because others own parts of it.</summary>
    static bool IsKeyOfKeptItem(string path, HashSet<string> others)
    {
        var cut = path.LastIndexOf(FieldSet.Sep);
        if (cut < 0 || !path[(cut + 1)..].StartsWith("f:", StringComparison.Ordinal)) return false;
        var item = path[..cut];
        var element = item[(item.LastIndexOf(FieldSet.Sep) + 1)..];
        return element.StartsWith("k:", StringComparison.Ordinal) && others.Contains(item)
            && JsonNode.Parse(element[2..]) is JsonObject key && key.ContainsKey(path[(cut + 3)..]);
    }

    public static bool SameIgnoringManagedFields(JsonObject a, JsonObject b)
    {
        var ca = a.Clone();
        var cb = b.Clone();
        ca.Meta().Remove("managedFields");
        cb.Meta().Remove("managedFields");
        return JsonNode.DeepEquals(ca, cb);
    }

    static JsonNode? Merge(ResourceType rt, JsonNode? live, JsonNode? applied, List<string> path)
    {
        switch (live, applied)
        {
            case (JsonObject lo, JsonObject ao):
                foreach (var (k, v) in ao)
                {
                    path.Add(k);
                    lo[k] = Merge(rt, lo.TryGetPropertyValue(k, out var cur) ? cur?.DeepClone() : null, v, path);
                    path.RemoveAt(path.Count - 1);
                }
                return lo;
            case (JsonArray la, JsonArray aa):
                var type = ListSemantics.For(rt, path);
                if (type.Kind == ListKind.Set)
                {
                    var result = new JsonArray([.. la.Select(i => i?.DeepClone())]);
                    foreach (var item in aa)
                        if (!result.Any(r => JsonNode.DeepEquals(r, item))) result.Add(item?.DeepClone());
                    return result;
                }
                if (type.Kind == ListKind.Map && aa.All(i => ListSemantics.KeyOf(i, type) is not null))
                {
                    var result = new JsonArray([.. la.Select(i => i?.DeepClone())]);
                    foreach (var item in aa)
                    {
                        var idx = -1;
                        for (var i = 0; i < result.Count; i++)
                            if (ListSemantics.SameKey(result[i], item, type)) { idx = i; break; }
                        if (idx >= 0) result[idx] = Merge(rt, result[idx]!.DeepClone(), item, path);
                        else result.Add(item?.DeepClone());
                    }
                    return result;
                }
                return aa.DeepClone();
            default:
                return applied?.DeepClone();
        }
    }

    static ApiException ConflictError(List<(ManagedEntry Owner, string Path)> conflicts)
    {
        string message;
        if (conflicts.Count == 1)
            message = $"Apply failed with 1 conflict: conflict with {conflicts[0].Owner.Describe()}: {FieldSet.Display(conflicts[0].Path)}";
        else
        {
            var lines = new List<string>();
            foreach (var group in conflicts.GroupBy(c => c.Owner.Describe()).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => "- " + FieldSet.Display(c.Path)));
            }
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
        var causes = new JsonArray();
        foreach (var (owner, path) in conflicts)
            causes.Add(new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with {owner.Describe()}",
                ["field"] = FieldSet.Display(path),
            });
        return new ApiException(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }
}
