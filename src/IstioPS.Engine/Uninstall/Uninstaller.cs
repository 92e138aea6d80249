using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Plan;
using IstioPS.Engine.Wait;

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

    /// <summary>
    /// Only these objects (what a source stands for, as Install-Istio would apply it): of them, those that exist and
    /// IstioPS owns for <see cref="Revision"/> (or shares between revisions) are removed, CRDs unless
    /// <see cref="KeepCrds"/>; the namespace stays. Null: everything of the revision (or, with -Purge, of IstioPS).
    /// </summary>
    public IReadOnlyList<Manifests.ManifestObject>? Objects { get; init; }
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
    private static IReadOnlyList<(string ApiVersion, string Kind)> Kinds => Ownership.Ownership.InstalledKinds;

    [GeneratedRegex("^(istiod-default-validator|istio-revision-tag-.+|istio-sidecar-injector(-.+)?|istio-validator(-.+)?)$")]
    private static partial Regex IstioWebhookName();

    private readonly KubeApi _api;
    private readonly RestMapper _mapper;

    public Uninstaller(KubeApi api, RestMapper? mapper = null)
    {
        _api = api;
        _mapper = mapper ?? new RestMapper(api);
    }

    public async Task<UninstallResult?> UninstallAsync(UninstallRequest request, OperationCallbacks callbacks, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var revision = request.Purge ? "*" : request.Revision ?? "default";
        callbacks.Progress?.Report(new OperationProgress($"Finding what revision {revision} installed", 0));

        // Plan: everything below only reads; nothing is written until the one question is answered.
        var (owned, notOwned, deployments) = await FindAsync(request, ct).ConfigureAwait(false);
        if (request.Objects is not null && owned.Any(t => t.Shared))
        {
            // Istio's base belongs to every revision: an input that renders it removes it only with the last one.
            var others = (await InstalledRevisionsAsync(deployments, ct).ConfigureAwait(false)).Where(r => r != revision).ToList();
            if (others.Count > 0)
            {
                var kept = owned.Where(t => t.Shared).Select(t => t.Target).ToList();
                callbacks.Warning?.Invoke($"Kept, because revision(s) {string.Join(", ", others)} still use Istio's base: {Names(kept)}.");
                owned = owned.Where(t => !t.Shared).ToList();
            }
        }
        if (notOwned.Count > 0)
        {
            callbacks.Warning?.Invoke($"Left alone, because IstioPS neither created nor adopted them (no {Ownership.Ownership.Annotation} annotation): "
                + Names(notOwned) + ". Adopt them with Install-Istio -Adopt, or delete them with kubectl.");
        }

        if (request.Objects is not null && owned.Count == 0)
        {
            throw new IstioPSException("NotInstalled", ErrorKind.ObjectNotFound,
                $"None of the {request.Objects.Count} objects of the input is installed by IstioPS for revision '{revision}' on {_api.Server}{await InstalledRevisionsTextAsync(deployments, ct).ConfigureAwait(false)}; nothing was removed.", revision);
        }

        if (!request.Purge && owned.Count == 0)
        {
            throw new IstioPSException("RevisionNotInstalled", ErrorKind.ObjectNotFound,
                $"Nothing that IstioPS installed belongs to revision '{revision}' on {_api.Server}{await InstalledRevisionsTextAsync(deployments, ct).ConfigureAwait(false)}; nothing was removed.", revision);
        }

        // Pods use a revision through its injector: removing only some objects of a revision (an addon, a gateway)
        // leaves their sidecars alone.
        if (!request.Force && (request.Objects is null || owned.Any(t => t.Resource.Kind == "MutatingWebhookConfiguration")))
        {
            var users = await PodsUsingAsync(request, ct).ConfigureAwait(false);
            if (users.Count > 0)
            {
                var names = Names(users);
                callbacks.Warning?.Invoke($"Pods still use revision {revision}: {names}. Move their namespaces to another revision and restart them, or use -Force.");
                throw new IstioPSException("RevisionInUse", ErrorKind.InvalidOperation,
                    $"Revision {revision} is still used by {users.Count} pods ({names}); nothing was removed. Use -Force to remove it anyway.", revision);
            }
        }

        // Custom resources that deleting the CRDs would take with them: refused before any write unless forced.
        var crds = owned.Where(t => t.Resource.Kind == "CustomResourceDefinition").ToList();
        var customResources = crds.Count == 0 ? new List<JsonObject>() : await CustomResourcesAsync(crds, ct).ConfigureAwait(false);
        if (customResources.Count > 0)
        {
            var summary = CustomResourceSummary(customResources);
            if (!request.Force)
            {
                throw new IstioPSException("CustomResourcesExist", ErrorKind.InvalidOperation,
                    $"Deleting the Istio CustomResourceDefinitions would also delete {customResources.Count} custom resources: {summary}. Nothing was removed. "
                    + "Use -Force to delete them with the CRDs, or -KeepCrds to keep the CRDs and remove the rest.",
                    customResources.Select(KubeFormat.KindSlashName).ToArray());
            }

            callbacks.Warning?.Invoke($"-Force: deleting the CustomResourceDefinitions also deletes {customResources.Count} custom resources: {summary}.");
        }

        // The namespace goes only if IstioPS created it and nothing else is left in it.
        var gone = owned.Select(t => t.Uid).OfType<string>().Concat(customResources.Select(KubeFormat.Uid).OfType<string>()).ToHashSet(StringComparer.Ordinal);
        var deleteNamespace = request.Purge && await NamespaceDeletableAsync(request.Namespace, gone, callbacks, ct).ConfigureAwait(false);
        var targets = owned.Select(t => t.Target).ToList();
        if (deleteNamespace) targets.Add($"namespace/{request.Namespace}");
        if (targets.Count == 0)
        {
            callbacks.Warning?.Invoke($"IstioPS installed nothing on {_api.Server} that is left to remove.");
            return null;
        }

        var question = request.Objects is not null
            ? $"Remove what the input installed (revision {revision}): {targets.Count} objects"
            : request.Purge
            ? $"Remove Istio (every revision{(crds.Count > 0 ? ", the CRDs" : "")}{(deleteNamespace ? $", namespace {request.Namespace}" : "")}): {targets.Count} objects"
            : $"Remove revision {revision}: {targets.Count} objects";
        if (!callbacks.ShouldProcessBatch(question, targets))
        {
            return null;
        }

        var applier = new Applier(_api, request.Concurrency);
        var results = new List<AppliedObject>();
        var failed = 0;
        foreach (var group in owned.GroupBy(t => t.Order).OrderBy(g => g.Key))
        {
            var batch = group.ToList();
            var deleted = await DeleteAllAsync(applier, batch, callbacks, ct).ConfigureAwait(false);
            results.AddRange(deleted);
            failed += batch.Count - deleted.Count;
        }

        // A deleted CRD stays, Terminating, until the API server has deleted its custom resources: waited for, so that
        // an install right after finds it gone rather than applying to a definition about to disappear.
        var deletedCrds = results.Where(r => r.Kind == "CustomResourceDefinition" && r.Action == ApplyAction.Deleted).ToList();
        if (deletedCrds.Count > 0)
        {
            callbacks.Progress?.Report(new OperationProgress($"Waiting for {deletedCrds.Count} CustomResourceDefinitions to be deleted", 92));
            var waiter = new ReadinessWaiter(_api);
            await Task.WhenAll(deletedCrds.Select(c => waiter.WaitGoneAsync(ResourceInfo.CustomResourceDefinitions, null, c.Name,
                owned.FirstOrDefault(t => t.Resource.Kind == c.Kind && t.Name == c.Name)?.Uid, request.Timeout, "UninstallTimeout", ct))).ConfigureAwait(false);
        }

        // Checked again just before: something may have been put there meanwhile, and a failed delete leaves its object.
        if (deleteNamespace && failed == 0 && await NamespaceDeletableAsync(request.Namespace, gone, callbacks, ct).ConfigureAwait(false))
        {
            var ns = new Doomed(ResourceInfo.Namespaces, null, request.Namespace, int.MaxValue, null);
            if ((await DeleteAllAsync(applier, new[] { ns }, callbacks, ct).ConfigureAwait(false)).SingleOrDefault() is { } r)
            {
                results.Add(r);
                if (r.Action == ApplyAction.Deleted)
                {
                    callbacks.Progress?.Report(new OperationProgress($"Waiting for namespace {request.Namespace} to be deleted", 95));
                    await new ReadinessWaiter(_api).WaitGoneAsync(ResourceInfo.Namespaces, null, request.Namespace, null, request.Timeout, "UninstallTimeout", ct).ConfigureAwait(false);
                }
            }
        }
        else if (deleteNamespace)
        {
            callbacks.Warning?.Invoke($"The namespace {request.Namespace} was kept: {failed} objects in it could not be deleted.");
        }

        callbacks.Progress?.Report(new OperationProgress("Done", 100));
        return new UninstallResult { Objects = results, Revision = request.Purge ? "all" : revision, Duration = clock.Elapsed };
    }

    /// <summary>Deletes through the one executor; a failure (whatever it is, after retries) is reported for its object and the batch goes on.</summary>
    private static Task<IReadOnlyList<AppliedObject>> DeleteAllAsync(Applier applier, IReadOnlyCollection<Doomed> batch, OperationCallbacks callbacks, CancellationToken ct)
        => applier.RunAsync(batch, t => t.Target, (t, token) => applier.DeleteAsync(t.Resource, t.Namespace, t.Name, token), callbacks, "Deleting", ct, continueOnError: true, percent: (0, 90));

    private static string Names(IReadOnlyCollection<string> names)
        => string.Join(", ", names.Take(10)) + (names.Count > 10 ? $" and {names.Count - 10} more" : "");

    /// <summary>An object to delete; <paramref name="Shared"/>: Istio's base, labelled for every revision.</summary>
    /// <paramref name="Live"/>: the object as listed (a CRD's names and versions are read from it).
    private sealed record Doomed(ResourceInfo Resource, string? Namespace, string Name, int Order, string? Uid, bool Shared = false, JsonObject? Live = null)
    {
        public string Target => Namespace is null ? $"{Resource.DisplayKind}/{Name}" : $"{Resource.DisplayKind}/{Name} (namespace {Namespace})";
    }

    /// <summary>What IstioPS owns for the request, and what looks like it but is not IstioPS's (left alone).</summary>
    /// <remarks><c>Deployments</c>: every Deployment IstioPS installed (any revision), when the reads listed them all.</remarks>
    private async Task<(List<Doomed> Owned, List<string> NotOwned, List<JsonObject>? Deployments)> FindAsync(UninstallRequest request, CancellationToken ct)
    {
        if (request.Objects is not null) return await FindNamedAsync(request, request.Objects, ct).ConfigureAwait(false);
        var selector = request.Purge
            ? $"{Installer.ManagedByLabel}=istiops"
            : $"{Installer.ManagedByLabel}=istiops,{Installer.RevisionLabel}={request.Revision ?? "default"}";
        var found = new Dictionary<(string, string?, string), Doomed>();
        var notOwned = new List<string>();
        var lists = await Task.WhenAll(Kinds.Select(async (k, order) =>
        {
            var resource = await _mapper.FindAsync(k.ApiVersion, k.Kind, ct).ConfigureAwait(false);
            if (resource is null) return (order, resource, new List<JsonObject>());
            if (!k.Kind.EndsWith("WebhookConfiguration", StringComparison.Ordinal))
            {
                var (items, _) = await _api.ListAsync(resource.CollectionPath(null), selector, ct).ConfigureAwait(false);
                return (order, resource, items);
            }

            // Webhooks: one unselected list, since istioctl's leftovers (the default validator, revision tags)
            // carry no IstioPS label (they are named, not deleted, unless adopted); the cluster holds few of them.
            var (all, _) = await _api.ListAsync(resource.CollectionPath(null), null, ct).ConfigureAwait(false);
            return (order, resource, all.Where(w => IsInstalledBy(w, request) || IsIstioWebhook(w, request)).ToList());
        })).ConfigureAwait(false);

        var crdResource = ResourceInfo.CustomResourceDefinitions;
        var crdOrder = Kinds.Count + 1;
        if (request.Purge && !request.KeepCrds)
        {
            // Istio's CRDs (only with -Purge).
            var (crds, _) = await _api.ListAsync(crdResource.CollectionPath(null), null, ct).ConfigureAwait(false);
            lists = lists.Append((crdOrder, crdResource, crds.Where(c => IsIstioGroup((string?)c["spec"]?["group"] ?? "")).ToList())).ToArray();
        }

        foreach (var (order, resource, items) in lists)
        {
            if (resource is null) continue;
            foreach (var item in items)
            {
                var name = (string?)item["metadata"]?["name"] ?? "";
                var ns = resource.Namespaced ? (string?)item["metadata"]?["namespace"] : null;
                var doomed = new Doomed(resource, ns, name, order, KubeFormat.Uid(item), Live: item);
                if (Ownership.Ownership.IsOurs(item, request.Purge ? null : request.Revision ?? "default")) found.TryAdd((resource.Kind, ns, name), doomed);
                else notOwned.Add(doomed.Target);
            }
        }

        var owned = found.Values.OrderBy(t => t.Order).ThenBy(t => t.Namespace).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        return (owned, notOwned.Order(StringComparer.Ordinal).ToList(), null);
    }

    /// <summary>
    /// The objects of a source that exist and are IstioPS's for the revision (or shared between revisions), in removal
    /// order: the kinds Install-Istio installs in <see cref="Kinds"/>' order, other kinds after them, CRDs last. Read as
    /// an install's plan reads them (<see cref="SurveyReads"/>): one labelled list per kind, and one metadata-only list
    /// per kind and namespace for those present but not IstioPS's; no GET per object.
    /// </summary>
    private async Task<(List<Doomed> Owned, List<string> NotOwned, List<JsonObject>? Deployments)> FindNamedAsync(UninstallRequest request, IReadOnlyList<Manifests.ManifestObject> objects, CancellationToken ct)
    {
        var revision = request.Revision ?? "default";
        var wanted = objects.Where(o => !(request.KeepCrds && o.Kind == "CustomResourceDefinition")).ToList();
        var kinds = Kinds.Select(k => k.Kind).ToList();
        var resources = await Task.WhenAll(wanted.Select(o => _mapper.FindAsync(o.ApiVersion, o.Kind, ct))).ConfigureAwait(false);
        // A kind the server does not serve holds nothing of ours.
        var served = wanted.Select((o, i) => (Object: o, Resource: resources[i])).Where(x => x.Resource is not null)
            .Select(x => (x.Object, Resource: x.Resource!, Namespace: x.Resource!.Namespaced ? x.Object.Namespace ?? request.Namespace : null)).ToList();
        var reads = new SurveyReads(_api);
        var ownedTask = reads.OwnedObjectsAsync(served.Select(x => x.Resource), ct);
        var existingTask = reads.ExistingAsync(served.Select(x => (x.Resource, x.Namespace)), ct);
        var listed = await ownedTask.ConfigureAwait(false);
        var existing = await existingTask.ConfigureAwait(false);

        var owned = new List<Doomed>();
        var notOwned = new List<string>();
        foreach (var (o, resource, ns) in served.DistinctBy(x => (x.Resource.Kind, x.Namespace, x.Object.Name)))
        {
            var key = (resource.Group, resource.Kind, ns, o.Name);
            var live = listed.TryGetValue(key, out var l) ? l.Live : null;
            if (live is null && !existing.Contains(key)) continue;
            var kindOrder = kinds.IndexOf(o.Kind);
            var order = o.Kind == "CustomResourceDefinition" ? Kinds.Count + 1 : kindOrder >= 0 ? kindOrder : Kinds.Count;
            var shared = live is not null && Ownership.Ownership.IsOurs(live, Ownership.Ownership.SharedRevision);
            var doomed = new Doomed(resource, ns, o.Name, order, live is null ? null : KubeFormat.Uid(live), shared, live);
            if (shared || (live is not null && Ownership.Ownership.IsOurs(live, revision))) owned.Add(doomed);
            else notOwned.Add(doomed.Target);
        }

        // The Deployments listed are every one IstioPS installed: the revisions installed are read from them, not listed again.
        var deployments = served.Any(x => x.Resource == ResourceInfo.Deployments)
            ? listed.Values.Where(v => v.Resource == ResourceInfo.Deployments).Select(v => v.Live).ToList()
            : null;
        return (owned.OrderBy(t => t.Order).ThenBy(t => t.Namespace).ThenBy(t => t.Name, StringComparer.Ordinal).ToList(), notOwned.Order(StringComparer.Ordinal).ToList(), deployments);
    }

    private static bool IsIstioGroup(string group) => group == "istio.io" || group.EndsWith(".istio.io", StringComparison.Ordinal);

    /// <summary>The custom resources of the CRDs about to be deleted, except those IstioPS owns itself.</summary>
    private async Task<List<JsonObject>> CustomResourcesAsync(List<Doomed> crds, CancellationToken ct)
    {
        var lists = await Task.WhenAll(crds.Select(async c =>
        {
            var crd = c.Live ?? await _api.TryGetAsync(c.Resource.ObjectPath(null, c.Name), ct).ConfigureAwait(false);
            var resource = crd is null ? null : RestMapper.FromCrd(crd).FirstOrDefault();
            if (resource is null) return new List<JsonObject>();
            try
            {
                var (items, _) = await _api.ListAsync(resource.CollectionPath(null), null, ct).ConfigureAwait(false);
                foreach (var i in items) i["kind"] ??= resource.Kind;
                return items;
            }
            catch (KubeApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return new List<JsonObject>(); // not established (yet): it holds nothing
            }
        })).ConfigureAwait(false);
        return lists.SelectMany(l => l).Where(o => !Ownership.Ownership.IsOwned(o)).ToList();
    }

    /// <summary>"2 VirtualService (namespaces default, shop), 1 PeerAuthentication (namespace istio-system)".</summary>
    private static string CustomResourceSummary(List<JsonObject> items) => string.Join(", ", items
        .GroupBy(i => (string?)i["kind"] ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g =>
        {
            var namespaces = g.Select(i => (string?)i["metadata"]?["namespace"]).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
            var where = namespaces.Count == 0 ? "cluster-scoped" : $"{(namespaces.Count == 1 ? "namespace" : "namespaces")} {string.Join(", ", namespaces)}";
            return $"{g.Count()} {g.Key} ({where})";
        }));

    /// <summary>Objects Kubernetes (and istiod) put into every namespace by themselves.</summary>
    private static readonly HashSet<(string Kind, string Name)> CreatedByTheCluster = new()
    {
        ("ConfigMap", "kube-root-ca.crt"),
        ("ServiceAccount", "default"),
        ("ConfigMap", "istio-ca-root-cert"),
    };

    /// <summary>
    /// True when IstioPS created the namespace and nothing else is left in it: every namespaced, listable resource
    /// the server serves (through discovery) is listed, and what remains apart from what is being deleted
    /// (<paramref name="gone"/> and what those own), what is already terminating and what the cluster creates
    /// itself is named in a warning.
    /// </summary>
    private async Task<bool> NamespaceDeletableAsync(string ns, HashSet<string> gone, OperationCallbacks callbacks, CancellationToken ct)
    {
        var live = await _api.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, ns), ct).ConfigureAwait(false);
        if (live is null) return false;
        if (!Ownership.Ownership.IsCreatedByIstioPS(live))
        {
            callbacks.Warning?.Invoke($"The namespace {ns} was kept: IstioPS did not create it.");
            return false;
        }

        var resources = await _mapper.NamespacedListableAsync(ct).ConfigureAwait(false);
        var lists = await Task.WhenAll(resources.Select(async r =>
        {
            try
            {
                var (items, _) = await _api.ListAsync(r.CollectionPath(ns), null, ct).ConfigureAwait(false);
                return items.Select(i => (Resource: r, Item: i)).ToList();
            }
            catch (KubeApiException ex) when (ex.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.MethodNotAllowed)
            {
                return new List<(ResourceInfo Resource, JsonObject Item)>();
            }
        })).ConfigureAwait(false);
        var all = lists.SelectMany(l => l).ToList();

        // What goes with the objects being deleted: their dependents (ReplicaSets, Pods, EndpointSlices, ...) and a deleted Service's Endpoints.
        // Dependents whose namespaced owners are all gone already (an earlier uninstall's, not yet collected) go too:
        // the garbage collector deletes them.
        var going = new HashSet<string>(gone, StringComparer.Ordinal);
        var present = all.Select(x => KubeFormat.Uid(x.Item)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var namespacedKinds = resources.Select(r => r.Kind).ToHashSet(StringComparer.Ordinal);
        bool added;
        do
        {
            added = false;
            foreach (var (_, item) in all)
            {
                var owners = (item["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>().ToList();
                if (KubeFormat.Uid(item) is { } uid && !going.Contains(uid) && owners is { Count: > 0 }
                    && (owners.Any(o => going.Contains((string?)o["uid"] ?? ""))
                        || owners.All(o => namespacedKinds.Contains((string?)o["kind"] ?? "") && !present.Contains((string?)o["uid"] ?? ""))))
                {
                    added |= going.Add(uid);
                }
            }
        }
        while (added);

        var goingServices = all.Where(x => x.Resource.Kind == "Service" && going.Contains(KubeFormat.Uid(x.Item) ?? "")).Select(x => KubeFormat.Name(x.Item)).ToHashSet(StringComparer.Ordinal);
        var left = all.Where(x => !going.Contains(KubeFormat.Uid(x.Item) ?? "")
                && x.Item["metadata"]?["deletionTimestamp"] is null
                && !CreatedByTheCluster.Contains((x.Resource.Kind, KubeFormat.Name(x.Item)))
                && !(x.Resource.Kind == "Endpoints" && goingServices.Contains(KubeFormat.Name(x.Item))))
            .Select(x => $"{x.Resource.DisplayKind}/{KubeFormat.Name(x.Item)}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (left.Count == 0) return true;
        callbacks.Warning?.Invoke($"The namespace {ns} was kept: {left.Count} {(left.Count == 1 ? "object" : "objects")} that IstioPS does not remove {(left.Count == 1 ? "is" : "are")} left in it: {Names(left)}.");
        return false;
    }

    /// <summary>", where IstioPS installed revisions default, canary" (from the istiod Deployments it owns), or nothing.</summary>
    private async Task<string> InstalledRevisionsTextAsync(List<JsonObject>? listed, CancellationToken ct)
    {
        var revisions = await InstalledRevisionsAsync(listed, ct).ConfigureAwait(false);
        return revisions.Count == 0 ? "" : $" (installed revisions: {string.Join(", ", revisions)})";
    }

    /// <summary>The revisions IstioPS installed, from the Deployments it owns (<paramref name="listed"/> when read already).</summary>
    private async Task<List<string>> InstalledRevisionsAsync(List<JsonObject>? listed, CancellationToken ct)
    {
        var items = listed ?? (await _api.ListAsync(ResourceInfo.Deployments.CollectionPath(null), $"{Installer.ManagedByLabel}=istiops", ct).ConfigureAwait(false)).Items;
        return items.Where(Ownership.Ownership.IsOwned).Select(i => KubeFormat.Label(i, Installer.RevisionLabel))
            .OfType<string>().Where(r => r != Ownership.Ownership.SharedRevision).Distinct().Order(StringComparer.Ordinal).ToList();
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
        var (pods, _) = await _api.ListAsync(ResourceInfo.Pods.CollectionPath(null), selector, ct).ConfigureAwait(false);
        return pods.Where(p => (string?)p["metadata"]?["namespace"] != request.Namespace && Injection.InjectionRules.HasSidecar(p))
            .Select(p => $"{(string?)p["metadata"]?["namespace"]}/{(string?)p["metadata"]?["name"]}").ToList();
    }
}
