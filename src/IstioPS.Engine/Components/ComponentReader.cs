using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Components;

/// <summary>Reads what runs in the mesh namespace: workloads with their pods, or the pods alone.</summary>
public sealed class ComponentReader
{
    private static readonly ResourceInfo[] WorkloadResources = { ResourceInfo.Deployments, ResourceInfo.DaemonSets, ResourceInfo.StatefulSets };
    private readonly KubeApi _api;
    private readonly Func<DateTimeOffset> _now;

    public ComponentReader(KubeApi api, Func<DateTimeOffset>? now = null)
    {
        _api = api;
        _now = now ?? (() => DateTimeOffset.UtcNow);
    }

    public async Task<IReadOnlyList<IstioComponent>> GetComponentsAsync(string ns, CancellationToken ct)
    {
        var podsTask = _api.ListAsync(ResourceInfo.Pods.CollectionPath(ns), null, ct);
        var workloadTasks = WorkloadResources.Select(r => _api.ListAsync(r.CollectionPath(ns), null, ct)).ToArray();
        await Task.WhenAll(workloadTasks.Append<Task>(podsTask)).ConfigureAwait(false);
        var pods = podsTask.Result.Items;
        var at = _now();
        var result = new List<IstioComponent>();
        for (var i = 0; i < WorkloadResources.Length; i++)
        {
            foreach (var w in workloadTasks[i].Result.Items)
            {
                result.Add(Describe(WorkloadResources[i].Kind, w, pods, at));
            }
        }

        if (result.Count == 0 && pods.Count == 0) await EnsureNamespaceAsync(ns, ct).ConfigureAwait(false);
        return result.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Kind, StringComparer.Ordinal).ToList();
    }

    /// <summary>An empty answer for a namespace that does not exist says so (asked only when nothing was found).</summary>
    private async Task EnsureNamespaceAsync(string ns, CancellationToken ct)
    {
        if (await _api.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, ns), ct).ConfigureAwait(false) is null)
        {
            throw _api.NamespaceNotFound(ns);
        }
    }

    public async Task<IReadOnlyList<IstioPod>> GetPodsAsync(string ns, CancellationToken ct)
    {
        var pods = (await _api.ListAsync(ResourceInfo.Pods.CollectionPath(ns), null, ct).ConfigureAwait(false)).Items;
        if (pods.Count == 0) await EnsureNamespaceAsync(ns, ct).ConfigureAwait(false);
        var at = _now();
        return pods.Select(p => PodStatus.ToPod(p, at, ComponentCatalog.Identify(Name(p), Labels(p)).Component))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    private static IstioComponent Describe(string kind, JsonObject workload, List<JsonObject> allPods, DateTimeOffset at)
    {
        var name = Name(workload);
        var labels = Labels(workload);
        var templateLabels = (workload["spec"]?["template"]?["metadata"]?["labels"] as JsonObject)?
            .Where(kv => kv.Value is JsonValue).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString()) ?? new Dictionary<string, string>();
        var merged = new Dictionary<string, string>(templateLabels);
        foreach (var (k, v) in labels) merged[k] = v;
        var role = ComponentCatalog.Identify(name, merged);
        var selector = workload["spec"]?["selector"] as JsonObject;
        var pods = allPods.Where(p => KubeFormat.SelectorMatches(selector, p)).ToList();
        var readiness = WorkloadStatus.Evaluate(kind, workload);
        var images = Images(workload);
        return new IstioComponent
        {
            Name = name,
            Namespace = (string?)workload["metadata"]?["namespace"] ?? "",
            Kind = kind,
            Component = role.Component,
            Role = role.Role,
            Legacy = role.Legacy,
            Ready = $"{readiness.ReadyCount}/{readiness.Desired}",
            ReadyReplicas = (int)readiness.ReadyCount,
            Replicas = (int)readiness.Desired,
            Status = Status(readiness, pods),
            Restarts = pods.Sum(p => PodStatus.Restarts(p, out _)),
            Created = KubeFormat.Created(workload),
            Age = KubeFormat.AgeOf(workload, at),
            Version = Version(merged, images),
            Revision = merged.TryGetValue("istio.io/rev", out var rev) ? rev : null,
            Images = images,
        };
    }

    /// <summary>Running when ready; otherwise the first pod problem (ImagePullBackOff, CrashLoopBackOff) or Progressing/Pending.</summary>
    private static string Status(WorkloadReadiness readiness, List<JsonObject> pods)
    {
        if (readiness.Desired == 0 && readiness.Ready) return "ScaledToZero";
        if (readiness.Ready) return "Running";
        if (readiness.Failed) return "Failed";
        foreach (var pod in pods)
        {
            var status = PodStatus.Status(pod);
            if (status is not ("Running" or "Completed" or "Pending" or "ContainerCreating" or "PodInitializing")) return status;
        }

        return pods.Count == 0 ? "Pending" : pods.Any(p => PodStatus.Status(p) == "Running") ? "Progressing" : PodStatus.Status(pods[0]);
    }

    /// <summary>
    /// The version a workload runs: istioctl's operator.istio.io/version label, else its first image's tag when that
    /// is a version (what actually runs: charts from Istio's source tree label 1.0.0 while the images carry the
    /// release's tag), else the app.kubernetes.io/version or version label, else any image tag.
    /// </summary>
    internal static string? Version(IReadOnlyDictionary<string, string> labels, IReadOnlyList<string> images)
    {
        if (labels.TryGetValue("operator.istio.io/version", out var stamped) && !string.IsNullOrEmpty(stamped)) return stamped;
        var tags = images.Select(ImageTag).OfType<string>().ToList();
        if (tags.FirstOrDefault(t => Releases.ReleaseVersion.TryParse(t, out _)) is { } version) return version;
        foreach (var key in new[] { "app.kubernetes.io/version", "version" })
        {
            if (labels.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v)) return v;
        }

        return tags.FirstOrDefault();
    }

    /// <summary>The images of a workload's containers, in order.</summary>
    internal static List<string> Images(JsonObject workload) =>
        (workload["spec"]?["template"]?["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>()
            .Select(c => (string?)c["image"]).OfType<string>().ToList() ?? new List<string>();

    private static string? ImageTag(string image)
    {
        var at = image.IndexOf('@');
        var reference = at >= 0 ? image[..at] : image;
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') && colon < reference.Length - 1 ? reference[(colon + 1)..] : null;
    }

    private static string Name(JsonObject o) => (string?)o["metadata"]?["name"] ?? "";

    private static Dictionary<string, string> Labels(JsonObject o) => KubeFormat.Labels(o).ToDictionary(kv => kv.Key, kv => kv.Value);
}
