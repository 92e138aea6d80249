using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Patch;
using KubeSim.Storage;

namespace KubeSim.Apply;

/// <summary>
/// A type as server-side apply sees it (structured-merge-diff's schema atoms): a value may be a scalar, a
/// map (a struct's declared fields, or elements of one type; granular or atomic) or a list (atomic, a set of
/// scalars, or a map keyed by some fields of its items). A deduced type takes the shape of its value.
/// </summary>
public sealed class SchemaType
{
    public bool Scalar { get; init; }
    public MapSchema? Map { get; set; }
    public ListSchema? List { get; set; }
    /// <summary>Struct fields present (possibly {}) in every object of this type: non-pointer Go structs.</summary>
    public string[] Always { get; init; } = [];
    /// <summary>Whether decoding into Go types drops this field when it is empty (maps and lists).</summary>
    public bool OmitEmpty { get; init; }

    /// <summary>What a scalar must be (structured-merge-diff's scalar types); Untyped takes any.</summary>
    public ScalarKind ScalarKind { get; init; }

    public static readonly SchemaType ScalarType = new() { Scalar = true };
    public static readonly SchemaType StringType = new() { Scalar = true, ScalarKind = ScalarKind.String };
    public static readonly SchemaType NumericType = new() { Scalar = true, ScalarKind = ScalarKind.Numeric };
    public static readonly SchemaType BooleanType = new() { Scalar = true, ScalarKind = ScalarKind.Boolean };

    /// <summary>Any value, owned whole.</summary>
    public static readonly SchemaType UntypedAtomic = Untyped(atomicMaps: true);
    /// <summary>Any value: maps merge field by field, lists are atomic.</summary>
    public static readonly SchemaType Deduced = Untyped(atomicMaps: false);

    static SchemaType Untyped(bool atomicMaps)
    {
        var t = new SchemaType { Scalar = true };
        t.Map = new MapSchema { Atomic = atomicMaps, ElementType = t };
        t.List = new ListSchema { Element = atomicMaps ? t : null!, Atomic = true };
        return t;
    }

    static SchemaType()
    {
        Deduced.List!.Element = UntypedAtomic;
    }
}

public enum ScalarKind { Untyped, String, Numeric, Boolean }

public sealed class MapSchema
{
    public Dictionary<string, SchemaField> Fields { get; init; } = new(StringComparer.Ordinal);
    public SchemaType? ElementType { get; set; }
    public bool Atomic { get; init; }
    /// <summary>Resolves undeclared fields of types built lazily (the fallback for kinds without a schema).</summary>
    public Func<string, SchemaField?>? Lookup { get; init; }

    public SchemaField? Find(string name)
    {
        if (Fields.TryGetValue(name, out var f)) return f;
        return Lookup?.Invoke(name);
    }

    public SchemaType TypeOf(string name) => Find(name)?.Type ?? ElementType ?? SchemaType.Deduced;
}

public sealed record SchemaField(SchemaType Type, JsonNode? Default = null);

public sealed class ListSchema
{
    public required SchemaType Element { get; set; }
    public bool Atomic { get; init; }
    /// <summary>Key fields of a list map; empty for a set.</summary>
    public string[] Keys { get; init; } = [];
}

/// <summary>
/// Schemas by resource type: built-in kinds from BuiltinSchema.json (the x-kubernetes-* markers of
/// kube-apiserver 1.32's OpenAPI, shared with the Go reference in KubeSim.Tests/SmdReference), custom
/// resources from their CRD's openAPIV3Schema, and for other built-in kinds a fallback that knows list
/// keys by field name.
/// </summary>
public static class Schemas
{
    static readonly Dictionary<string, SchemaType> Named = new(StringComparer.Ordinal);
    static readonly Dictionary<string, string> KindTypes = new(StringComparer.Ordinal);
    static readonly ConcurrentDictionary<string, SchemaType> Cache = new(StringComparer.Ordinal);

    static Schemas()
    {
        using var stream = typeof(Schemas).Assembly.GetManifestResourceStream("KubeSim.Apply.BuiltinSchema.json")!;
        var doc = JsonNode.Parse(stream)!.AsObject();
        foreach (var (apiKind, typeName) in doc["kinds"]!.AsObject()) KindTypes[apiKind] = typeName!.GetValue<string>();
        var types = doc["types"]!.AsObject();
        foreach (var (name, _) in types) Named[name] = new SchemaType { Always = Strings(types[name]!["always"]) };
        foreach (var (name, def) in types)
        {
            // A struct declares all its fields: no element type, as in kube-apiserver's schema.
            var map = new MapSchema { Atomic = def!["atomic"]?.GetValue<bool>() == true };
            foreach (var (field, spec) in def["fields"]!.AsObject())
                map.Fields[field] = new SchemaField(FromSpec(spec!), def["defaults"]?[field]?.DeepClone());
            Named[name].Map = map;
        }
    }

    static string[] Strings(JsonNode? n) => n is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToArray() : [];

    static SchemaType FromSpec(JsonNode spec)
    {
        if (spec is JsonValue v)
        {
            var s = v.GetValue<string>();
            return s switch
            {
                "scalar" => SchemaType.ScalarType,
                "string" => SchemaType.StringType,
                "numeric" => SchemaType.NumericType,
                "boolean" => SchemaType.BooleanType,
                "map" => new SchemaType { OmitEmpty = true, Map = new MapSchema { ElementType = SchemaType.ScalarType } },
                "atomicmap" => new SchemaType { OmitEmpty = true, Map = new MapSchema { ElementType = SchemaType.ScalarType, Atomic = true } },
                "deduced" => SchemaType.Deduced,
                _ => Named[s],
            };
        }
        if (spec["map"] is JsonNode relationship)
            return new SchemaType
            {
                OmitEmpty = true,
                Map = new MapSchema { ElementType = FromSpec(spec["of"]!), Atomic = relationship.GetValue<string>() == "atomic" },
            };
        var list = spec["list"]!.GetValue<string>();
        var of = FromSpec(spec["of"]!);
        return new SchemaType
        {
            OmitEmpty = true,
            List = new ListSchema { Element = of, Atomic = list == "atomic", Keys = list == "map" ? Strings(spec["keys"]) : [] },
        };
    }

    public static SchemaType ObjectMeta => Named["ObjectMeta"];

    /// <summary>Whether objects of this type come from a full schema (decoded into Go types by a real server).</summary>
    public static bool IsBuiltin(ResourceType rt) => !rt.IsCustom && KindTypes.ContainsKey(rt.ApiVersion + "/" + rt.Kind);

    public static SchemaType For(ResourceType rt)
    {
        if (!rt.IsCustom && KindTypes.TryGetValue(rt.ApiVersion + "/" + rt.Kind, out var name)) return Named[name];
        var key = rt.IsCustom ? $"crd:{rt.CrdName}/{rt.Version}:{rt.Schema?.GetHashCode()}" : $"builtin:{rt.ApiVersion}/{rt.Kind}";
        return Cache.GetOrAdd(key, _ => rt.IsCustom ? FromCrd(rt.Schema) : Fallback(rt, []));
    }

    /// <summary>A CRD's structural schema, with metadata as ObjectMeta.</summary>
    static SchemaType FromCrd(JsonObject? schema)
    {
        var root = FromOpenApi(schema);
        if (root.Map is null) root = SchemaType.Deduced;
        var map = new MapSchema
        {
            Atomic = root.Map!.Atomic,
            ElementType = root.Map.ElementType ?? SchemaType.Deduced,
            Lookup = root.Map.Lookup,
        };
        foreach (var (k, f) in root.Map.Fields) map.Fields[k] = f;
        map.Fields["apiVersion"] = new SchemaField(SchemaType.ScalarType);
        map.Fields["kind"] = new SchemaField(SchemaType.ScalarType);
        map.Fields["metadata"] = new SchemaField(ObjectMeta);
        return new SchemaType { Map = map };
    }

    static SchemaType FromOpenApi(JsonNode? s)
    {
        if (s is not JsonObject o) return SchemaType.Deduced;
        if (o.Bool("x-kubernetes-int-or-string") == true) return SchemaType.ScalarType;
        var type = o.Str("type");
        if (type == "array")
        {
            var listType = o.Str("x-kubernetes-list-type");
            return new SchemaType
            {
                List = new ListSchema
                {
                    Element = FromOpenApi(o["items"]),
                    Atomic = listType is null or "atomic",
                    Keys = listType == "map" && o["x-kubernetes-list-map-keys"] is JsonArray keys ? Strings(keys) : [],
                },
            };
        }
        if (type == "object" || o["properties"] is JsonObject || o["additionalProperties"] is JsonObject)
        {
            var atomic = o.Str("x-kubernetes-map-type") == "atomic";
            var map = new MapSchema
            {
                Atomic = atomic,
                ElementType = o["additionalProperties"] is JsonObject ap ? FromOpenApi(ap)
                    : o.Bool("x-kubernetes-preserve-unknown-fields") == true || o["properties"] is not JsonObject ? SchemaType.Deduced : null,
            };
            if (o["properties"] is JsonObject props)
                foreach (var (k, v) in props) map.Fields[k] = new SchemaField(FromOpenApi(v), v?["default"]?.DeepClone());
            if (o.Bool("x-kubernetes-embedded-resource") == true)
            {
                // The published schema of an embedded resource declares its type and object metadata.
                map.Fields.TryAdd("apiVersion", new SchemaField(SchemaType.StringType));
                map.Fields.TryAdd("kind", new SchemaField(SchemaType.StringType));
                map.Fields.TryAdd("metadata", new SchemaField(ObjectMeta));
            }
            return new SchemaType { Map = map };
        }
        if (type is null) return SchemaType.Deduced;
        return SchemaType.ScalarType;
    }

    /// <summary>
    /// A built-in kind without a schema here: every key is a declared field; lists are typed by
    /// <see cref="ListSemantics"/> (list keys by field name), metadata is ObjectMeta.
    /// </summary>
    static SchemaType Fallback(ResourceType rt, List<string> path)
    {
        var map = new MapSchema
        {
            Lookup = name =>
            {
                if (path.Count == 0 && name == "metadata") return new SchemaField(ObjectMeta);
                var child = new List<string>(path) { name };
                return new SchemaField(FallbackField(rt, child));
            },
        };
        return new SchemaType { Map = map, Scalar = true };
    }

    static SchemaType FallbackField(ResourceType rt, List<string> path) =>
        Cache.GetOrAdd($"builtin:{rt.ApiVersion}/{rt.Kind}:{string.Join('/', path)}", _ =>
        {
            var lt = ListSemantics.For(rt, path);
            var list = lt.Kind switch
            {
                ListKind.Map => new ListSchema { Element = Fallback(rt, path), Keys = lt.Keys,  },
                ListKind.Set => new ListSchema { Element = SchemaType.ScalarType },
                _ => new ListSchema { Element = SchemaType.UntypedAtomic, Atomic = true },
            };
            var t = Fallback(rt, path);
            return new SchemaType { Scalar = true, Map = t.Map, List = list };
        });

    /// <summary>The default of a list-map key field, from the item type (protocol: TCP).</summary>
    public static JsonNode? KeyDefault(ListSchema list, string key) =>
        list.Element.Map?.Find(key)?.Default ?? (key == "protocol" && list.Element.Map?.Lookup is not null ? JsonValue.Create("TCP") : null);

    /// <summary>
    /// What decoding into kube-apiserver's Go types does to an object of a built-in kind with a schema here:
    /// nulls and empty maps and lists go, non-pointer structs are there (possibly {}). Other kinds lose
    /// only their nulls.
    /// </summary>
    public static void RoundTrip(ResourceType rt, JsonObject obj)
    {
        if (IsBuiltin(rt)) RoundTrip(For(rt), obj);
        else DropNulls(obj);
    }

    static void RoundTrip(SchemaType type, JsonObject obj)
    {
        var map = type.Map;
        foreach (var (key, value) in obj.ToList())
        {
            var ft = map?.Find(key)?.Type ?? map?.ElementType ?? SchemaType.Deduced;
            switch (value)
            {
                case null:
                    obj.Remove(key);
                    break;
                case JsonObject o when ft.Map is { } m && ft != SchemaType.Deduced && m.Fields.Count > 0:
                    RoundTrip(ft, o);
                    break;
                case JsonObject o:
                    DropNulls(o);
                    if (o.Count == 0 && ft.OmitEmpty) obj.Remove(key);
                    break;
                case JsonArray a when a.Count == 0:
                    obj.Remove(key);
                    break;
                case JsonArray a:
                    foreach (var item in a)
                        if (item is JsonObject io)
                        {
                            if (ft.List?.Element is { Map.Fields.Count: > 0 } et && et != SchemaType.Deduced) RoundTrip(et, io);
                            else DropNulls(io);
                        }
                    break;
            }
        }
        foreach (var always in type.Always)
            if (obj[always] is not JsonObject)
            {
                var o = new JsonObject();
                obj[always] = o;
                RoundTrip(map!.TypeOf(always), o);
            }
    }

    public static void DropNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList()) o.Remove(key);
                foreach (var (_, v) in o) DropNulls(v);
                break;
            case JsonArray a:
                foreach (var v in a) DropNulls(v);
                break;
        }
    }

    /// <summary>The object kube-apiserver starts an apply or a create from: the kind's empty Go struct.</summary>
    public static JsonObject Zero(ResourceType rt)
    {
        var o = new JsonObject();
        if (IsBuiltin(rt)) RoundTrip(For(rt), o);
        return o;
    }
}
