using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Uninstall;

/// <summary>What to remove.</summary>
public sealed class UninstallRequest
{
    /// <summary>The revision to remove; null means "default" (ignored with <see cref="Purge"/>).</summary>
    public string? Revision { get; init; }
    /// <summary>Every revision, the Istio CRDs (unless <see cref="KeepCrds"/>) and the namespace when empty.</summary>
    public bool Purge { get; init; }
    public bool KeepCrds { get; init; }
    /// <summary>Remove a revision even though pods still use it.</summary>
    public bool Force { get; init; }
    public string Namespace { get; init; } = "istio-system";
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
    public int Concurrency { get; init; } = 8;
}

public sealed class UninstallResult
{
    public required IReadOnlyList<AppliedObject> Objects { get; init; }
    public int Deleted => Objects.Count(o => o.Action == ApplyAction.Deleted);
    public required string Revision { get; init; }
    public required TimeSpan Duration { get; init; }
    public string DurationText => $"{Duration.TotalSeconds:0.0}s";

    public override string ToString() => $"{Deleted} objects deleted ({Revision}) in {Duration.TotalSeconds:0.0}s";
}

/// <summary>
/// Removes what Install-Istio applied for a revision (found by the labels it put on every object),
/// plus the cluster-scoped webhooks istioctl leaves behind; with Purge, every revision, the CRDs and
/// the namespace. Refuses to remove a revision that pods still use, unless forced.
/// </summary>
public sealed partial class Uninstaller
{
    /// <summary>Kinds Install-Istio and istioctl create, in the order they are removed (webhooks first, CRDs last).</summary>
    private static readonly (string ApiVersion, string Kind)[] Kinds =
    {
        ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
        ("v1", "Service"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("policy/v1", "PodDisruptionBudget"),
        ("apps/v1", "Deployment"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "StatefulSet"),
        ("batch/v1", "Job"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("v1", "ServiceAccount"),
    };

    [GeneratedRegex("^(istiod-default-validator|istio-revision-tag-.+|istio-sidecar-injector(-.+)?|istio-validator(-.+)?)$")]
    private static partial Regex IstioWebhookName();

    private readonly KubeApi api;
    private readonly RestMapper mapper;

    public Uninstaller(KubeApi api, RestMapper? mapper = null)
    {
        this.api = api;
        this.mapper = mapper ?? new RestMapper(api);
    }

    public async Task<UninstallResult?> UninstallAsync(UninstallRequest request, OperationCallbacks callbacks, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var revision = request.Purge ? "*" : request.Revision ?? "default";
        callbacks.Progress?.Report(new OperationProgress($"Finding what revision {revision} installed", 0));

        if (!request.Force)
        {
            var users = await PodsUsingAsync(request, ct).ConfigureAwait(false);
            if (users.Count > 0)
            {
                var names = string.Join(", ", users.Take(10)) + (users.Count > 10 ? $" and {users.Count - 10} more" : "");
                callbacks.Warning?.Invoke($"Pods still use revision {revision}: {names}. Move their namespaces to another revision and restart them, or use -Force.");
                throw new IstioPSException("RevisionInUse", ErrorKind.InvalidOperation,
                    $"Revision {revision} is still used by {users.Count} pods ({names}); nothing was removed. Use -Force to remove it anyway.", revision);
            }
        }

        var targets = await FindAsync(request, ct).ConfigureAwait(false);
        var approved = targets.Where(t => callbacks.ShouldProcess(t.Target, "Delete")).ToList();
        var deleteNamespace = request.Purge && callbacks.ShouldProcess($"namespace/{request.Namespace}", "Delete namespace (when empty)");
        if (approved.Count == 0 && !deleteNamespace)
        {
            return null;
        }

        var applier = new Applier(api, request.Concurrency);
        var results = new List<AppliedObject>();
        var done = 0;
        foreach (var group in approved.GroupBy(t => t.Order).OrderBy(g => g.Key))
        {
            await applier.ForEachAsync(group, async (t, token) =>
            {
                var r = await applier.DeleteAsync(t.Resource, t.Namespace, t.Name, token).ConfigureAwait(false);
                lock (results) results.Add(r);
                var n = Interlocked.Increment(ref done);
                callbacks.Verbose?.Invoke($"{t.Target} {r.Action.ToString().ToLowerInvariant()}");
                callbacks.Progress?.Report(new OperationProgress($"Deleting: {n} of {approved.Count}", n * 90 / Math.Max(1, approved.Count), t.Target));
            }, ct).ConfigureAwait(false);
        }

        if (deleteNamespace && await NamespaceIsEmptyAsync(request.Namespace, ct).ConfigureAwait(false))
        {
            var r = await applier.DeleteAsync(ResourceInfo.Namespaces, null, request.Namespace, ct).ConfigureAwait(false);
            results.Add(r);
            if (r.Action == ApplyAction.Deleted)
            {
                callbacks.Progress?.Report(new OperationProgress($"Waiting for namespace {request.Namespace} to be deleted", 95));
                await WaitGoneAsync(ResourceInfo.Namespaces, null, request.Namespace, request.Timeout, ct).ConfigureAwait(false);
            }
        }

        callbacks.Progress?.Report(new OperationProgress("Done", 100));
        return new UninstallResult { Objects = results, Revision = request.Purge ? "all" : revision, Duration = clock.Elapsed };
    }

    private sealed record Doomed(ResourceInfo Resource, string? Namespace, string Name, int Order)
    {
        public string Target => Namespace is null ? $"{Resource.DisplayKind}/{Name}" : $"{Resource.DisplayKind}/{Name} (namespace {Namespace})";
    }

    private async Task<List<Doomed>> FindAsync(UninstallRequest request, CancellationToken ct)
    {
        var selector = request.Purge
            ? $"{Installer.ManagedByLabel}=istiops"
            : $"{Installer.ManagedByLabel}=istiops,{Installer.RevisionLabel}={request.Revision ?? "default"}";
        var found = new Dictionary<(string, string?, string), Doomed>();
        var lists = await Task.WhenAll(Kinds.Select(async (k, order) =>
        {
            var resource = await mapper.FindAsync(k.ApiVersion, k.Kind, ct).ConfigureAwait(false);
            if (resource is null) return (order, resource, new List<JsonObject>());
            if (!k.Kind.EndsWith("WebhookConfiguration", StringComparison.Ordinal))
            {
                var (items, _) = await api.ListAsync(resource.CollectionPath(null), selector, ct).ConfigureAwait(false);
                return (order, resource, items);
            }

            // Webhooks: one unselected list, since istioctl's leftovers (the default validator, revision tags)
            // carry no IstioPS label; the cluster holds few of them.
            var (all, _) = await api.ListAsync(resource.CollectionPath(null), null, ct).ConfigureAwait(false);
            return (order, resource, all.Where(w => IsInstalledBy(w, request) || IsIstioWebhook(w, request)).ToList());
        })).ConfigureAwait(false);

        foreach (var (order, resource, items) in lists)
        {
            if (resource is null) continue;
            foreach (var item in items)
            {
                var name = (string?)item["metadata"]?["name"] ?? "";
                var ns = resource.Namespaced ? (string?)item["metadata"]?["namespace"] : null;
                found.TryAdd((resource.Kind, ns, name), new Doomed(resource, ns, name, order));
            }
        }

        // Custom resources and CRDs that Install-Istio applied (Istio's CRDs only with -Purge).
        var crdResource = ResourceInfo.CustomResourceDefinitions;
        var (crds, _) = await api.ListAsync(crdResource.CollectionPath(null), null, ct).ConfigureAwait(false);
        foreach (var crd in crds)
        {
            var group = (string?)crd["spec"]?["group"] ?? "";
            var isIstio = group == "istio.io" || group.EndsWith(".istio.io", StringComparison.Ordinal);
            if (request.Purge && !request.KeepCrds && isIstio)
            {
                var name = (string?)crd["metadata"]?["name"] ?? "";
                found.TryAdd((crdResource.Kind, null, name), new Doomed(crdResource, null, name, Kinds.Length + 1));
            }
        }

        return found.Values.OrderBy(t => t.Order).ThenBy(t => t.Namespace).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>What the label selector above selects, for objects listed without it.</summary>
    private static bool IsInstalledBy(JsonObject obj, UninstallRequest request)
        => KubeFormat.Label(obj, Installer.ManagedByLabel) == "istiops"
           && (request.Purge || KubeFormat.Label(obj, Installer.RevisionLabel) == (request.Revision ?? "default"));

    private static bool IsIstioWebhook(JsonObject webhook, UninstallRequest request)
    {
        var name = (string?)webhook["metadata"]?["name"] ?? "";
        if (!IstioWebhookName().IsMatch(name)) return false;
        if (request.Purge) return true;
        var revision = request.Revision ?? "default";
        var rev = KubeFormat.Label(webhook, "istio.io/rev");
        // A revision's injector and validator, and the revision tags pointing at it, carry istio.io/rev.
        return rev == revision || (revision == "default" && rev is null && name == "istiod-default-validator");
    }

    /// <summary>Pods outside the mesh namespace that carry an Istio sidecar of the revision(s) being removed.</summary>
    private async Task<List<string>> PodsUsingAsync(UninstallRequest request, CancellationToken ct)
    {
        var selector = request.Purge ? "istio.io/rev" : $"istio.io/rev={request.Revision ?? "default"}";
        var (pods, _) = await api.ListAsync(ResourceInfo.Pods.CollectionPath(null), selector, ct).ConfigureAwait(false);
        return pods.Where(p => (string?)p["metadata"]?["namespace"] != request.Namespace && Injection.InjectionRules.HasSidecar(p))
            .Select(p => $"{(string?)p["metadata"]?["namespace"]}/{(string?)p["metadata"]?["name"]}").ToList();
    }

    /// <summary>Nothing left that someone else put there: no workloads, services or pods (terminating ones aside).</summary>
    private async Task<bool> NamespaceIsEmptyAsync(string ns, CancellationToken ct)
    {
        foreach (var resource in new[] { ResourceInfo.Deployments, ResourceInfo.DaemonSets, ResourceInfo.StatefulSets })
        {
            var (items, _) = await api.ListAsync(resource.CollectionPath(ns), null, ct).ConfigureAwait(false);
            if (items.Count > 0) return false;
        }

        var (pods, _) = await api.ListAsync(ResourceInfo.Pods.CollectionPath(ns), null, ct).ConfigureAwait(false);
        return pods.All(p => p["metadata"]?["deletionTimestamp"] is not null || p["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 });
    }

    private async Task WaitGoneAsync(ResourceInfo resource, string? ns, string name, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            while (await api.TryGetAsync(resource.ObjectPath(ns, name), cts.Token).ConfigureAwait(false) is not null)
            {
                await foreach (var ev in api.WatchAsync(resource.CollectionPath(ns), null, $"metadata.name={name}", cts.Token).ConfigureAwait(false))
                {
                    if (ev.Type == "DELETED") return;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new IstioPSException("UninstallTimeout", ErrorKind.OperationTimeout,
                $"{resource.Kind} '{name}' was still being deleted after {timeout.TotalSeconds:0} s.", name);
        }
    }
}
