using System.Net;
using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Plan;

namespace IstioPS.Engine.Prerequisites;

/// <summary>
/// Whether the kubeconfig's user may make every write of the plan, and the watches and lists of its waits: one
/// SelfSubjectAccessReview per distinct verb, resource and namespace (in parallel), answered by the cluster's own
/// authorizer (RBAC, webhooks).
/// </summary>
public static class PermissionCheck
{
    public const string Code = "PermissionMissing";
    private const string ReviewPath = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    private const int MaxInFlight = 64;

    internal static Task<IEnumerable<PrerequisiteFinding>> CheckAsync(KubeApi api, PrerequisiteRequest request, CancellationToken ct)
        => CheckWritesAsync(api, request.Writes, ct);

    /// <summary>One finding (an Error) per distinct verb, resource and namespace of <paramref name="writes"/> the user may not make.</summary>
    internal static async Task<IEnumerable<PrerequisiteFinding>> CheckWritesAsync(KubeApi api, IReadOnlyCollection<PlannedWrite> writes, CancellationToken ct)
    {
        var asks = writes
            .GroupBy(w => (w.Verb, w.Resource.Group, w.Resource.Plural, w.Namespace))
            .Select(g => (Key: g.Key, Names: g.Select(w => w.Name).Distinct(StringComparer.Ordinal).ToList()))
            .OrderBy(a => a.Key.Plural, StringComparer.Ordinal).ThenBy(a => a.Key.Namespace, StringComparer.Ordinal).ThenBy(a => a.Key.Verb, StringComparer.Ordinal)
            .ToList();
        if (asks.Count == 0) return Array.Empty<PrerequisiteFinding>();

        var answers = new bool?[asks.Count];
        // All in one round trip (they go out beside the plan's dry runs, which end no sooner): an install asks about 40.
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxInFlight, CancellationToken = ct };
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, asks.Count), options, async (i, token) =>
                answers[i] = await AllowedAsync(api, asks[i].Key, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (KubeApiException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.MethodNotAllowed)
        {
            return new[]
            {
                new PrerequisiteFinding
                {
                    Severity = FindingSeverity.Warning, Code = "PermissionCheckUnavailable", Target = ReviewPath,
                    Message = $"The cluster at {api.Server} did not answer a SelfSubjectAccessReview ({(int)ex.StatusCode} {ex.Reason}), so the install's {asks.Count} kinds of writes were not checked.",
                    Remedy = "Check the permissions with `kubectl auth can-i` before installing.",
                },
            };
        }

        var who = AuthFailure.Who(api.Server, api.Context, api.KubeconfigPath);
        return asks.Where((_, i) => answers[i] == false).Select(a =>
        {
            var resource = a.Key.Group.Length == 0 ? a.Key.Plural : $"{a.Key.Plural}.{a.Key.Group}";
            var scope = a.Key.Namespace is null ? "at the cluster scope" : $"in namespace '{a.Key.Namespace}'";
            var names = string.Join(", ", a.Names.Take(5)) + (a.Names.Count > 5 ? $", ... ({a.Names.Count} in all)" : "");
            var binding = a.Key.Namespace is null ? "a ClusterRole bound with a ClusterRoleBinding" : $"a Role in '{a.Key.Namespace}' (or a ClusterRole) bound with a RoleBinding";
            return new PrerequisiteFinding
            {
                Severity = FindingSeverity.Error,
                Code = Code,
                Target = $"{a.Key.Verb} {resource}" + (a.Key.Namespace is null ? "" : $" in {a.Key.Namespace}"),
                Message = $"The user {who} may not {a.Key.Verb} {resource} {scope}, which the install needs for {a.Names.Count} object(s): {names}.",
                Remedy = $"Ask a cluster administrator for {binding} that grants '{a.Key.Verb}' on {resource}, or use a context with more rights (-Context).",
            };
        }).ToList();
    }

    private static async Task<bool> AllowedAsync(KubeApi api, (string Verb, string Group, string Plural, string? Namespace) ask, CancellationToken ct)
    {
        var attributes = new JsonObject { ["verb"] = ask.Verb, ["group"] = ask.Group, ["resource"] = ask.Plural };
        if (ask.Namespace is not null) attributes["namespace"] = ask.Namespace;
        var review = new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SelfSubjectAccessReview",
            ["spec"] = new JsonObject { ["resourceAttributes"] = attributes },
        };
        var (_, answer) = await api.WriteAsync(HttpMethod.Post, ReviewPath, review, "application/json", ct).ConfigureAwait(false);
        return (bool?)answer["status"]?["allowed"] == true;
    }
}
