using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Apply;

/// <summary>One metadata.managedFields entry.</summary>
public sealed class ManagedEntry
{
    public required string Manager { get; init; }
    public required string Operation { get; init; }
    public required string ApiVersion { get; set; }
    public string? Subresource { get; init; }
    public string? Time { get; set; }
    public PathSet Set { get; set; } = new();

    /// <summary>A manager's identity: apply entries are one per manager, update entries one per manager and version.</summary>
    public string Key => Identity(Manager, Operation, ApiVersion, Subresource);

    public static string Identity(string manager, string operation, string apiVersion, string? subresource) =>
        $"{manager}\n{operation}\n{(operation == "Apply" ? "" : apiVersion)}\n{subresource}";

    /// <summary>How conflicts name this manager: "x" or "x" using apps/v1.</summary>
    public string Describe()
    {
        var s = $"\"{Manager}\"";
        if (!string.IsNullOrEmpty(Subresource)) s += $" with subresource \"{Subresource}\"";
        return Operation == "Update" ? $"{s} using {ApiVersion}" : s;
    }
}

/// <summary>
/// Field ownership as kube-apiserver's field manager keeps it around structured-merge-diff: managedFields
/// entries by manager identity, metadata fields nobody owns, the status (or, for the status subresource,
/// everything else) left out, conflicts, timestamps only when something changed, objects whose managedFields
/// were emptied no longer tracked by updates, and entries sorted by operation, time and manager.
/// </summary>
public static class FieldManager
{
    static readonly string[] StrippedMetadata =
        ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"];

    static readonly PathSet Strip = BuildStrip();

    static PathSet BuildStrip()
    {
        var s = new PathSet();
        s.Insert(["f:apiVersion"]);
        s.Insert(["f:kind"]);
        s.Insert(["f:metadata"]);
        foreach (var f in StrippedMetadata) s.Insert(["f:metadata", "f:" + f]);
        return s;
    }

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
                Time = e.Str("time"),
                Set = PathSet.FromFieldsV1(e["fieldsV1"]),
            });
        return list;
    }

    public static void Write(JsonObject obj, IEnumerable<ManagedEntry> entries)
    {
        var arr = new JsonArray();
        var sorted = entries.Where(e => !e.Set.IsEmpty)
            .OrderBy(e => e.Operation, StringComparer.Ordinal)
            .ThenBy(e => e.Time is null ? 0 : Json.ParseTime(e.Time)?.ToUnixTimeSeconds() ?? 0)
            .ThenBy(e => e.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.ApiVersion, StringComparer.Ordinal)
            .ThenBy(e => e.Subresource ?? "", StringComparer.Ordinal);
        foreach (var e in sorted)
        {
            var o = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = e.ApiVersion,
            };
            if (e.Time is not null) o["time"] = e.Time;
            o["fieldsType"] = "FieldsV1";
            o["fieldsV1"] = e.Set.ToFieldsV1();
            if (!string.IsNullOrEmpty(e.Subresource)) o["subresource"] = e.Subresource;
            arr.Add(o);
        }
        if (arr.Count > 0) obj.Meta()["managedFields"] = arr;
        else obj.Meta().Remove("managedFields");
    }

    /// <summary>
    /// The fields a write may own (kube-apiserver's reset fields): the main resource leaves the status to the
    /// status subresource, which leaves the spec and labels to the main resource.
    /// </summary>
    static Func<PathSet, PathSet> Filter(ResourceType rt, string? subresource)
    {
        var reset = new PathSet();
        if (subresource == "status")
        {
            reset.Insert(["f:spec"]);
            reset.Insert(["f:metadata", "f:labels"]);
        }
        else if (rt.HasStatus) reset.Insert(["f:status"]);
        else return set => set;
        return set => set.RecursiveDifference(reset);
    }

    /// <summary>A copy without managedFields (and without the top-level field <paramref name="without"/>, not copied at all).</summary>
    static JsonObject Untracked(JsonObject o, string? without = null)
    {
        var c = new JsonObject();
        foreach (var (key, value) in o)
        {
            if (key != without) c[key] = value?.DeepClone();
        }
        if (c["metadata"] is JsonObject m) m.Remove("managedFields");
        return c;
    }

    /// <summary>
    /// Records a non-apply write (create, update, patch): what it added or changed moves to
    /// <paramref name="manager"/>. <paramref name="old"/> is null on create. Objects whose managedFields are
    /// empty are not tracked by updates (kube-apiserver starts tracking only on create).
    /// </summary>
    public static void TrackUpdate(ResourceType rt, JsonObject? old, JsonObject updated, string manager, string? subresource)
    {
        var type = Schemas.For(rt);
        var entries = old is null ? [] : Read(old);
        if (old is not null && entries.Count == 0)
        {
            updated.Meta().Remove("managedFields");
            return;
        }
        var managers = entries.ToDictionary(e => e.Key);
        var filter = Filter(rt, subresource);
        // A status write never owns spec fields (the filter drops them): the spec is not compared at all (a CRD's is
        // its whole schema, and controllers write statuses often).
        var without = subresource == "status" ? "spec" : null;
        var compare = Typed.Compare(Untracked(old ?? Schemas.Zero(rt), without), Untracked(updated, without), type).Filter(filter);
        Update(managers, compare, workflow: null, force: true);
        var key = ManagedEntry.Identity(manager, "Update", rt.ApiVersion, subresource);
        var changed = compare.Modified.Union(compare.Added).Difference(Strip);
        changed = filter(changed);
        if (!changed.IsEmpty)
        {
            if (managers.TryGetValue(key, out var mine))
            {
                mine.Set = changed.Union(mine.Set);
                mine.ApiVersion = rt.ApiVersion;
            }
            else managers[key] = mine = new ManagedEntry { Manager = manager, Operation = "Update", ApiVersion = rt.ApiVersion, Subresource = subresource };
            if (mine.Set.IsEmpty) mine.Set = changed;
            mine.Time = Json.Now();
        }
        Write(updated, managers.Values);
    }

    /// <summary>
    /// Server-side apply of <paramref name="applied"/> onto <paramref name="live"/> (null to create) by
    /// <paramref name="manager"/>. Throws a 409 listing conflicts unless <paramref name="force"/>. Returns the
    /// merged object with its managedFields, and whether the object (not only its managedFields) changed;
    /// a changed object is still to be defaulted.
    /// </summary>
    public static (JsonObject Result, bool Changed) Apply(ResourceType rt, JsonObject? live, JsonObject applied, string manager,
        bool force, string? subresource)
    {
        var type = Schemas.For(rt);
        var liveObj = Untracked(live ?? Schemas.Zero(rt));
        var entries = live is null ? [] : Read(live);
        var managers = entries.ToDictionary(e => e.Key);
        var filter = Filter(rt, subresource);
        var key = ManagedEntry.Identity(manager, "Apply", rt.ApiVersion, subresource);

        var merged = Typed.Merge(liveObj, applied, type);
        var lastSet = managers.TryGetValue(key, out var last) ? last.Set : null;
        var mine = new ManagedEntry
        {
            Manager = manager, Operation = "Apply", ApiVersion = rt.ApiVersion, Subresource = subresource,
            Time = last?.Time, Set = filter(Typed.ToFieldSet(applied, type)),
        };
        managers[key] = mine;
        merged = Prune(merged, managers, lastSet, type);
        var compare = Typed.Compare(liveObj, merged, type).Filter(filter);
        Update(managers, compare, key, force || (manager == "kubectl" && LastAppliedAllows(live, managers, compare, key, type)));
        mine.Set = mine.Set.Difference(Strip);
        if (mine.Set.IsEmpty) managers.Remove(key);

        var changed = !JsonNode.DeepEquals(liveObj, merged);
        var result = changed ? merged : liveObj;
        if (changed || mine.Time is null) mine.Time = Json.Now();
        Write(result, managers.Values);
        return (result, changed);
    }

    const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// kubectl's server-side apply taking over from its client-side apply: conflicts on fields the
    /// last-applied annotation holds are forced.
    /// </summary>
    static bool LastAppliedAllows(JsonObject? live, Dictionary<string, ManagedEntry> managers, Comparison compare, string key, SchemaType type)
    {
        if (live?.At("metadata", "annotations").Str(LastApplied) is not { } text) return false;
        JsonObject? lastApplied;
        try { lastApplied = JsonNode.Parse(text) as JsonObject; }
        catch (System.Text.Json.JsonException) { return false; }
        if (lastApplied is null) return false;
        var allowed = Typed.ToFieldSet(lastApplied, type);
        var changed = compare.Modified.Union(compare.Added);
        var conflicts = managers.Where(kv => kv.Key != key).Aggregate(new PathSet(), (acc, kv) => acc.Union(kv.Value.Set.Intersection(changed)));
        return conflicts.Difference(allowed).IsEmpty;
    }

    /// <summary>Removes what the applier stopped applying, unless another manager owns it (or something in it).</summary>
    static JsonObject Prune(JsonObject merged, Dictionary<string, ManagedEntry> managers, PathSet? lastSet, SchemaType type)
    {
        if (lastSet is null || lastSet.IsEmpty) return merged;
        var pruned = Typed.RemoveItems(merged, lastSet.EnsureNamedFieldsAreMembers(type), type);

        var managed = managers.Values.Aggregate(new PathSet(), (acc, e) => acc.Union(e.Set));
        var mergedSet = Typed.ToFieldSet(merged, type).EnsureNamedFieldsAreMembers(type);
        var prunedSet = Typed.ToFieldSet(pruned, type).EnsureNamedFieldsAreMembers(type);
        pruned = Typed.RemoveItems(merged, mergedSet.Difference(prunedSet.Union(managed.EnsureNamedFieldsAreMembers(type))), type);

        prunedSet = Typed.ToFieldSet(pruned, type).EnsureNamedFieldsAreMembers(type);
        var last = lastSet.EnsureNamedFieldsAreMembers(type);
        return Typed.RemoveItems(merged, mergedSet.Difference(prunedSet).Intersection(last), type);
    }

    /// <summary>
    /// Other managers lose what this write changed (a conflict unless forced) and what it removed; managers
    /// left with nothing disappear.
    /// </summary>
    static void Update(Dictionary<string, ManagedEntry> managers, Comparison compare, string? workflow, bool force)
    {
        var changed = compare.Modified.Union(compare.Added);
        var conflicts = new List<(ManagedEntry Owner, PathSet Set)>();
        foreach (var (key, e) in managers)
        {
            if (key == workflow) continue;
            var c = e.Set.Intersection(changed);
            if (!c.IsEmpty) conflicts.Add((e, c));
        }
        if (!force && conflicts.Count > 0) throw ConflictError(conflicts);
        foreach (var (owner, set) in conflicts) owner.Set = owner.Set.Difference(set);
        if (!compare.Removed.IsEmpty)
            foreach (var (key, e) in managers)
                if (key != workflow) e.Set = e.Set.Difference(compare.Removed);
        foreach (var key in managers.Where(kv => kv.Key != workflow && kv.Value.Set.IsEmpty).Select(kv => kv.Key).ToList())
            managers.Remove(key);
    }

    static ApiException ConflictError(List<(ManagedEntry Owner, PathSet Set)> byOwner)
    {
        var conflicts = byOwner.SelectMany(c => c.Set.Paths().Select(p => (c.Owner, Path: PathSet.Display(p)))).ToList();
        string message;
        if (conflicts.Count == 1)
            message = $"Apply failed with 1 conflict: conflict with {conflicts[0].Owner.Describe()}: {conflicts[0].Path}";
        else
        {
            var lines = new List<string>();
            foreach (var group in conflicts.GroupBy(c => c.Owner.Describe()).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => "- " + c.Path));
            }
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
        var causes = new JsonArray();
        foreach (var (owner, path) in conflicts)
            causes.Add(new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with {owner.Describe()}",
                ["field"] = path,
            });
        return new ApiException(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }
}
