using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Apply;

/// <summary>Which fields were added, changed or removed between two objects.</summary>
public sealed class Comparison
{
    public PathSet Added { get; set; } = new();
    public PathSet Modified { get; set; } = new();
    public PathSet Removed { get; set; } = new();

    public Comparison Filter(Func<PathSet, PathSet> filter) =>
        new() { Added = filter(Added), Modified = filter(Modified), Removed = filter(Removed) };
}

/// <summary>
/// The operations server-side apply does on objects with a schema, with structured-merge-diff's rules:
/// the field set of an object, merging an applied configuration into a live object (list maps item by item
/// in a stable order, atomic maps and lists whole), comparing two objects, and removing a set of fields.
/// </summary>
public static class Typed
{
    enum Atom { None, Scalar, Map, List }

    /// <summary>A value that may be absent (Has false) or present, possibly as JSON null.</summary>
    readonly record struct Val(bool Has, JsonNode? Node)
    {
        public static readonly Val Absent = new(false, null);
        public static Val Of(JsonNode? n) => new(true, n);
    }

    static Atom Deduce(SchemaType t, Val v)
    {
        if (v.Has)
        {
            if (v.Node is JsonObject && t.Map is not null) return Atom.Map;
            if (v.Node is JsonArray && t.List is not null) return Atom.List;
            if (v.Node is JsonValue && t.Scalar) return Atom.Scalar;
        }
        return t.Map is not null ? Atom.Map : t.Scalar ? Atom.Scalar : t.List is not null ? Atom.List : Atom.None;
    }

    /// <summary>The path element of a list item: k:{keys} for list maps, v:value for sets; null when it has none.</summary>
    public static string? ItemElement(ListSchema list, JsonNode? item)
    {
        if (list.Keys.Length > 0)
        {
            if (item is not JsonObject o) return null;
            var key = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var k in list.Keys)
            {
                if (o.TryGetPropertyValue(k, out var v)) key[k] = v?.DeepClone();
                else if (Schemas.KeyDefault(list, k) is { } d) key[k] = d.DeepClone();
                else return null;
            }
            return "k:" + Json.Text(new JsonObject(key));
        }
        return item is JsonValue ? "v:" + Json.Text(item) : null;
    }

    static List<string>? Elements(ListSchema list, JsonArray items)
    {
        var result = new List<string>(items.Count);
        foreach (var item in items)
        {
            if (ItemElement(list, item) is not { } pe) return null;
            result.Add(pe);
        }
        return result;
    }

    // ---------------- field sets ----------------

    public static PathSet ToFieldSet(JsonNode? value, SchemaType type)
    {
        var set = new PathSet();
        ToSet(value, type, [], set);
        return set;
    }

    static void ToSet(JsonNode? v, SchemaType t, List<string> path, PathSet set)
    {
        switch (Deduce(t, Val.Of(v)))
        {
            case Atom.Scalar:
                set.Insert(path);
                break;
            case Atom.List:
            {
                var list = t.List!;
                if (list.Atomic) { set.Insert(path); return; }
                if (v is not JsonArray a) return;
                var pes = a.Select(i => ItemElement(list, i)).ToList();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var dups = new HashSet<string>(StringComparer.Ordinal);
                foreach (var pe in pes.OfType<string>())
                    if (!seen.Add(pe) && dups.Add(pe)) { path.Add(pe); set.Insert(path); path.RemoveAt(path.Count - 1); }
                for (var i = 0; i < a.Count; i++)
                {
                    if (pes[i] is not { } pe || dups.Contains(pe)) continue;
                    path.Add(pe);
                    ToSet(a[i], list.Element, path, set);
                    set.Insert(path);
                    path.RemoveAt(path.Count - 1);
                }
                break;
            }
            case Atom.Map:
            {
                var map = t.Map!;
                if (map.Atomic) { set.Insert(path); return; }
                if (v is not JsonObject o) return;
                foreach (var (k, child) in o)
                {
                    path.Add("f:" + k);
                    var field = map.Find(k);
                    ToSet(child, field?.Type ?? map.ElementType ?? SchemaType.Deduced, path, set);
                    if (child is null || child is JsonObject { Count: 0 } || field is null) set.Insert(path);
                    path.RemoveAt(path.Count - 1);
                }
                break;
            }
        }
    }

    // ---------------- merge ----------------

    /// <summary>Merges an applied configuration (rhs) into a live object (lhs).</summary>
    public static JsonObject Merge(JsonObject lhs, JsonObject rhs, SchemaType type) =>
        Merge(Val.Of(lhs), Val.Of(rhs), type) is { Has: true, Node: JsonObject o } ? o : new JsonObject();

    static Val Merge(Val lhs, Val rhs, SchemaType t)
    {
        var al = Deduce(t, lhs);
        var ar = Deduce(t, rhs);
        var atom = !rhs.Has ? al : ar;
        if (rhs.Has && lhs.Has && al != ar) lhs = Val.Absent;
        switch (atom)
        {
            case Atom.Map:
            {
                var map = t.Map!;
                var lm = lhs.Node as JsonObject;
                var rm = rhs.Node as JsonObject;
                if (map.Atomic || ((lm is null || lm.Count == 0) && (rm is null || rm.Count == 0))) return KeepRhs(lhs, rhs);
                var o = new JsonObject();
                foreach (var key in Keys(lm, rm))
                {
                    var l = lm is not null && lm.TryGetPropertyValue(key, out var lv) ? Val.Of(lv) : Val.Absent;
                    var r = rm is not null && rm.TryGetPropertyValue(key, out var rv) ? Val.Of(rv) : Val.Absent;
                    var m = Merge(l, r, map.TypeOf(key));
                    if (m.Has) o[key] = m.Node;
                }
                return o.Count > 0 ? Val.Of(o) : Val.Absent;
            }
            case Atom.List:
            {
                var list = t.List!;
                var ll = lhs.Node as JsonArray;
                var rl = rhs.Node as JsonArray;
                if (list.Atomic || ((ll is null || ll.Count == 0) && (rl is null || rl.Count == 0))) return KeepRhs(lhs, rhs);
                return MergeList(list, ll ?? [], rl ?? []) is { } merged ? merged : KeepRhs(lhs, rhs);
            }
            default:
                return KeepRhs(lhs, rhs);
        }
    }

    static Val KeepRhs(Val lhs, Val rhs) => rhs.Has ? Val.Of(rhs.Node?.DeepClone()) : Val.Of(lhs.Node?.DeepClone());

    static IEnumerable<string> Keys(JsonObject? a, JsonObject? b)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, _) in a ?? []) if (seen.Add(k)) yield return k;
        foreach (var (k, _) in b ?? []) if (seen.Add(k)) yield return k;
    }

    /// <summary>
    /// Items of both lists: shared items in the applied order, live-only items where they were, new applied
    /// items where the configuration puts them. Null when an item has no key (the list is then taken whole).
    /// </summary>
    static Val? MergeList(ListSchema list, JsonArray lhs, JsonArray rhs)
    {
        var rhsPes = Elements(list, rhs);
        var lhsPes = Elements(list, lhs);
        if (rhsPes is null || lhsPes is null) return null;
        var observedRhs = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        for (var i = 0; i < rhs.Count; i++)
            if (!observedRhs.TryAdd(rhsPes[i], rhs[i])) return null;
        var observedLhs = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        for (var i = 0; i < lhs.Count; i++)
            if (!observedLhs.TryAdd(lhsPes[i], lhs[i])) observedLhs[lhsPes[i]] = null;

        var shared = new Queue<string>(rhsPes.Where(observedLhs.ContainsKey));
        string? nextShared = shared.Count > 0 ? shared.Dequeue() : null;
        var mergedRhs = new HashSet<string>(StringComparer.Ordinal);
        var output = new JsonArray();
        void Add(Val v) { if (v.Has) output.Add(v.Node); }
        Val Item(string pe, bool fromLhs, bool fromRhs) => Merge(
            fromLhs && observedLhs.TryGetValue(pe, out var l) ? Val.Of(l) : Val.Absent,
            fromRhs ? Val.Of(observedRhs[pe]) : Val.Absent, list.Element);

        int li = 0, ri = 0;
        while (li < lhsPes.Count || ri < rhsPes.Count)
        {
            if (li < lhsPes.Count && ri < rhsPes.Count)
            {
                var pe = lhsPes[li];
                if (pe == rhsPes[ri])
                {
                    mergedRhs.Add(pe);
                    Add(Item(pe, true, true));
                    li++;
                    ri++;
                    nextShared = shared.Count > 0 ? shared.Dequeue() : null;
                    continue;
                }
                if (observedRhs.ContainsKey(pe) && nextShared is not null && nextShared != lhsPes[li])
                {
                    li++;
                    continue;
                }
            }
            if (li < lhsPes.Count)
            {
                var pe = lhsPes[li];
                if (!observedRhs.ContainsKey(pe))
                {
                    Add(Merge(Val.Of(lhs[li]), Val.Absent, list.Element));
                    li++;
                    continue;
                }
                if (mergedRhs.Contains(pe)) li++;
            }
            if (ri < rhsPes.Count)
            {
                var pe = rhsPes[ri];
                mergedRhs.Add(pe);
                Add(Item(pe, true, true));
                ri++;
                if (nextShared is not null && nextShared == pe) nextShared = shared.Count > 0 ? shared.Dequeue() : null;
            }
        }
        return output.Count > 0 ? Val.Of(output) : Val.Absent;
    }

    // ---------------- compare ----------------

    public static Comparison Compare(JsonObject lhs, JsonObject rhs, SchemaType type)
    {
        var c = new Comparison();
        Compare(Val.Of(lhs), Val.Of(rhs), type, [], c);
        return c;
    }

    static void Compare(Val lhs, Val rhs, SchemaType t, List<string> path, Comparison c)
    {
        var al = Deduce(t, lhs);
        var ar = Deduce(t, rhs);
        var inLeaf = false;
        if (lhs.Has && rhs.Has && al != ar) inLeaf = Leaf(lhs, rhs, path, c);
        else
        {
            switch (!rhs.Has ? al : ar)
            {
                case Atom.Map:
                {
                    var map = t.Map!;
                    var lm = lhs.Node as JsonObject;
                    var rm = rhs.Node as JsonObject;
                    if (map.Atomic || ((lm is null || lm.Count == 0) && (rm is null || rm.Count == 0))) { inLeaf = Leaf(lhs, rhs, path, c); break; }
                    if (lm is null && rm is null) break;
                    foreach (var key in Keys(lm, rm))
                    {
                        var l = lm is not null && lm.TryGetPropertyValue(key, out var lv) ? Val.Of(lv) : Val.Absent;
                        var r = rm is not null && rm.TryGetPropertyValue(key, out var rv) ? Val.Of(rv) : Val.Absent;
                        path.Add("f:" + key);
                        Compare(l, r, map.TypeOf(key), path, c);
                        path.RemoveAt(path.Count - 1);
                    }
                    break;
                }
                case Atom.List:
                {
                    var list = t.List!;
                    var ll = lhs.Node as JsonArray;
                    var rl = rhs.Node as JsonArray;
                    if (list.Atomic || ((ll is null || ll.Count == 0) && (rl is null || rl.Count == 0))) { inLeaf = Leaf(lhs, rhs, path, c); break; }
                    if (ll is null && rl is null) break;
                    if (!CompareList(list, ll ?? [], rl ?? [], path, c)) inLeaf = Leaf(lhs, rhs, path, c);
                    break;
                }
                default:
                    inLeaf = Leaf(lhs, rhs, path, c);
                    break;
            }
        }
        if (!inLeaf)
        {
            if (!lhs.Has) c.Added.Insert(path);
            else if (!rhs.Has) c.Removed.Insert(path);
        }
    }

    static bool Leaf(Val lhs, Val rhs, List<string> path, Comparison c)
    {
        if (!lhs.Has) c.Added.Insert(path);
        else if (!rhs.Has) c.Removed.Insert(path);
        else if (!JsonNode.DeepEquals(lhs.Node, rhs.Node)) c.Modified.Insert(path);
        return true;
    }

    static bool CompareList(ListSchema list, JsonArray lhs, JsonArray rhs, List<string> path, Comparison c)
    {
        var lp = Elements(list, lhs);
        var rp = Elements(list, rhs);
        if (lp is null || rp is null) return false;
        var all = new List<string>();
        var lValues = new Dictionary<string, List<JsonNode?>>(StringComparer.Ordinal);
        var rValues = new Dictionary<string, List<JsonNode?>>(StringComparer.Ordinal);
        for (var i = 0; i < lhs.Count; i++)
        {
            if (lValues.TryGetValue(lp[i], out var l)) l.Add(lhs[i]);
            else { lValues[lp[i]] = [lhs[i]]; all.Add(lp[i]); }
        }
        for (var i = 0; i < rhs.Count; i++)
        {
            if (rValues.TryGetValue(rp[i], out var r)) r.Add(rhs[i]);
            else { rValues[rp[i]] = [rhs[i]]; if (!lValues.ContainsKey(rp[i])) all.Add(rp[i]); }
        }
        foreach (var pe in all)
        {
            var l = lValues.GetValueOrDefault(pe) ?? [];
            var r = rValues.GetValueOrDefault(pe) ?? [];
            path.Add(pe);
            if (l.Count <= 1 && r.Count <= 1)
                Compare(l.Count == 1 ? Val.Of(l[0]) : Val.Absent, r.Count == 1 ? Val.Of(r[0]) : Val.Absent, list.Element, path, c);
            else if (l.Count >= 2 && r.Count >= 2)
            {
                if (l.Count != r.Count || l.Zip(r).Any(p => !JsonNode.DeepEquals(p.First, p.Second))) c.Modified.Insert(path);
            }
            else if (l.Count >= 2)
            {
                if (r.Count != 0) Compare(Val.Absent, Val.Of(r[0]), list.Element, path, c);
                c.Removed.Insert(path);
            }
            else
            {
                if (l.Count != 0) Compare(Val.Of(l[0]), Val.Absent, list.Element, path, c);
                c.Added.Insert(path);
            }
            path.RemoveAt(path.Count - 1);
        }
        return true;
    }

    // ---------------- remove ----------------

    /// <summary>The object without the members of <paramref name="toRemove"/>; emptied maps and lists become null.</summary>
    public static JsonObject RemoveItems(JsonObject value, PathSet toRemove, SchemaType type) =>
        Remove(value, toRemove, type) as JsonObject ?? new JsonObject();

    static JsonNode? Remove(JsonNode? v, PathSet toRemove, SchemaType t)
    {
        switch (Deduce(t, Val.Of(v)))
        {
            case Atom.List:
            {
                var list = t.List!;
                if (v is not JsonArray { Count: > 0 } a || list.Atomic) return null;
                var items = new JsonArray();
                foreach (var item in a)
                {
                    var pe = ItemElement(list, item);
                    var child = item?.DeepClone();
                    if (pe is not null)
                    {
                        if (toRemove.HasMember(pe)) continue;
                        var subset = toRemove.WithPrefix(pe);
                        if (!subset.IsEmpty) child = Remove(item, subset, list.Element);
                    }
                    items.Add(child);
                }
                return items.Count > 0 ? items : null;
            }
            case Atom.Map:
            {
                var map = t.Map!;
                if (v is not JsonObject { Count: > 0 } o || map.Atomic) return null;
                var result = new JsonObject();
                foreach (var (k, child) in o)
                {
                    var pe = "f:" + k;
                    if (toRemove.HasMember(pe)) continue;
                    var subset = toRemove.WithPrefix(pe);
                    result[k] = subset.IsEmpty ? child?.DeepClone() : Remove(child, subset, map.TypeOf(k));
                }
                return result.Count > 0 ? result : null;
            }
            default:
                return v?.DeepClone();
        }
    }
}
