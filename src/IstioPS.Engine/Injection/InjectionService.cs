using System.Text.Json.Nodes;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Injection;

/// <summary>Reads and sets the namespace labels that turn Istio's sidecar injection on and off.</summary>
public sealed class InjectionService
{
    public const string InjectionLabel = "istio-injection";
    public const string RevisionLabel = "istio.io/rev";
    public static readonly IReadOnlySet<string> ProtectedNamespaces = new HashSet<string>(StringComparer.Ordinal) { "kube-system", "kube-public", "kube-node-lease" };

    private readonly KubeApi _api;
    private readonly Func<DateTimeOffset> _now;

    public InjectionService(KubeApi api, Func<DateTimeOffset>? now = null)
    {
        _api = api;
        _now = now ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Namespaces matching the patterns (all when none): a few exact names are read one by one (side by side),
    /// anything else from one paged list of namespaces and one metadata-only list of the cluster's pods.
    /// </summary>
    public async Task<IReadOnlyList<NamespaceInjection>> GetAsync(IReadOnlyList<string>? patterns, Action<IstioPSException>? notFound, CancellationToken ct)
    {
        var at = _now();
        var exact = patterns is { Count: > 0 } && patterns.All(p => !Glob.HasWildcards(p)) ? patterns.Distinct(StringComparer.Ordinal).ToList() : null;
        if (exact is { Count: <= PerNamespacePodLists })
        {
            var read = await Task.WhenAll(exact.Select(async name =>
            {
                var ns = await _api.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, name), ct).ConfigureAwait(false);
                return (name, ns, ns is null ? null : await LivePodsAsync(name, ct).ConfigureAwait(false));
            })).ConfigureAwait(false);
            var found = new List<NamespaceInjection>();
            foreach (var (name, ns, pods) in read)
            {
                if (ns is null) notFound?.Invoke(_api.NamespaceNotFound(name));
                else found.Add(Describe(ns, at, pods));
            }

            return found;
        }

        var namespacesTask = _api.ListAsync(ResourceInfo.Namespaces.CollectionPath(null), null, ct, pageSize: ListPageSize);
        var podsTask = PodsByNamespaceAsync(ct);
        var (items, _) = await namespacesTask.ConfigureAwait(false);
        var podsByNamespace = await podsTask.ConfigureAwait(false);
        Func<string, bool> wanted;
        if (exact is not null)
        {
            var names = exact.ToHashSet(StringComparer.Ordinal);
            foreach (var missing in exact.Except(items.Select(ns => (string?)ns["metadata"]?["name"] ?? ""), StringComparer.Ordinal)) notFound?.Invoke(_api.NamespaceNotFound(missing));
            wanted = names.Contains;
        }
        else
        {
            var globs = patterns?.Select(p => new Glob(p)).ToList();
            wanted = name => Glob.AnyMatch(globs, name);
        }

        return items.Where(ns => wanted((string?)ns["metadata"]?["name"] ?? ""))
            .Select(ns => Describe(ns, at, podsByNamespace.TryGetValue((string?)ns["metadata"]?["name"] ?? "", out var p) ? p : Array.Empty<PodFacts>()))
            .OrderBy(n => n.Namespace, StringComparer.Ordinal).ToList();
    }

    /// <summary>Requests in flight at most when labelling many namespaces (HTTP/1.1: one connection each).</summary>
    public const int MaxInFlight = 64;

    /// <summary>Pages of this size keep the round trips of a big cluster's scan few (20 for 100,000 pods).</summary>
    private const int ListPageSize = 5000;

    /// <summary>Above this many namespaces one cluster-wide pod list costs less than one list per namespace.</summary>
    private const int PerNamespacePodLists = 8;

    /// <summary>The live pods of one namespace, metadata only.</summary>
    private async Task<List<PodFacts>> LivePodsAsync(string ns, CancellationToken ct)
        => (await _api.ListMetadataAsync(ResourceInfo.Pods.CollectionPath(ns), m => PodFacts.FromMetadata(m), ct,
            fieldSelector: PodFacts.LiveFieldSelector, pageSize: ListPageSize).ConfigureAwait(false)).Items;

    /// <summary>
    /// The live pods of the whole cluster, grouped by namespace: one paged metadata-only list, each pod kept as
    /// a few strings (namespace names shared), never as a whole object.
    /// </summary>
    private async Task<Dictionary<string, List<PodFacts>>> PodsByNamespaceAsync(CancellationToken ct)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        string Intern(string ns)
        {
            if (!names.TryGetValue(ns, out var shared)) names[ns] = shared = ns;
            return shared;
        }

        var byNamespace = new Dictionary<string, List<PodFacts>>(StringComparer.Ordinal);
        await _api.ListMetadataAsync<PodFacts>(ResourceInfo.Pods.CollectionPath(null), m =>
        {
            var pod = PodFacts.FromMetadata(m, Intern);
            if (!byNamespace.TryGetValue(pod.Namespace, out var list)) byNamespace[pod.Namespace] = list = new List<PodFacts>();
            list.Add(pod);
            return null;
        }, ct, fieldSelector: PodFacts.LiveFieldSelector, pageSize: ListPageSize).ConfigureAwait(false);
        return byNamespace;
    }

    /// <summary>The live pods of the given namespaces: one list each when they are few, else one list of the cluster.</summary>
    private async Task<IReadOnlyDictionary<string, List<PodFacts>>> PodsOfAsync(IReadOnlyList<string> namespaces, CancellationToken ct)
    {
        if (namespaces.Count > PerNamespacePodLists) return await PodsByNamespaceAsync(ct).ConfigureAwait(false);
        var lists = await Task.WhenAll(namespaces.Select(ns => LivePodsAsync(ns, ct))).ConfigureAwait(false);
        return namespaces.Select((ns, i) => (ns, lists[i])).ToDictionary(x => x.ns, x => x.Item2, StringComparer.Ordinal);
    }

    /// <summary>
    /// Sets or removes the labels on many namespaces at once, requests in flight sized to the work (one per
    /// namespace, at most <see cref="MaxInFlight"/>, unless <paramref name="concurrency"/> says). Each namespace is
    /// asked about through ShouldProcess before any write; per-namespace failures go to <paramref name="onError"/>.
    /// </summary>
    public async Task SetAsync(IReadOnlyList<string> namespaces, InjectionChange change, bool force, OperationCallbacks callbacks,
        Action<NamespaceInjection> onResult, Action<IstioPSException> onError, CancellationToken ct, int? concurrency = null)
    {
        var approved = new List<string>();
        foreach (var ns in namespaces.Distinct(StringComparer.Ordinal))
        {
            if (Manifests.ObjectValidator.CheckNamespace(ns) is { } problem)
            {
                onError(new IstioPSException("InvalidNamespaceName", ErrorKind.InvalidArgument, problem, ns));
                continue;
            }

            if (!force && ProtectedNamespaces.Contains(ns))
            {
                onError(new IstioPSException("ProtectedNamespace", ErrorKind.InvalidOperation,
                    $"The namespace '{ns}' belongs to Kubernetes itself; injecting sidecars there can break the cluster. Use -Force to change it anyway.", ns));
                continue;
            }

            if (callbacks.ShouldProcess($"namespace/{ns}", change.Describe)) approved.Add(ns);
        }

        if (approved.Count == 0) return;
        await CheckServedAsync(change, force, callbacks, ct).ConfigureAwait(false);
        var podsByNamespace = await PodsOfAsync(approved, ct).ConfigureAwait(false);
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = Labels(change) } };
        var applier = new Applier(_api, concurrency ?? Math.Clamp(approved.Count, 1, MaxInFlight));
        var at = _now();
        // Whatever the failure of one namespace (an error status, a connection dropped after every retry, a timeout):
        // it is reported by name and the others go on.
        var batch = new OperationCallbacks { Progress = callbacks.Progress, Error = onError };
        await applier.RunAsync(approved, ns => $"namespace/{ns}", async (ns, token) =>
        {
            JsonObject live;
            try
            {
                live = await applier.MergePatchAsync(ResourceInfo.Namespaces, null, ns, patch.DeepClone().AsObject(), token).ConfigureAwait(false);
            }
            catch (KubeApiException ex) when (ex.ErrorId == "NotFound")
            {
                throw _api.NamespaceNotFound(ns, ex);
            }

            onResult(Describe(live, at, podsByNamespace.TryGetValue(ns, out var pods) ? pods : Array.Empty<PodFacts>()));
            return new AppliedObject { ApiVersion = "v1", Kind = "Namespace", Name = ns, Action = ApplyAction.Configured, ResourceVersion = (string?)live["metadata"]?["resourceVersion"] };
        }, batch, "Labelling namespaces", ct, continueOnError: true, errorTarget: ns => ns).ConfigureAwait(false);
    }

    /// <summary>
    /// Enabling a revision (or tag) no control plane serves would leave new pods without sidecars: refused
    /// unless forced. Plain istio-injection=enabled with no default revision or tag only warns, since labelling
    /// namespaces before installing Istio is a common order of work.
    /// </summary>
    private async Task CheckServedAsync(InjectionChange change, bool force, OperationCallbacks callbacks, CancellationToken ct)
    {
        if (!change.Enable || force) return;
        var revision = change.Revision ?? "default";
        if (await ServesAsync(revision, ct).ConfigureAwait(false)) return;
        var what = $"no istiod Deployment with {RevisionLabel}={revision}, no injector webhook of that revision and no revision tag '{revision}'";
        if (change.Revision is null)
        {
            callbacks.Warning?.Invoke($"No control plane serves the default revision on {_api.Server} ({what}): new pods in these namespaces start without sidecars until one is installed.");
            return;
        }

        throw new IstioPSException("RevisionNotFound", ErrorKind.ObjectNotFound,
            $"No control plane serves revision '{revision}' on {_api.Server} ({what}); new pods would start without sidecars. Nothing was changed. Install it first, or use -Force.", revision);
    }

    /// <summary>Whether an istiod Deployment of the revision, its injector webhook or a revision tag of that name exists.</summary>
    public async Task<bool> ServesAsync(string revision, CancellationToken ct)
    {
        var istiod = _api.ListAsync(ResourceInfo.Deployments.CollectionPath(null), $"app=istiod,{RevisionLabel}={revision}", ct, pageSize: 1);
        var (webhooks, _) = await _api.ListAsync(ResourceInfo.MutatingWebhookConfigurations.CollectionPath(null), null, ct).ConfigureAwait(false);
        var (deployments, _) = await istiod.ConfigureAwait(false);
        return deployments.Count > 0 || webhooks.Any(w => KubeFormat.Label(w, TagLabel) is { } tag
            ? tag == revision
            : KubeFormat.Label(w, RevisionLabel) == revision);
    }

    public const string TagLabel = "istio.io/tag";

    private static JsonObject Labels(InjectionChange change) => change switch
    {
        { Enable: true, Revision: null } => new JsonObject { [InjectionLabel] = "enabled", [RevisionLabel] = null },
        { Enable: true, Revision: { } rev } => new JsonObject { [RevisionLabel] = rev, [InjectionLabel] = null },
        { Enable: false, Explicit: true } => new JsonObject { [InjectionLabel] = "disabled", [RevisionLabel] = null },
        _ => new JsonObject { [InjectionLabel] = null, [RevisionLabel] = null },
    };

    /// <summary>Istio's rule: istio-injection wins over istio.io/rev. With pods, also which of them need a restart.</summary>
    public static NamespaceInjection Describe(JsonObject ns, DateTimeOffset at, IReadOnlyList<PodFacts>? pods = null)
    {
        var injection = KubeFormat.Label(ns, InjectionLabel);
        var revision = KubeFormat.Label(ns, RevisionLabel);
        var (state, rev, label) = injection switch
        {
            "enabled" => (InjectionState.Enabled, (string?)"default", (string?)$"{InjectionLabel}=enabled"),
            "disabled" => (InjectionState.Disabled, null, $"{InjectionLabel}=disabled"),
            { } other => (InjectionState.NotSet, null, $"{InjectionLabel}={other}"),
            null when revision is not null => (InjectionState.Revision, revision, $"{RevisionLabel}={revision}"),
            _ => (InjectionState.NotSet, null, null),
        };
        var result = new NamespaceInjection
        {
            Namespace = (string?)ns["metadata"]?["name"] ?? "",
            State = state,
            Revision = rev,
            Label = label,
            InjectionLabel = injection,
            RevisionLabel = revision,
            Status = (string?)ns["status"]?["phase"] ?? "Active",
            Created = KubeFormat.Created(ns),
            Age = KubeFormat.AgeOf(ns, at),
        };
        if (pods is null) return result;
        var live = pods.Count(p => p.Live);
        var stale = pods.Where(p => InjectionRules.NeedsRestart(result, p)).Select(p => p.Name).ToList();
        return result with { Pods = live, PodsNeedingRestart = stale.Count, StalePods = stale };
    }
}
