namespace KubeSim.Api;

/// <summary>A resource request decoded from its path: /api[s]/{group}/{version}/[namespaces/{ns}/]{resource}[/{name}[/{sub}]].</summary>
public sealed record ApiRequest(ResourceType Resource, string Namespace, string? Name, string? Subresource, bool WatchPath)
{
    /// <summary>Decodes a path; returns null when it is not a resource path (discovery is handled elsewhere).</summary>
    public static ApiRequest? Parse(ResourceRegistry registry, string[] segs)
    {
        string group, version;
        int i;
        if (segs[0] == "api" && segs.Length >= 3) { group = ""; version = segs[1]; i = 2; }
        else if (segs[0] == "apis" && segs.Length >= 4) { group = segs[1]; version = segs[2]; i = 3; }
        else return null;
        var rest = segs[i..];
        var watch = false;
        if (rest[0] == "watch")
        {
            watch = true;
            rest = rest[1..];
            if (rest.Length == 0) throw ApiException.NotFoundPath();
        }
        string ns = "", resource;
        string? name = null, sub = null;
        if (rest[0] == "namespaces" && rest.Length >= 3 && !(group.Length == 0 && rest.Length == 3 && rest[2] is "status" or "finalize"))
        {
            ns = rest[1];
            resource = rest[2];
            name = rest.Length > 3 ? rest[3] : null;
            sub = rest.Length > 4 ? string.Join('/', rest[4..]) : null;
        }
        else
        {
            resource = rest[0];
            name = rest.Length > 1 ? rest[1] : null;
            sub = rest.Length > 2 ? string.Join('/', rest[2..]) : null;
        }
        var rt = registry.Find(group, version, resource) ?? throw ApiException.NotFoundPath();
        if (ns.Length > 0 && !rt.Namespaced) throw ApiException.NotFoundPath();
        if (sub is not null && !rt.Subresources.Contains(sub)) throw ApiException.NotFoundPath();
        return new ApiRequest(rt, ns, name, sub, watch);
    }
}
