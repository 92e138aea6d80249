using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Istio;

/// <summary>apiVersion, kind, namespace and name of a Kubernetes object given as YAML text or parsed map.</summary>
public readonly record struct ObjectIdentity(string ApiVersion, string Kind, string? Namespace, string Name)
{
    public string Hash => ObjectSelector.Hash(Kind, Namespace, Name);

    public static ObjectIdentity FromMap(IDictionary<string, object?> obj)
    {
        string S(IDictionary<string, object?>? m, string k) => m != null && m.TryGetValue(k, out var v) && v is string s ? s : "";
        var meta = obj.TryGetValue("metadata", out var mv) ? mv as IDictionary<string, object?> : null;
        string ns = S(meta, "namespace");
        return new ObjectIdentity(S(obj, "apiVersion"), S(obj, "kind"), ns.Length == 0 ? null : ns, S(meta, "name"));
    }

    /// <summary>Parses YAML; returns false when it is not an object with a kind (empty or comment-only documents).</summary>
    public static bool TryParse(string yaml, out ObjectIdentity identity, out IDictionary<string, object?>? obj, YamlCache? cache = null)
    {
        obj = (cache != null ? cache.ParseCached(yaml) : GoYaml.Parse(yaml)) as IDictionary<string, object?>;
        identity = obj == null ? default : FromMap(obj);
        return obj != null && identity.Kind.Length > 0;
    }

    /// <summary>Like <see cref="TryParse"/> but the object may be shared with the parse cache: do not modify it.</summary>
    internal static bool TryParseShared(string yaml, YamlCache cache, out ObjectIdentity identity, out IDictionary<string, object?>? obj)
    {
        obj = cache.ParseShared(yaml) as IDictionary<string, object?>;
        identity = obj == null ? default : FromMap(obj);
        return obj != null && identity.Kind.Length > 0;
    }
}
