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

    private readonly KubeApi api;
    private readonly Func<DateTimeOffset> now;

    public InjectionService(KubeApi api, Func<DateTimeOffset>? now = null)
    {
        this.api = api;
        this.now = now ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>Namespaces matching the patterns (all when none): exact names are read one by one, wildcards from one paged list.</summary>
    public async Task<IReadOnlyList<NamespaceInjection>> GetAsync(IReadOnlyList<string>? patterns, Action<IstioPSException>? notFound, CancellationToken ct)
    {
        var at = now();
        if (patterns is { Count: > 0 } && patterns.All(p => !Glob.HasWildcards(p)))
        {
            var found = new List<NamespaceInjection>();
            foreach (var name in patterns.Distinct(StringComparer.Ordinal))
            {
                var ns = await api.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, name), ct).ConfigureAwait(false);
                if (ns is null)
                {
                    notFound?.Invoke(new IstioPSException("NamespaceNotFound", ErrorKind.ObjectNotFound, $"The namespace '{name}' does not exist on {api.Server}.", name));
                }
                else
                {
                    var (pods, _) = await api.ListAsync(ResourceInfo.Pods.CollectionPath(name), null, ct).ConfigureAwait(false);
                    found.Add(Describe(ns, at, pods));
                }
            }

            return found;
        }

        var globs = patterns?.Select(p => new Glob(p)).ToList();
        var namespacesTask = api.ListAsync(ResourceInfo.Namespaces.CollectionPath(null), null, ct);
        var podsTask = PodsByNamespaceAsync(ct);
        var (items, _) = await namespacesTask.ConfigureAwait(false);
        var podsByNamespace = await podsTask.ConfigureAwait(false);
        return items.Where(ns => Glob.AnyMatch(globs, (string?)ns["metadata"]?["name"] ?? ""))
            .Select(ns => Describe(ns, at, podsByNamespace.TryGetValue((string?)ns["metadata"]?["name"] ?? "", out var p) ? p : new List<JsonObject>()))
            .OrderBy(n => n.Namespace, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every pod of the cluster, grouped by namespace: one paged list.</summary>
    private async Task<Dictionary<string, List<JsonObject>>> PodsByNamespaceAsync(CancellationToken ct)
    {
        var (pods, _) = await api.ListAsync(ResourceInfo.Pods.CollectionPath(null), null, ct).ConfigureAwait(false);
        return pods.GroupBy(p => (string?)p["metadata"]?["namespace"] ?? "").ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    /// <summary>
    /// Sets or removes the labels on many namespaces at once (bounded concurrency). Each namespace is
    /// asked about through ShouldProcess before any write; per-namespace failures go to <paramref name="onError"/>.
    /// </summary>
    public async Task SetAsync(IReadOnlyList<string> namespaces, InjectionChange change, bool force, OperationCallbacks callbacks,
        Action<NamespaceInjection> onResult, Action<IstioPSException> onError, CancellationToken ct, int concurrency = 16)
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
        var podsByNamespace = await PodsByNamespaceAsync(ct).ConfigureAwait(false);
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = Labels(change) } };
        var applier = new Applier(api, concurrency);
        var done = 0;
        var at = now();
        await applier.ForEachAsync(approved, async (ns, token) =>
        {
            try
            {
                var live = await applier.MergePatchAsync(ResourceInfo.Namespaces, null, ns, patch.DeepClone().AsObject(), token).ConfigureAwait(false);
                onResult(Describe(live, at, podsByNamespace.TryGetValue(ns, out var pods) ? pods : new List<JsonObject>()));
            }
            catch (KubeApiException ex) when (ex.ErrorId == "NotFound")
            {
                onError(new IstioPSException("NamespaceNotFound", ErrorKind.ObjectNotFound, $"The namespace '{ns}' does not exist on {api.Server}.", ns, ex));
            }
            catch (KubeApiException ex)
            {
                onError(new IstioPSException(ex.ErrorId, ex.Kind, $"namespace/{ns}: {ex.Message}", ns, ex));
            }

            var count = Interlocked.Increment(ref done);
            callbacks.Progress?.Report(new OperationProgress($"Labelling namespaces: {count} of {approved.Count}", count * 100 / approved.Count, ns));
        }, ct).ConfigureAwait(false);
    }

    private static JsonObject Labels(InjectionChange change) => change switch
    {
        { Enable: true, Revision: null } => new JsonObject { [InjectionLabel] = "enabled", [RevisionLabel] = null },
        { Enable: true, Revision: { } rev } => new JsonObject { [RevisionLabel] = rev, [InjectionLabel] = null },
        { Enable: false, Explicit: true } => new JsonObject { [InjectionLabel] = "disabled", [RevisionLabel] = null },
        _ => new JsonObject { [InjectionLabel] = null, [RevisionLabel] = null },
    };

    /// <summary>Istio's rule: istio-injection wins over istio.io/rev. With pods, also which of them need a restart.</summary>
    public static NamespaceInjection Describe(JsonObject ns, DateTimeOffset at, IReadOnlyList<JsonObject>? pods = null)
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
        var live = pods.Where(InjectionRules.IsLive).ToList();
        var stale = live.Where(p => InjectionRules.NeedsRestart(result, p)).Select(p => (string?)p["metadata"]?["name"] ?? "").ToList();
        return result with { Pods = live.Count, PodsNeedingRestart = stale.Count, StalePods = stale };
    }
}
