using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>
/// One denial: verbs, resources and namespaces ("*" or empty = all), for the users and groups it names (none: every
/// user). Resources are named as RBAC names them, group-qualified outside the core group: "namespaces",
/// "clusterroles.rbac.authorization.k8s.io", "pods/eviction". Namespaces only narrow namespaced requests; a rule
/// without namespaces also denies cluster-scoped ones. Text form: <c>verbs:resources[:namespaces][@subjects]</c>, lists
/// comma-separated, subjects a user's name or <c>group=name</c>, e.g. <c>create,patch:clusterroles.rbac.authorization.k8s.io</c>,
/// <c>*:secrets:istio-system@alice</c> or <c>create:namespaces@group=developers,bob</c>.
/// </summary>
public sealed record DenyRule(string[] Verbs, string[] Resources, string[] Namespaces)
{
    /// <summary>The users it denies (with <see cref="Groups"/> empty too: every user).</summary>
    public string[] Users { get; init; } = [];
    /// <summary>The groups whose members it denies.</summary>
    public string[] Groups { get; init; } = [];

    public static DenyRule Parse(string text)
    {
        // Everything after the first '@' names subjects (user names may hold ':' and '@', resources never '@').
        var at = text.IndexOf('@');
        var (access, subjects) = at < 0 ? (text, null) : (text[..at], text[(at + 1)..]);
        var parts = access.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0 || subjects is { Length: 0 })
            throw new ArgumentException($"deny rule '{text}' is not verbs:resources[:namespaces][@subjects] (e.g. create:clusterroles.rbac.authorization.k8s.io or create:namespaces@alice)");
        static string[] List(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var named = subjects is null ? [] : List(subjects);
        return new DenyRule(List(parts[0]), List(parts[1]), parts.Length == 3 ? List(parts[2]) : [])
        {
            Users = [.. named.Where(n => !n.StartsWith("group=", StringComparison.Ordinal)).Select(n => n.StartsWith("user=", StringComparison.Ordinal) ? n[5..] : n)],
            Groups = [.. named.Where(n => n.StartsWith("group=", StringComparison.Ordinal)).Select(n => n[6..])],
        };
    }

    /// <summary>This rule with its subjects: <paramref name="users"/> and <paramref name="groups"/> added to those it names.</summary>
    public DenyRule For(IEnumerable<string> users, IEnumerable<string> groups) =>
        this with { Users = [.. Users.Concat(users).Distinct()], Groups = [.. Groups.Concat(groups).Distinct()] };

    static bool Any(string[] list, string value) => list.Length == 0 || list.Contains("*") || list.Contains(value);

    /// <summary>Whether the rule is about this user: it names no one, or the user, or one of the user's groups.</summary>
    public bool AppliesTo(string user, IReadOnlyList<string>? groups) =>
        (Users.Length == 0 && Groups.Length == 0) || Users.Contains(user) || (groups is not null && groups.Any(Groups.Contains));

    public bool Denies(in Access a)
    {
        if (!AppliesTo(a.User, a.UserGroups)) return false;
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
        $"{string.Join(',', Verbs)}:{string.Join(',', Resources)}" + (Namespaces.Length > 0 ? ":" + string.Join(',', Namespaces) : "")
        + (Users.Length + Groups.Length > 0 ? "@" + string.Join(',', Users.Concat(Groups.Select(g => "group=" + g))) : "");
}

/// <summary>What a request asks to do, as kube-apiserver's authorizer sees it.</summary>
/// <remarks><see cref="Group"/> is the API group; <see cref="UserGroups"/> the groups the user is in.</remarks>
public readonly record struct Access(string User, string Verb, string Group, string Resource, string? Subresource, string Namespace, string? Name,
    IReadOnlyList<string>? UserGroups = null);

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

    /// <summary>
    /// The status of an access review (SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview) of
    /// <paramref name="user"/> in <paramref name="groups"/>, from the rules that apply to them.
    /// </summary>
    public JsonObject Review(string user, IReadOnlyList<string> groups, JsonObject review)
    {
        var spec = review.At("spec");
        if (spec?["resourceAttributes"] is JsonObject r)
        {
            var access = new Access(user, r.Str("verb") ?? "", r.Str("group") ?? "", r.Str("resource") ?? "",
                r.Str("subresource"), r.Str("namespace") ?? "", r.Str("name"), groups);
            return Allows(access)
                ? new JsonObject { ["allowed"] = true, ["reason"] = "KubeSim allows what no deny rule names" }
                : new JsonObject { ["allowed"] = false };
        }
        // Non-resource URLs (/healthz, /version, discovery) are open to every authenticated user.
        return new JsonObject { ["allowed"] = true, ["reason"] = "KubeSim allows every non-resource URL" };
    }

    /// <summary>
    /// The status of a SelfSubjectRulesReview in <paramref name="ns"/>: what the user may do there, as RBAC rules.
    /// With no deny rule about the user, everything ("*"); otherwise each served resource (and its subresources)
    /// with the verbs the rules leave it, resources of a group with the same verbs in one rule, as an RBAC role
    /// granting exactly that would read.
    /// </summary>
    public JsonObject RulesReview(string user, IReadOnlyList<string> groups, string ns, IEnumerable<ResourceType> served)
    {
        var nonResource = new JsonArray(new JsonObject { ["verbs"] = new JsonArray("*"), ["nonResourceURLs"] = new JsonArray("*") });
        JsonArray resourceRules;
        if (!Rules.Any(r => r.AppliesTo(user, groups)))
            resourceRules = [new JsonObject { ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*") }];
        else
        {
            var allowed = new List<(string Group, string Resource, string Verbs)>();
            foreach (var rt in served.DistinctBy(t => (t.Group, t.Plural)))
            {
                var where = rt.Namespaced ? ns : "";
                void Add(string? sub, IEnumerable<string> verbs)
                {
                    var ok = verbs.Where(v => Allows(new Access(user, v, rt.Group, rt.Plural, sub, where, null, groups))).ToArray();
                    if (ok.Length > 0) allowed.Add((rt.Group, sub is null ? rt.Plural : $"{rt.Plural}/{sub}", string.Join(',', ok)));
                }
                Add(null, rt.Verbs);
                foreach (var sub in rt.Subresources)
                    Add(sub, sub switch { "log" => ["get"], "eviction" => ["create"], _ => ["get", "patch", "update"] });
            }
            resourceRules = [.. allowed.GroupBy(a => (a.Group, a.Verbs)).Select(g => (JsonNode)new JsonObject
            {
                ["verbs"] = new JsonArray([.. g.Key.Verbs.Split(',').Select(v => (JsonNode)v)]),
                ["apiGroups"] = new JsonArray(g.Key.Group),
                ["resources"] = new JsonArray([.. g.Select(a => (JsonNode)a.Resource)]),
            })];
        }
        return new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResource, ["incomplete"] = false };
    }
}
