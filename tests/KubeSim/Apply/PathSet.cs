using System.Text;
using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Apply;

/// <summary>
/// A set of field paths, the unit of ownership in server-side apply, as a tree: each node has member path
/// elements and children. Path elements are FieldsV1 keys: "f:name", "k:{json key}", "v:json value", "i:n".
/// </summary>
public sealed class PathSet
{
    readonly HashSet<string> _members = new(StringComparer.Ordinal);
    readonly SortedDictionary<string, PathSet> _children = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Members => _members;
    public IReadOnlyDictionary<string, PathSet> Children => _children;

    public bool IsEmpty => _members.Count == 0 && _children.Values.All(c => c.IsEmpty);

    public void Insert(IReadOnlyList<string> path)
    {
        if (path.Count == 0) return;
        var node = this;
        for (var i = 0; i < path.Count - 1; i++) node = node.Child(path[i]);
        node._members.Add(path[^1]);
    }

    PathSet Child(string element)
    {
        if (!_children.TryGetValue(element, out var c)) _children[element] = c = new PathSet();
        return c;
    }

    public bool HasMember(string element) => _members.Contains(element);

    /// <summary>The children under one element (empty when none).</summary>
    public PathSet WithPrefix(string element) => _children.TryGetValue(element, out var c) ? c : new PathSet();

    public PathSet Union(PathSet other)
    {
        var r = new PathSet();
        r._members.UnionWith(_members);
        r._members.UnionWith(other._members);
        foreach (var (k, c) in _children) r._children[k] = other._children.TryGetValue(k, out var o) ? c.Union(o) : c.Copy();
        foreach (var (k, o) in other._children) if (!_children.ContainsKey(k)) r._children[k] = o.Copy();
        return r;
    }

    public PathSet Intersection(PathSet other)
    {
        var r = new PathSet();
        foreach (var m in _members) if (other._members.Contains(m)) r._members.Add(m);
        foreach (var (k, c) in _children)
            if (other._children.TryGetValue(k, out var o))
            {
                var i = c.Intersection(o);
                if (!i.IsEmpty) r._children[k] = i;
            }
        return r;
    }

    public PathSet Difference(PathSet other)
    {
        var r = new PathSet();
        foreach (var m in _members) if (!other._members.Contains(m)) r._members.Add(m);
        foreach (var (k, c) in _children)
        {
            var d = other._children.TryGetValue(k, out var o) ? c.Difference(o) : c.Copy();
            if (!d.IsEmpty) r._children[k] = d;
        }
        return r;
    }

    /// <summary>Removes every path of <paramref name="other"/> and everything beneath it.</summary>
    public PathSet RecursiveDifference(PathSet other)
    {
        var r = new PathSet();
        foreach (var m in _members) if (!other._members.Contains(m)) r._members.Add(m);
        foreach (var (k, c) in _children)
        {
            if (other._members.Contains(k)) continue;
            var d = other._children.TryGetValue(k, out var o) ? c.RecursiveDifference(o) : c.Copy();
            if (!d.IsEmpty) r._children[k] = d;
        }
        return r;
    }

    public PathSet Copy()
    {
        var r = new PathSet();
        r._members.UnionWith(_members);
        foreach (var (k, c) in _children) r._children[k] = c.Copy();
        return r;
    }

    /// <summary>Also owns the declared struct fields that have owned children (a map's keys stay children).</summary>
    public PathSet EnsureNamedFieldsAreMembers(SchemaType type)
    {
        var r = new PathSet();
        r._members.UnionWith(_members);
        foreach (var (k, c) in _children)
        {
            SchemaType? childType = null;
            if (k.StartsWith("f:", StringComparison.Ordinal) && type.Map is { } map)
            {
                var field = map.Find(k[2..]);
                if (field is not null) r._members.Add(k);
                childType = field?.Type ?? map.ElementType;
            }
            else if (k.StartsWith("k:", StringComparison.Ordinal) && type.List is { } list) childType = list.Element;
            r._children[k] = c.EnsureNamedFieldsAreMembers(childType ?? new SchemaType());
        }
        return r;
    }

    /// <summary>Every member path.</summary>
    public IEnumerable<List<string>> Paths()
    {
        foreach (var p in Walk(new List<string>())) yield return p;
    }

    IEnumerable<List<string>> Walk(List<string> prefix)
    {
        foreach (var m in _members.Order(StringComparer.Ordinal)) yield return new List<string>(prefix) { m };
        foreach (var (k, c) in _children)
        {
            prefix.Add(k);
            foreach (var p in c.Walk(prefix)) yield return p;
            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    public JsonObject ToFieldsV1()
    {
        var o = new JsonObject();
        var keys = new SortedSet<string>(_members, StringComparer.Ordinal);
        keys.UnionWith(_children.Where(c => !c.Value.IsEmpty).Select(c => c.Key));
        foreach (var k in keys)
        {
            if (_children.TryGetValue(k, out var c) && !c.IsEmpty)
            {
                var child = c.ToFieldsV1();
                if (_members.Contains(k))
                {
                    var withSelf = new JsonObject { ["."] = new JsonObject() };
                    foreach (var (ck, cv) in child.ToList())
                    {
                        child.Remove(ck);
                        withSelf[ck] = cv;
                    }
                    child = withSelf;
                }
                o[k] = child;
            }
            else o[k] = new JsonObject();
        }
        return o;
    }

    public static PathSet FromFieldsV1(JsonNode? fields)
    {
        var set = new PathSet();
        if (fields is JsonObject o) set.Read(o);
        return set;
    }

    void Read(JsonObject o)
    {
        foreach (var (k, v) in o)
        {
            if (k == ".") continue;
            if (v is JsonObject child && child.Count > 0)
            {
                if (child.ContainsKey(".")) _members.Add(k);
                Child(k).Read(child);
            }
            else _members.Add(k);
        }
    }

    /// <summary>A path as the API prints it in conflicts: .spec.containers[name="app"].image</summary>
    public static string Display(IEnumerable<string> path)
    {
        var sb = new StringBuilder();
        foreach (var el in path)
        {
            switch (el[0])
            {
                case 'f': sb.Append('.').Append(el[2..]); break;
                case 'k':
                    var key = JsonNode.Parse(el[2..]) as JsonObject;
                    sb.Append('[').Append(string.Join(",", key!.Select(kv => $"{kv.Key}={Json.Text(kv.Value)}"))).Append(']');
                    break;
                case 'v': sb.Append("[=").Append(el[2..]).Append(']'); break;
                case 'i': sb.Append('[').Append(el[2..]).Append(']'); break;
            }
        }
        return sb.ToString();
    }
}
