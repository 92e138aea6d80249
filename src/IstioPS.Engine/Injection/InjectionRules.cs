using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Injection;

/// <summary>
/// Istio's injection rules, as data over labels: namespace istio-injection=disabled beats a pod's
/// sidecar.istio.io/inject=false, which beats namespace istio-injection=enabled or istio.io/rev,
/// which beats a pod's own opt-in (sidecar.istio.io/inject=true or an istio.io/rev label).
/// </summary>
public static class InjectionRules
{
    public const string SidecarContainer = "istio-proxy";
    public const string PodInjectLabel = "sidecar.istio.io/inject";

    /// <summary>Whether a pod in this namespace should have a sidecar, and from which revision.</summary>
    public static (bool Inject, string? Revision) Expected(NamespaceInjection ns, JsonObject pod)
    {
        if (ns.State == InjectionState.Disabled) return (false, null);
        var podInject = KubeFormat.Label(pod, PodInjectLabel) ?? KubeFormat.Annotation(pod, PodInjectLabel);
        if (podInject == "false") return (false, null);
        if (ns.State is InjectionState.Enabled or InjectionState.Revision) return (true, ns.Revision ?? "default");
        var podRevision = KubeFormat.Label(pod, InjectionService.RevisionLabel);
        if (podInject == "true") return (true, podRevision ?? "default");
        if (podRevision is not null && !HasSidecar(pod)) return (true, podRevision);
        return (false, null);
    }

    /// <summary>Whether a pod has a sidecar, and of which revision (its istio.io/rev label, set by the injector).</summary>
    public static (bool Injected, string? Revision) Actual(JsonObject pod)
        => HasSidecar(pod) ? (true, KubeFormat.Label(pod, InjectionService.RevisionLabel) ?? "default") : (false, null);

    /// <summary>
    /// Injected: the injector's sidecar.istio.io/status annotation, or an istio-proxy container in a pod
    /// that did not opt out. A gateway's own istio-proxy container (its pods say sidecar.istio.io/inject=false)
    /// is the workload itself, not a sidecar.
    /// </summary>
    public static bool HasSidecar(JsonObject pod)
    {
        if (KubeFormat.Annotation(pod, "sidecar.istio.io/status") is not null) return true;
        var optedOut = (KubeFormat.Label(pod, PodInjectLabel) ?? KubeFormat.Annotation(pod, PodInjectLabel)) == "false";
        return !optedOut && Containers(pod, "containers").Concat(Containers(pod, "initContainers")).Any(c => (string?)c["name"] == SidecarContainer);
    }

    /// <summary>A running pod whose sidecar presence or revision differs from what its namespace asks for now.</summary>
    public static bool NeedsRestart(NamespaceInjection ns, JsonObject pod)
    {
        if (!IsLive(pod)) return false;
        var (inject, revision) = Expected(ns, pod);
        var (injected, actual) = Actual(pod);
        return inject != injected || (inject && revision != actual);
    }

    /// <summary>Pods that run or are about to (not finished, not being deleted).</summary>
    public static bool IsLive(JsonObject pod)
        => pod["metadata"]?["deletionTimestamp"] is null && (string?)pod["status"]?["phase"] is not ("Succeeded" or "Failed");

    private static IEnumerable<JsonObject> Containers(JsonObject pod, string field)
        => (pod["spec"]?[field] as JsonArray)?.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>();
}
