using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Discovery;

/// <summary>The discovery documents of kube-apiserver 1.32: /version, /api, /api/v1, /apis, /apis/g, /apis/g/v.</summary>
public static class DiscoveryDocuments
{
    /// <summary>What <c>/version</c> answers for a version such as "1.32", "1.31.4" or "v1.30.2".</summary>
    public static JsonObject Version(string version)
    {
        var (major, minor, patch) = ParseVersion(version);
        return new()
        {
            ["major"] = major.ToString(CultureInfo.InvariantCulture),
            ["minor"] = minor.ToString(CultureInfo.InvariantCulture),
            ["gitVersion"] = $"v{major}.{minor}.{patch}-kubesim",
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2024-12-11T00:00:00Z",
            ["goVersion"] = "go1.23.4",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    /// <summary>Parses "major.minor[.patch]" with an optional leading "v"; throws ArgumentException otherwise.</summary>
    public static (int Major, int Minor, int Patch) ParseVersion(string version)
    {
        var parts = version.TrimStart('v').Split('.');
        if (parts.Length is < 2 or > 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
            throw new ArgumentException($"server version '{version}' is not major.minor[.patch] (e.g. 1.32)");
        var patch = 0;
        if (parts.Length == 3 && !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out patch))
            throw new ArgumentException($"server version '{version}' is not major.minor[.patch] (e.g. 1.32)");
        return (major, minor, patch);
    }

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
        {
            ["clientCIDR"] = "0.0.0.0/0",
            ["serverAddress"] = serverAddress,
        }),
    };

    public static JsonObject GroupList(ResourceRegistry registry)
    {
        var groups = new JsonArray();
        foreach (var (group, versions) in registry.Groups())
            if (group.Length > 0) groups.Add(Group(group, versions));
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public static JsonObject? GroupDocument(ResourceRegistry registry, string group)
    {
        var entry = registry.Groups().FirstOrDefault(g => g.Group == group);
        if (entry.Group is null || group.Length == 0) return null;
        var doc = Group(group, entry.Versions);
        doc["kind"] = "APIGroup";
        doc["apiVersion"] = "v1";
        return doc;
    }

    static JsonObject Group(string group, IReadOnlyList<string> versions)
    {
        JsonObject V(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions.Select(V)]),
            ["preferredVersion"] = V(versions[0]),
        };
    }

    public static JsonObject? ResourceList(ResourceRegistry registry, string group, string version)
    {
        var types = registry.All.Where(r => r.Group == group && r.Version == version).OrderBy(r => r.Plural, StringComparer.Ordinal).ToList();
        if (types.Count == 0) return null;
        var resources = new JsonArray();
        foreach (var rt in types)
        {
            var r = new JsonObject
            {
                ["name"] = rt.Plural,
                ["singularName"] = rt.Singular,
                ["namespaced"] = rt.Namespaced,
                ["kind"] = rt.Kind,
                ["verbs"] = new JsonArray([.. rt.Verbs.Select(v => (JsonNode)v)]),
            };
            if (rt.ShortNames.Length > 0) r["shortNames"] = new JsonArray([.. rt.ShortNames.Select(v => (JsonNode)v)]);
            if (rt.Categories.Length > 0) r["categories"] = new JsonArray([.. rt.Categories.Select(v => (JsonNode)v)]);
            r["storageVersionHash"] = StorageVersionHash(rt);
            resources.Add(r);
            foreach (var sub in rt.Subresources)
                resources.Add(Subresource(rt, sub));
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    static JsonObject Subresource(ResourceType rt, string sub)
    {
        var (kind, verbs, g, v) = sub switch
        {
            "status" => (rt.Kind, new[] { "get", "patch", "update" }, (string?)null, (string?)null),
            "scale" => ("Scale", ["get", "patch", "update"], "autoscaling", "v1"),
            "log" => ("Pod", ["get"], null, null),
            "eviction" => ("Eviction", ["create"], "policy", "v1"),
            "binding" => ("Binding", ["create"], null, null),
            "finalize" => (rt.Kind, ["update"], null, null),
            "exec" => ("PodExecOptions", ["create", "get"], null, null),
            _ => ($"{rt.Kind}ProxyOptions", ["create", "delete", "get", "patch", "update"], null, null),
        };
        var r = new JsonObject
        {
            ["name"] = $"{rt.Plural}/{sub}",
            ["singularName"] = "",
            ["namespaced"] = rt.Namespaced,
        };
        if (g is not null) { r["group"] = g; r["version"] = v; }
        r["kind"] = kind;
        r["verbs"] = new JsonArray([.. verbs.Select(x => (JsonNode)x)]);
        return r;
    }

    public const string AggregatedMediaType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    /// <summary>Whether an Accept header asks for aggregated discovery (apidiscovery.k8s.io/v2).</summary>
    public static bool WantsAggregated(string accept) =>
        accept.Split(',').Any(part =>
        {
            var p = part.Split(';').Select(x => x.Trim()).ToList();
            return p.Contains("g=apidiscovery.k8s.io") && p.Contains("v=v2") && p.Contains("as=APIGroupDiscoveryList");
        });

    /// <summary>The aggregated discovery document of /api (core) or /apis (every named group).</summary>
    public static JsonObject Aggregated(ResourceRegistry registry, bool core)
    {
        var items = new JsonArray();
        foreach (var (group, versions) in registry.Groups())
        {
            if ((group.Length == 0) != core) continue;
            var versionList = new JsonArray();
            foreach (var v in versions)
            {
                var resources = new JsonArray();
                foreach (var rt in registry.All.Where(r => r.Group == group && r.Version == v).OrderBy(r => r.Plural, StringComparer.Ordinal))
                {
                    var r = new JsonObject
                    {
                        ["resource"] = rt.Plural,
                        ["responseKind"] = Gvk(rt.Group, rt.Version, rt.Kind),
                        ["scope"] = rt.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = rt.Singular,
                        ["verbs"] = Strings(rt.Verbs),
                    };
                    if (rt.ShortNames.Length > 0) r["shortNames"] = Strings(rt.ShortNames);
                    if (rt.Categories.Length > 0) r["categories"] = Strings(rt.Categories);
                    if (rt.Subresources.Length > 0)
                    {
                        var subs = new JsonArray();
                        foreach (var sub in rt.Subresources)
                        {
                            var legacy = Subresource(rt, sub);
                            subs.Add(new JsonObject
                            {
                                ["subresource"] = sub,
                                ["responseKind"] = Gvk(legacy.Str("group") ?? rt.Group, legacy.Str("version") ?? rt.Version, legacy.Str("kind") ?? rt.Kind),
                                ["verbs"] = legacy["verbs"]!.DeepClone(),
                            });
                        }
                        r["subresources"] = subs;
                    }
                    resources.Add(r);
                }
                versionList.Add(new JsonObject { ["version"] = v, ["resources"] = resources, ["freshness"] = "Current" });
            }
            var meta = new JsonObject { ["creationTimestamp"] = null };
            if (!core) meta["name"] = group;
            items.Add(new JsonObject { ["metadata"] = meta, ["versions"] = versionList });
        }
        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/v2",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    static JsonObject Gvk(string group, string version, string kind) => new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);

    static string StorageVersionHash(ResourceType rt)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{rt.Group}/{rt.Version}/{rt.Kind}"));
        return Convert.ToBase64String(hash, 0, 8);
    }
}
