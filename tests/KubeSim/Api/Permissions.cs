using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>
/// One denial: verbs, resources and namespaces ("*" or empty = all). Resources are named as RBAC names them,
/// group-qualified outside the core group: "namespaces", "clusterroles.rbac.authorization.k8s.io",
/// "pods/eviction". Namespaces only narrow namespaced requests; a rule without namespaces also denies
/// cluster-scoped ones. Text form: <c>verbs:resources[:namespaces]</c>, lists comma-separated, e.g.
/// <c>create,patch:clusterroles.rbac.authorization.k8s.io</c> or <c>*:secrets:istio-system</c>.
/// </summary>
public sealed record DenyRule(string[] Verbs, string[] Resources, string[] Namespaces)
{
    public static DenyRule Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new ArgumentException($"deny rule '{text}' is not verbs:resources[:namespaces] (e.g. create:clusterroles.rbac.authorization.k8s.io)");
        static string[] List(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new DenyRule(List(parts[0]), List(parts[1]), parts.Length == 3 ? List(parts[2]) : []);
    }

    static bool Any(string[] list, string value) => list.Length == 0 || list.Contains("*") || list.Contains(value);

    public bool Denies(in Access a)
    {
        if (!Any(Verbs, a.Verb)) return false;
        var resource = a.Group.Length == 0 ? a.Resource : $"{a.Resource}.{a.Group}";
        if (a.Subresource is { Length: > 0 } sub)
        {
            var qualified = a.Group.Length == 0 ? $"{a.Resource}/{sub}" : $"{a.Resource}/{sub}.{a.Group}";
            if (!Any(Resources, qualified) && !Resources.Contains($"{a.Resource}/*") && !Resources.Contains($"{resource}/*")) return false;
        }
        else if (!Any(Resources, resource)) return false;
        return Namespaces.Length == 0 || Namespaces.Contains("*") || (a.Namespace.Length > 0 && Namespaces.Contains(a.Namespace));
    }

    public override string ToString() =>
        $"{string.Join(',', Verbs)}:{string.Join(',', Resources)}" + (Namespaces.Length > 0 ? ":" + string.Join(',', Namespaces) : "");
}

/// <summary>What a request asks to do, as kube-apiserver's authorizer sees it.</summary>
public readonly record struct Access(string User, string Verb, string Group, string Resource, string? Subresource, string Namespace, string? Name);

/// <summary>
/// Authorization: everything is allowed except what a <see cref="DenyRule"/> names for the request's user.
/// Denied requests get kube-apiserver's 403; SelfSubjectAccessReviews answer from the same rules.
/// Rules can change while the server runs (tests, <c>/_sim/permissions</c>).
/// </summary>
public sealed class Permissions
{
    readonly Lock _gate = new();
    List<DenyRule> _rules = [];

    public Permissions(IEnumerable<DenyRule>? rules = null)
    {
        if (rules is not null) _rules = [.. rules];
    }

    public IReadOnlyList<DenyRule> Rules
    {
        get { lock (_gate) return _rules; }
    }

    public void Deny(DenyRule rule)
    {
        lock (_gate) _rules = [.. _rules, rule];
    }

    public void Clear()
    {
        lock (_gate) _rules = [];
    }

    public bool Allows(in Access a)
    {
        foreach (var rule in Rules)
            if (rule.Denies(a)) return false;
        return true;
    }

    /// <summary>Throws kube-apiserver's 403 when the request is denied.</summary>
    public void Authorize(in Access a)
    {
        if (!Allows(a)) throw Forbidden(a);
    }

    public static ApiException Forbidden(in Access a)
    {
        var resource = a.Subresource is { Length: > 0 } sub ? $"{a.Resource}/{sub}" : a.Resource;
        var scope = a.Namespace.Length > 0 ? $"in the namespace \"{a.Namespace}\"" : "at the cluster scope";
        var why = $"User \"{a.User}\" cannot {a.Verb} resource \"{resource}\" in API group \"{a.Group}\" {scope}";
        var groupResource = a.Group.Length == 0 ? a.Resource : $"{a.Resource}.{a.Group}";
        var what = string.IsNullOrEmpty(a.Name) ? groupResource : $"{groupResource} \"{a.Name}\"";
        var details = new JsonObject();
        if (!string.IsNullOrEmpty(a.Name)) details["name"] = a.Name;
        if (a.Group.Length > 0) details["group"] = a.Group;
        details["kind"] = a.Resource;
        return new ApiException(403, "Forbidden", $"{what} is forbidden: {why}", details);
    }

    /// <summary>
    /// The 403 of an apply patch that would create an object the user may patch but not create: kube-apiserver's
    /// withAuthorization answers errors.NewForbidden(group-resource, name, reason), and the RBAC authorizer's reason
    /// for a plain denial is empty, so the message ends after "is forbidden: ".
    /// </summary>
    public static ApiException ForbiddenCreateOnPatch(in Access a)
    {
        var groupResource = a.Group.Length == 0 ? a.Resource : $"{a.Resource}.{a.Group}";
        var details = new JsonObject { ["name"] = a.Name };
        if (a.Group.Length > 0) details["group"] = a.Group;
        details["kind"] = a.Resource;
        return new ApiException(403, "Forbidden", $"{groupResource} \"{a.Name}\" is forbidden: ", details);
    }

    /// <summary>The request's verb as kube-apiserver's RequestInfo names it.</summary>
    public static string VerbOf(string method, ApiRequest req, bool watch) => method switch
    {
        "GET" or "HEAD" when watch => "watch",
        "GET" or "HEAD" => req.Name is null ? "list" : "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => req.Name is null ? "deletecollection" : "delete",
        _ => method.ToLowerInvariant(),
    };

    /// <summary>Answers a SelfSubjectAccessReview from the rules; returns its status.</summary>
    public JsonObject Review(string user, JsonObject review)
    {
        var spec = review.At("spec");
        if (spec?["resourceAttributes"] is JsonObject r)
        {
            var access = new Access(user, r.Str("verb") ?? "", r.Str("group") ?? "", r.Str("resource") ?? "",
                r.Str("subresource"), r.Str("namespace") ?? "", r.Str("name"));
            return Allows(access)
                ? new JsonObject { ["allowed"] = true, ["reason"] = "KubeSim allows what no deny rule names" }
                : new JsonObject { ["allowed"] = false };
        }
        // Non-resource URLs (/healthz, /version, discovery) are open to every authenticated user.
        return new JsonObject { ["allowed"] = true, ["reason"] = "KubeSim allows every non-resource URL" };
    }
}
