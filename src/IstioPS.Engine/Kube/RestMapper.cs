using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace IstioPS.Engine.Kube;

/// <summary>
/// Maps apiVersion + kind to a served resource through API discovery, one group-version at a time
/// and only for the group-versions asked about. Kinds a manifest's own CRDs define are learned from
/// the manifest (<see cref="Learn"/>), so applying them needs no discovery refresh.
/// What discovery answered is kept for the session, per API server, and shared by every mapper (so by
/// every cmdlet call) of that server, as kubectl keeps its discovery cache: a group-version is asked about
/// once. An answer that does not know a kind, or a group-version the server did not serve, is asked again
/// (once per lookup), so CRDs installed meanwhile are found.
/// </summary>
public sealed class RestMapper
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Lazy<Task<Dictionary<string, ResourceInfo>?>>>> SessionCache = new(StringComparer.Ordinal);

    private readonly KubeApi _api;
    private readonly ConcurrentDictionary<string, Lazy<Task<Dictionary<string, ResourceInfo>?>>> _groupVersions;
    private readonly ConcurrentDictionary<(string ApiVersion, string Kind), ResourceInfo> _learned = new();

    public RestMapper(KubeApi api)
    {
        _api = api;
        _groupVersions = SessionCache.GetOrAdd(api.Server.ToString(), _ => new(StringComparer.Ordinal));
    }

    /// <summary>Forgets every discovery answer of every server (for tests that start over).</summary>
    public static void ClearSessionCache() => SessionCache.Clear();

    /// <summary>The resource for a kind, or null when the cluster does not serve it.</summary>
    public async Task<ResourceInfo?> FindAsync(string apiVersion, string kind, CancellationToken ct)
    {
        if (_learned.TryGetValue((apiVersion, kind), out var known))
        {
            return known;
        }

        var (resources, fresh) = await GroupVersionAsync(apiVersion, ct).ConfigureAwait(false);
        if (!fresh && (resources is null || !resources.ContainsKey(kind)))
        {
            // Kept from earlier: the kind may have been added since (a CRD installed meanwhile).
            Invalidate(apiVersion);
            (resources, _) = await GroupVersionAsync(apiVersion, ct).ConfigureAwait(false);
        }

        return resources is not null && resources.TryGetValue(kind, out var info) ? info : null;
    }

    /// <summary>Whether the cluster serves a group-version at all (for example apiextensions.k8s.io/v1beta1).</summary>
    public async Task<bool> ServesAsync(string apiVersion, CancellationToken ct)
        => (await GroupVersionAsync(apiVersion, ct).ConfigureAwait(false)).Resources is not null;

    /// <summary>
    /// Starts asking discovery about these group-versions and returns at once, so the answers arrive while the caller
    /// does other work (rendering); later lookups share the requests in flight. A failure is forgotten here and met
    /// again by the lookup that needs the answer.
    /// </summary>
    public void Prefetch(IEnumerable<string> apiVersions, CancellationToken ct)
    {
        foreach (var apiVersion in apiVersions.Distinct(StringComparer.Ordinal))
        {
            _ = GroupVersionAsync(apiVersion, ct).ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Records a kind defined by a CustomResourceDefinition (from the manifest or the cluster).</summary>
    public void Learn(ResourceInfo info) => _learned[(info.ApiVersion, info.Kind)] = info;

    /// <summary>Forgets what discovery said of a group-version, so the next lookup asks again.</summary>
    public void Invalidate(string apiVersion) => _groupVersions.TryRemove(apiVersion, out _);

    /// <summary>
    /// Every resource the cluster serves that is namespaced and listable, in each group's preferred version,
    /// without subresources and events: what `kubectl api-resources --verbs=list --namespaced` lists.
    /// </summary>
    public async Task<IReadOnlyList<ResourceInfo>> NamespacedListableAsync(CancellationToken ct)
    {
        var coreTask = _api.GetAsync("/api", ct);
        var groups = await _api.GetAsync("/apis", ct).ConfigureAwait(false);
        var core = await coreTask.ConfigureAwait(false);
        var groupVersions = (core["versions"] as JsonArray ?? new JsonArray()).Select(v => (string?)v).OfType<string>().Take(1)
            .Concat((groups["groups"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                .Select(g => (string?)g["preferredVersion"]?["groupVersion"]).OfType<string>())
            .Distinct(StringComparer.Ordinal).ToList();
        var documents = await Task.WhenAll(groupVersions.Select(async gv =>
        {
            try
            {
                return (gv, await _api.GetAsync(gv.Contains('/') ? $"/apis/{gv}" : $"/api/{gv}", ct).ConfigureAwait(false));
            }
            catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return (gv, new JsonObject()); // went away between the two discovery requests
            }
        })).ConfigureAwait(false);

        var found = new List<ResourceInfo>();
        foreach (var (gv, doc) in documents)
        {
            var slash = gv.IndexOf('/');
            var (group, version) = slash < 0 ? ("", gv) : (gv[..slash], gv[(slash + 1)..]);
            foreach (var r in (doc["resources"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            {
                var name = (string?)r["name"];
                var kind = (string?)r["kind"];
                var listable = (r["verbs"] as JsonArray)?.Any(v => (string?)v == "list") == true;
                if (name is null || kind is null || name.Contains('/') || (bool?)r["namespaced"] != true || !listable) continue;
                if (kind == "Event" && group is "" or "events.k8s.io") continue;
                found.Add(new ResourceInfo(group, version, kind, name, true));
            }
        }

        return found;
    }

    /// <summary>The resources a CustomResourceDefinition object defines, one per served version.</summary>
    public static IEnumerable<ResourceInfo> FromCrd(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var group = (string?)spec?["group"];
        var names = spec?["names"] as JsonObject;
        var kind = (string?)names?["kind"];
        var plural = (string?)names?["plural"];
        if (group is null || kind is null || plural is null)
        {
            yield break;
        }

        var namespaced = !string.Equals((string?)spec?["scope"], "Cluster", StringComparison.Ordinal);
        if (spec?["versions"] is JsonArray versions)
        {
            foreach (var v in versions.OfType<JsonObject>())
            {
                if ((string?)v["name"] is { } name && (bool?)v["served"] != false)
                {
                    yield return new ResourceInfo(group, name, kind, plural, namespaced);
                }
            }
        }
        else if ((string?)spec?["version"] is { } single)
        {
            yield return new ResourceInfo(group, single, kind, plural, namespaced);
        }
    }

    /// <summary>What discovery says of a group-version, and whether this call asked the server (false: kept from earlier).</summary>
    private async Task<(Dictionary<string, ResourceInfo>? Resources, bool Fresh)> GroupVersionAsync(string apiVersion, CancellationToken ct)
    {
        var asked = false;
        var lazy = _groupVersions.GetOrAdd(apiVersion, av => new Lazy<Task<Dictionary<string, ResourceInfo>?>>(() =>
        {
            asked = true;
            return LoadAsync(av, ct);
        }));
        var task = lazy.Value;
        try
        {
            var resources = await task.ConfigureAwait(false);
            if (resources is null)
            {
                // Not served: not kept, so a later lookup asks again.
                _groupVersions.TryRemove(new KeyValuePair<string, Lazy<Task<Dictionary<string, ResourceInfo>?>>>(apiVersion, lazy));
            }

            return (resources, asked);
        }
        catch
        {
            _groupVersions.TryRemove(new KeyValuePair<string, Lazy<Task<Dictionary<string, ResourceInfo>?>>>(apiVersion, lazy));
            throw;
        }
    }

    private async Task<Dictionary<string, ResourceInfo>?> LoadAsync(string apiVersion, CancellationToken ct)
    {
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "" : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        if (version.Length == 0 || apiVersion.Count(c => c == '/') > 1)
        {
            return null;
        }

        var path = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
        JsonObject list;
        try
        {
            list = await _api.GetAsync(path, ct).ConfigureAwait(false);
        }
        catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var map = new Dictionary<string, ResourceInfo>(StringComparer.Ordinal);
        if (list["resources"] is JsonArray resources)
        {
            foreach (var r in resources.OfType<JsonObject>())
            {
                var name = (string?)r["name"];
                var kind = (string?)r["kind"];
                if (name is null || kind is null || name.Contains('/'))
                {
                    continue; // subresources such as deployments/status
                }

                map.TryAdd(kind, new ResourceInfo(group, version, kind, name, (bool?)r["namespaced"] ?? false));
            }
        }

        return map;
    }
}
