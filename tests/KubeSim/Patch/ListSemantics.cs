using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Patch;

public enum ListKind { Atomic, Set, Map }

/// <summary>How a list merges: atomic, a set of scalars, or a map keyed by some of its items' fields.</summary>
public sealed record ListType(ListKind Kind, string[] Keys)
{
    public static readonly ListType Atomic = new(ListKind.Atomic, []);
    public static readonly ListType Set = new(ListKind.Set, []);
    public static ListType MapBy(params string[] keys) => new(ListKind.Map, keys);
}

/// <summary>
/// The merge semantics of list fields (patchMergeKey / x-kubernetes-list-map-keys): a table for the built-in
/// kinds, the CRD schema for custom resources.
/// </summary>
public static class ListSemantics
{
    static readonly HashSet<string> Containers = ["containers", "initContainers", "ephemeralContainers"];

    /// <summary>Semantics of the list at <paramref name="path"/> (field names only, list positions left out).</summary>
    public static ListType For(ResourceType rt, IReadOnlyList<string> path)
    {
        if (path.Count == 0) return ListType.Atomic;
        var last = path[^1];
        if (path.Count == 2 && path[0] == "metadata")
        {
            return last switch
            {
                "finalizers" => ListType.Set,
                "ownerReferences" => ListType.MapBy("uid"),
                "managedFields" => ListType.Atomic,
                _ => ListType.Atomic,
            };
        }
        if (rt.IsCustom) return FromSchema(rt.Schema, path);
        var parent = path.Count >= 2 ? path[^2] : "";
        return last switch
        {
            _ when Containers.Contains(last) => ListType.MapBy("name"),
            "volumes" or "env" or "imagePullSecrets" or "resourceClaims" or "schedulingGates" => ListType.MapBy("name"),
            "webhooks" when rt.Group == "admissionregistration.k8s.io" => ListType.MapBy("name"),
            "volumeMounts" => ListType.MapBy("mountPath"),
            "volumeDevices" => ListType.MapBy("devicePath"),
            "ports" when Containers.Contains(parent) => ListType.MapBy("containerPort", "protocol"),
            "ports" when rt.Kind == "Service" && path.Count == 2 => ListType.MapBy("port", "protocol"),
            "hostAliases" => ListType.MapBy("ip"),
            "conditions" => ListType.MapBy("type"),
            "topologySpreadConstraints" => ListType.MapBy("topologyKey", "whenUnsatisfiable"),
            "finalizers" => ListType.Set,
            _ => ListType.Atomic,
        };
    }

    static ListType FromSchema(JsonObject? schema, IReadOnlyList<string> path)
    {
        JsonNode? node = schema;
        foreach (var field in path)
        {
            // Descend through arrays' items transparently: the path holds field names only.
            while (node.Str("type") == "array") node = node?["items"];
            var props = node?["properties"] as JsonObject;
            node = props is not null && props.TryGetPropertyValue(field, out var child)
                ? child
                : node?["additionalProperties"] as JsonObject;
            if (node is null) return ListType.Atomic;
        }
        return node.Str("x-kubernetes-list-type") switch
        {
            "map" => ListType.MapBy(node!["x-kubernetes-list-map-keys"] is JsonArray keys
                ? keys.Select(k => k.AsString() ?? "").ToArray()
                : ["name"]),
            "set" => ListType.Set,
            _ => ListType.Atomic,
        };
    }

    /// <summary>The key fields of a list-map item, with defaults filled in (protocol defaults to TCP).</summary>
    public static JsonObject? KeyOf(JsonNode? item, ListType type)
    {
        if (item is not JsonObject o) return null;
        var key = new JsonObject();
        foreach (var k in type.Keys.Order(StringComparer.Ordinal))
        {
            if (o.TryGetPropertyValue(k, out var v) && v is not null) key[k] = v.DeepClone();
            else if (k == "protocol") key[k] = "TCP";
            else if (type.Keys.Length == 1) return null;
        }
        return key;
    }

    public static bool SameKey(JsonNode? a, JsonNode? b, ListType type)
    {
        var ka = KeyOf(a, type);
        var kb = KeyOf(b, type);
        return ka is not null && kb is not null && JsonNode.DeepEquals(ka, kb);
    }
}
