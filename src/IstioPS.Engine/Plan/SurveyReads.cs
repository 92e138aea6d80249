using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;
using Own = IstioPS.Engine.Ownership.Ownership;

namespace IstioPS.Engine.Plan;

/// <summary>
/// The reads of a plan's survey: the objects IstioPS installed (one labelled list per kind), the names that exist
/// (one metadata-only list per kind and namespace) and the namespaces. <see cref="ReadAhead"/> starts the ones an
/// install of a release makes while the release renders, so the survey finds them answered instead of waiting a
/// round trip after the render; each read started ahead is taken at most once, by the survey of the same cmdlet call
/// (before anything is written), and any other read is made when asked for.
/// </summary>
public sealed class SurveyReads
{
    private readonly KubeApi _api;
    private readonly ConcurrentDictionary<string, Task<List<JsonObject>>> _owned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<List<string>>> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<JsonObject?>> _objects = new(StringComparer.Ordinal);

    public SurveyReads(KubeApi api) => _api = api;

    /// <summary>
    /// Starts discovery of every kind IstioPS installs and, with <paramref name="lists"/>, the survey's reads of an install
    /// into <paramref name="ns"/> for those kinds as soon as discovery names their resources; returns at once. A failure
    /// is met again by the survey's own read.
    /// </summary>
    public static SurveyReads ReadAhead(KubeApi api, string ns, bool lists, CancellationToken ct)
    {
        var reads = new SurveyReads(api);
        var mapper = new RestMapper(api);
        mapper.Prefetch(Own.InstalledKinds.Select(k => k.ApiVersion).Append("apiextensions.k8s.io/v1"), ct);
        if (!lists) return reads;
        Observe(reads._objects.GetOrAdd(ResourceInfo.Namespaces.ObjectPath(null, ns), path => api.TryGetAsync(path, ct)));
        // A release's objects are of these kinds, and its CRDs.
        foreach (var (apiVersion, kind) in Own.InstalledKinds.Append(("apiextensions.k8s.io/v1", "CustomResourceDefinition")))
        {
            Observe(StartAsync(apiVersion, kind));
        }

        return reads;

        async Task StartAsync(string apiVersion, string kind)
        {
            if (await mapper.FindAsync(apiVersion, kind, ct).ConfigureAwait(false) is not { } resource) return;
            var owned = reads._owned.GetOrAdd(resource.CollectionPath(null), path => reads.ListOwnedAsync(path, ct));
            var names = reads._names.GetOrAdd(resource.CollectionPath(resource.Namespaced ? ns : null), path => reads.ListNamesAsync(path, ct));
            Observe(owned);
            Observe(names);
        }

        // A read nobody takes (or one that failed) is not an error of the read-ahead.
        static void Observe(Task task) => task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Every object of a collection carrying IstioPS's label (cluster-wide); empty for a kind not served yet.</summary>
    public Task<List<JsonObject>> OwnedAsync(string collectionPath, CancellationToken ct)
        => _owned.TryRemove(collectionPath, out var ahead) ? ahead : ListOwnedAsync(collectionPath, ct);

    /// <summary>The names of a collection's objects; empty for a kind not served yet.</summary>
    public Task<List<string>> NamesAsync(string collectionPath, CancellationToken ct)
        => _names.TryRemove(collectionPath, out var ahead) ? ahead : ListNamesAsync(collectionPath, ct);

    /// <summary>One object, or null when it does not exist.</summary>
    public Task<JsonObject?> TryGetAsync(string objectPath, CancellationToken ct)
        => _objects.TryRemove(objectPath, out var ahead) ? ahead : _api.TryGetAsync(objectPath, ct);

    /// <summary>
    /// Every object of <paramref name="resources"/> carrying IstioPS's label: one labelled list per kind, across
    /// namespaces, keyed by group, kind, namespace (null when cluster-scoped) and name. The live objects of a re-install
    /// (and of an uninstall by source), read without one GET each.
    /// </summary>
    public async Task<Dictionary<(string, string, string?, string), (ResourceInfo Resource, JsonObject Live)>> OwnedObjectsAsync(
        IEnumerable<ResourceInfo> resources, CancellationToken ct)
    {
        var lists = await Task.WhenAll(resources.Distinct().Select(async resource =>
            (resource, items: await OwnedAsync(resource.CollectionPath(null), ct).ConfigureAwait(false)))).ConfigureAwait(false);
        var owned = new Dictionary<(string, string, string?, string), (ResourceInfo, JsonObject)>();
        foreach (var (resource, items) in lists)
        {
            foreach (var item in items)
            {
                var ns = resource.Namespaced ? (string?)item["metadata"]?["namespace"] : null;
                owned[(resource.Group, resource.Kind, ns, (string?)item["metadata"]?["name"] ?? "")] = (resource, item);
            }
        }

        return owned;
    }

    /// <summary>
    /// Which objects exist in these scopes: one metadata-only list per kind and namespace (cluster-wide for
    /// cluster-scoped kinds), not one GET per object; keyed as <see cref="OwnedObjectsAsync"/> keys them.
    /// </summary>
    public async Task<HashSet<(string, string, string?, string)>> ExistingAsync(IEnumerable<(ResourceInfo Resource, string? Namespace)> scopes, CancellationToken ct)
    {
        var lists = await Task.WhenAll(scopes.Distinct().Select(async scope =>
            (Scope: scope, Names: await NamesAsync(scope.Resource.CollectionPath(scope.Namespace), ct).ConfigureAwait(false)))).ConfigureAwait(false);
        return lists.SelectMany(l => l.Names.Select(name => (l.Scope.Resource.Group, l.Scope.Resource.Kind, l.Scope.Namespace, name))).ToHashSet();
    }

    private async Task<List<JsonObject>> ListOwnedAsync(string collectionPath, CancellationToken ct)
    {
        try
        {
            // Who manages which field is read only where the plan looks at it: webhook configurations, whose caBundle and
            // failurePolicy the running control plane takes (ControlPlaneFields); a CRD's managedFields are as big as its schema.
            var managedFields = Apply.ControlPlaneFields.ConcernsCollection(collectionPath);
            return (await _api.ListAsync(collectionPath, $"{Own.ManagedByLabel}={Own.ManagedByValue}", ct, managedFields: managedFields).ConfigureAwait(false)).Items;
        }
        catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return new List<JsonObject>(); // a kind the input's CRDs are yet to define
        }
    }

    private async Task<List<string>> ListNamesAsync(string collectionPath, CancellationToken ct)
    {
        try
        {
            return (await _api.ListMetadataAsync(collectionPath, m => KubeApi.StringProperty(m, "name"), ct).ConfigureAwait(false)).Items;
        }
        catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return new List<string>();
        }
    }
}
