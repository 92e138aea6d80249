using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Patch;
using KubeSim.Storage;

namespace KubeSim.Apply;

/// <summary>
/// A set of field paths, the unit of ownership in server-side apply. A path is a list of FieldsV1 elements
/// ("f:name", "k:{json key}", "v:json value") joined by '\n'. Leaves, list-map items and set items are
/// members; plain maps are not (their leaves are).
/// </summary>
public sealed class FieldSet
{
    public const char Sep = '\n';
    readonly HashSet<string> _paths;

    public FieldSet() => _paths = new(StringComparer.Ordinal);
    public FieldSet(IEnumerable<string> paths) => _paths = new(paths, StringComparer.Ordinal);

    /// <summary>Marks list items and set values in <see cref="Values"/>: their identity is their key.</summary>
    public static readonly JsonNode Item = JsonValue.Create("\u0000item")!;

    public IReadOnlyCollection<string> Paths => _paths;

    /// <summary>The value at each path, for sets computed from an object (null otherwise).</summary>
    public Dictionary<string, JsonNode?>? Values { get; private set; }
    public bool IsEmpty => _paths.Count == 0;
    public bool Contains(string path) => _paths.Contains(path);
    public void Add(string path) => _paths.Add(path);
    public bool Remove(string path) => _paths.Remove(path);

    void AddValue(string path, JsonNode? value)
    {
        _paths.Add(path);
        Values![path] = value;
    }

    /// <summary>Whether a path holds the same value in both sets (both computed from objects).</summary>
    public static bool SameValue(FieldSet a, FieldSet b, string path) =>
        a.Values!.TryGetValue(path, out var va) && b.Values!.TryGetValue(path, out var vb) && JsonNode.DeepEquals(va, vb);

    static readonly HashSet<string> IgnoredMetadata =
    [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink",
    ];

    /// <summary>Every member path of an object. Status is included only when <paramref name="statusOnly"/>.</summary>
    public static FieldSet Of(ResourceType rt, JsonObject obj, bool statusOnly)
    {
        var set = new FieldSet { Values = new(StringComparer.Ordinal) };
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind") continue;
            if (rt.HasStatus && (key == "status") != statusOnly) continue;
            if (key == "metadata" && value is JsonObject meta)
            {
                if (statusOnly) continue;
                foreach (var (mk, mv) in meta)
                    if (!IgnoredMetadata.Contains(mk))
                        Walk(rt, mv, ["metadata", mk], "f:metadata" + Sep + "f:" + mk, set);
                continue;
            }
            Walk(rt, value, [key], "f:" + key, set);
        }
        return set;
    }

    static void Walk(ResourceType rt, JsonNode? node, List<string> names, string path, FieldSet set)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                foreach (var (k, v) in o)
                {
                    names.Add(k);
                    Walk(rt, v, names, path + Sep + "f:" + k, set);
                    names.RemoveAt(names.Count - 1);
                }
                break;
            case JsonArray a when a.Count > 0:
                var type = ListSemantics.For(rt, names);
                if (type.Kind == ListKind.Set)
                {
                    foreach (var item in a) set.AddValue(path + Sep + "v:" + Json.Text(item), Item);
                }
                else if (type.Kind == ListKind.Map && a.All(i => ListSemantics.KeyOf(i, type) is not null))
                {
                    foreach (var item in a)
                    {
                        var itemPath = path + Sep + "k:" + Json.Text(ListSemantics.KeyOf(item, type));
                        set.AddValue(itemPath, Item);
                        Walk(rt, item, names, itemPath, set);
                    }
                }
                else set.AddValue(path, a);
                break;
            default:
                set.AddValue(path, node);
                break;
        }
    }

    /// <summary>The value at a path, and whether it exists.</summary>
    public static (bool Found, JsonNode? Value) Resolve(JsonNode? root, string path)
    {
        var node = root;
        foreach (var el in path.Split(Sep))
        {
            switch (el[0])
            {
                case 'f':
                    if (node is not JsonObject o || !o.TryGetPropertyValue(el[2..], out node)) return (false, null);
                    break;
                case 'k':
                {
                    var key = JsonNode.Parse(el[2..]) as JsonObject;
                    if (node is not JsonArray a || key is null) return (false, null);
                    node = a.FirstOrDefault(i => i is JsonObject io && key.All(kv =>
                        JsonNode.DeepEquals(io[kv.Key] ?? (kv.Key == "protocol" ? JsonValue.Create("TCP") : null), kv.Value)));
                    if (node is null) return (false, null);
                    break;
                }
                case 'v':
                {
                    var v = JsonNode.Parse(el[2..]);
                    if (node is not JsonArray a || !a.Any(i => JsonNode.DeepEquals(i, v))) return (false, null);
                    return (true, v);
                }
                default: return (false, null);
            }
        }
        return (true, node);
    }

    /// <summary>Removes the member at a path from an object (a field, a list item or a set value).</summary>
    public static void RemoveAt(JsonNode root, string path)
    {
        var cut = path.LastIndexOf(Sep);
        var (found, parent) = cut < 0 ? (true, root) : Resolve(root, path[..cut]);
        if (!found) return;
        var el = cut < 0 ? path : path[(cut + 1)..];
        switch (el[0])
        {
            case 'f' when parent is JsonObject o:
                o.Remove(el[2..]);
                if (o.Count == 0 && cut > 0) RemoveAt(root, path[..cut]);
                break;
            case 'k' when parent is JsonArray a:
                var (ok, item) = Resolve(root, path);
                if (ok && item is not null) a.Remove(item);
                break;
            case 'v' when parent is JsonArray a:
                var v = JsonNode.Parse(el[2..]);
                for (var i = a.Count - 1; i >= 0; i--)
                    if (JsonNode.DeepEquals(a[i], v)) a.RemoveAt(i);
                break;
        }
    }

    /// <summary>FieldsV1 JSON: nested objects keyed by path element, "." marking an owned item with children.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new Node();
        foreach (var p in _paths)
        {
            var n = root;
            foreach (var el in p.Split(Sep))
            {
                if (!n.Children.TryGetValue(el, out var c)) n.Children[el] = c = new Node();
                n = c;
            }
            n.Self = true;
        }
        return root.ToJson();
    }

    public static FieldSet FromFieldsV1(JsonNode? fields)
    {
        var set = new FieldSet();
        void Visit(JsonObject o, string prefix)
        {
            foreach (var (k, v) in o)
            {
                if (k == ".")
                {
                    if (prefix.Length > 0) set.Add(prefix);
                    continue;
                }
                var path = prefix.Length == 0 ? k : prefix + Sep + k;
                if (v is JsonObject child && child.Count > 0) Visit(child, path);
                else set.Add(path);
            }
        }
        if (fields is JsonObject root) Visit(root, "");
        return set;
    }

    /// <summary>A path as the API prints it in conflicts: .spec.containers[name="app"].image</summary>
    public static string Display(string path)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var el in path.Split(Sep))
        {
            switch (el[0])
            {
                case 'f': sb.Append('.').Append(el[2..]); break;
                case 'k':
                    var key = JsonNode.Parse(el[2..]) as JsonObject;
                    sb.Append('[').Append(string.Join(",", key!.Select(kv => $"{kv.Key}={Json.Text(kv.Value)}"))).Append(']');
                    break;
                case 'v': sb.Append('[').Append(el[2..]).Append(']'); break;
            }
        }
        return sb.ToString();
    }

    sealed class Node
    {
        public bool Self;
        public readonly SortedDictionary<string, Node> Children = new(StringComparer.Ordinal);

        public JsonObject ToJson()
        {
            var o = new JsonObject();
            if (Self && Children.Count > 0) o["."] = new JsonObject();
            foreach (var (k, c) in Children) o[k] = c.ToJson();
            return o;
        }
    }
}
