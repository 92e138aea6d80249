using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace KubeSim.Api;

/// <summary>
/// The field names of built-in kinds, from the official OpenAPI models KubernetesClient is generated from
/// (each model's [JsonPropertyName] properties). A schema node is an object with named fields, a map, a list,
/// or a leaf (scalars, quantities, int-or-string, free-form JSON).
/// </summary>
public sealed class SchemaNode
{
    public Dictionary<string, Func<SchemaNode>>? Fields { get; init; }
    public Func<SchemaNode>? MapValues { get; init; }
    public Func<SchemaNode>? Items { get; init; }
    public bool IsLeaf => Fields is null && MapValues is null && Items is null;

    public static readonly SchemaNode Leaf = new();
}

public static class BuiltinSchemas
{
    static readonly ConcurrentDictionary<Type, SchemaNode> Nodes = new();
    static readonly ConcurrentDictionary<(string Group, string Version, string Kind), Type?> Types = new();
    static readonly Lazy<Dictionary<(string Group, string Version, string Kind), Type>> Kinds = new(FindKinds);

    /// <summary>The schema of a built-in kind; null when KubernetesClient has no model for it.</summary>
    public static SchemaNode? For(ResourceType rt) =>
        !rt.IsCustom && Types.GetOrAdd((rt.Group, rt.Version, rt.Kind), TypeOf) is { } type ? NodeFor(type) : null;

    /// <summary>The model by its usual name (V1Deployment, V2HorizontalPodAutoscaler), else by a scan of the models.</summary>
    static Type? TypeOf((string Group, string Version, string Kind) key)
    {
        var named = typeof(V1Pod).Assembly.GetType($"k8s.Models.V{key.Version[1..]}{key.Kind}");
        if (named?.GetCustomAttribute<KubernetesEntityAttribute>() is { } e && (e.Group ?? "") == key.Group && e.ApiVersion == key.Version) return named;
        return Kinds.Value.GetValueOrDefault(key);
    }

    static Dictionary<(string, string, string), Type> FindKinds()
    {
        var kinds = new Dictionary<(string, string, string), Type>();
        foreach (var type in typeof(V1Pod).Assembly.GetTypes())
            if (type.GetCustomAttribute<KubernetesEntityAttribute>() is { } e && !string.IsNullOrEmpty(e.Kind) && !e.Kind.EndsWith("List", StringComparison.Ordinal))
                kinds[(e.Group ?? "", e.ApiVersion ?? "", e.Kind)] = type;
        return kinds;
    }

    static SchemaNode NodeFor(Type type) => Nodes.GetOrAdd(type, Build);

    static SchemaNode Build(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type)) return SchemaNode.Leaf;
        if (Generic(type, typeof(IDictionary<,>)) is { } map) return new SchemaNode { MapValues = () => NodeFor(map[1]) };
        if (Generic(type, typeof(IList<>)) is { } list) return new SchemaNode { Items = () => NodeFor(list[0]) };
        var fields = new Dictionary<string, Func<SchemaNode>>(StringComparer.Ordinal);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<JsonPropertyNameAttribute>() is not { } name) continue;
            var propertyType = p.PropertyType;
            fields[name.Name] = () => NodeFor(propertyType);
        }
        return fields.Count == 0 ? SchemaNode.Leaf : new SchemaNode { Fields = fields };
    }

    static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(object) || type == typeof(DateTime)
        || type == typeof(DateTimeOffset) || type == typeof(byte[]) || type == typeof(decimal)
        || type.Namespace?.StartsWith("System.Text.Json", StringComparison.Ordinal) == true
        || type.GetCustomAttribute<JsonConverterAttribute>() is not null
        || type == typeof(IntOrString) || type == typeof(ResourceQuantity);

    static Type[]? Generic(Type type, Type definition)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == definition) return type.GetGenericArguments();
        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition)?.GetGenericArguments();
    }
}
