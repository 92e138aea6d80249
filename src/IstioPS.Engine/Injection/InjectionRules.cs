using System.Text.Json;
using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Injection;

/// <summary>
/// What the injection rules read of a pod, and nothing more, so a scan of a big cluster keeps a few strings
/// per pod: built from a whole pod, or from the metadata a metadata-only list answers (then the sidecar is
/// known by the injector's status annotation, and finished pods were left out by the list's field selector).
/// </summary>
public sealed record PodFacts(string Namespace, string Name, string? InjectOptIn, string? Revision, bool InjectorStatus, bool ProxyContainer, bool Live)
{
    /// <summary>The field selector that leaves finished pods out of a list (kube-apiserver indexes status.phase for pods).</summary>
    public const string LiveFieldSelector = "status.phase!=Succeeded,status.phase!=Failed";

    public static PodFacts From(JsonObject pod)
    {
        var containers = InjectionRules.Containers(pod, "containers").Concat(InjectionRules.Containers(pod, "initContainers"));
        return new PodFacts(
            (string?)pod["metadata"]?["namespace"] ?? "",
            (string?)pod["metadata"]?["name"] ?? "",
            KubeFormat.Label(pod, InjectionRules.PodInjectLabel) ?? KubeFormat.Annotation(pod, InjectionRules.PodInjectLabel),
            KubeFormat.Label(pod, InjectionService.RevisionLabel),
            KubeFormat.Annotation(pod, InjectionRules.InjectorStatusAnnotation) is not null,
            containers.Any(c => (string?)c["name"] == InjectionRules.SidecarContainer),
            pod["metadata"]?["deletionTimestamp"] is null && (string?)pod["status"]?["phase"] is not ("Succeeded" or "Failed"));
    }

    /// <summary>From the <c>metadata</c> of a PartialObjectMetadata item (a list filtered with <see cref="LiveFieldSelector"/>).</summary>
    public static PodFacts FromMetadata(JsonElement metadata, Func<string, string>? intern = null)
    {
        metadata.TryGetProperty("labels", out var labels);
        metadata.TryGetProperty("annotations", out var annotations);
        var ns = KubeApi.StringProperty(metadata, "namespace") ?? "";
        return new PodFacts(
            intern is null ? ns : intern(ns),
            KubeApi.StringProperty(metadata, "name") ?? "",
            KubeApi.StringProperty(labels, InjectionRules.PodInjectLabel) ?? KubeApi.StringProperty(annotations, InjectionRules.PodInjectLabel),
            KubeApi.StringProperty(labels, InjectionService.RevisionLabel),
            KubeApi.StringProperty(annotations, InjectionRules.InjectorStatusAnnotation) is not null,
            false,
            !metadata.TryGetProperty("deletionTimestamp", out var deleting) || deleting.ValueKind == JsonValueKind.Null);
    }
}

/// <summary>
/// Istio's injection rules, as data over labels: namespace istio-injection=disabled beats a pod's
/// sidecar.istio.io/inject=false, which beats namespace istio-injection=enabled or istio.io/rev,
/// which beats a pod's own opt-in (sidecar.istio.io/inject=true or an istio.io/rev label).
/// </summary>
public static class InjectionRules
{
    public const string SidecarContainer = "istio-proxy";
    public const string PodInjectLabel = "sidecar.istio.io/inject";
    public const string InjectorStatusAnnotation = "sidecar.istio.io/status";

    /// <summary>Whether a pod in this namespace should have a sidecar, and from which revision.</summary>
    public static (bool Inject, string? Revision) Expected(NamespaceInjection ns, JsonObject pod) => Expected(ns, PodFacts.From(pod));

    public static (bool Inject, string? Revision) Expected(NamespaceInjection ns, PodFacts pod)
    {
        if (ns.State == InjectionState.Disabled) return (false, null);
        if (pod.InjectOptIn == "false") return (false, null);
        if (ns.State is InjectionState.Enabled or InjectionState.Revision) return (true, ns.Revision ?? "default");
        if (pod.InjectOptIn == "true") return (true, pod.Revision ?? "default");
        if (pod.Revision is not null && !HasSidecar(pod)) return (true, pod.Revision);
        return (false, null);
    }

    /// <summary>Whether a pod has a sidecar, and of which revision (its istio.io/rev label, set by the injector).</summary>
    public static (bool Injected, string? Revision) Actual(PodFacts pod)
        => HasSidecar(pod) ? (true, pod.Revision ?? "default") : (false, null);

    /// <summary>
    /// Injected: the injector's sidecar.istio.io/status annotation, or an istio-proxy container in a pod
    /// that did not opt out. A gateway's own istio-proxy container (its pods say sidecar.istio.io/inject=false)
    /// is the workload itself, not a sidecar.
    /// </summary>
    public static bool HasSidecar(JsonObject pod) => HasSidecar(PodFacts.From(pod));

    public static bool HasSidecar(PodFacts pod) => pod.InjectorStatus || (pod.ProxyContainer && pod.InjectOptIn != "false");

    /// <summary>A running pod whose sidecar presence or revision differs from what its namespace asks for now.</summary>
    public static bool NeedsRestart(NamespaceInjection ns, JsonObject pod) => NeedsRestart(ns, PodFacts.From(pod));

    public static bool NeedsRestart(NamespaceInjection ns, PodFacts pod)
    {
        if (!pod.Live) return false;
        var (inject, revision) = Expected(ns, pod);
        var (injected, actual) = Actual(pod);
        return inject != injected || (inject && revision != actual);
    }

    internal static IEnumerable<JsonObject> Containers(JsonObject pod, string field)
        => (pod["spec"]?[field] as JsonArray)?.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>();
}
