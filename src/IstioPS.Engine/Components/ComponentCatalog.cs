namespace IstioPS.Engine.Components;

/// <summary>A known Istio component: how to recognise it and what it does, in plain words.</summary>
public sealed record ComponentRole(string Component, string Role, bool Legacy = false);

/// <summary>
/// What each workload in the mesh namespace is, as data: today's components, addons, and the
/// split control plane of Istio 1.0 to 1.4.
/// </summary>
public static class ComponentCatalog
{
    private static readonly (string Key, ComponentRole Role)[] Known =
    {
        ("istiod", new("istiod", "Control plane: service discovery, Envoy configuration, certificates and sidecar injection")),
        ("istio-ingressgateway", new("ingressgateway", "Ingress gateway: Envoy proxy admitting traffic from outside the mesh")),
        ("istio-egressgateway", new("egressgateway", "Egress gateway: Envoy proxy for traffic leaving the mesh")),
        ("istio-cni-node", new("cni", "CNI node agent: sets up pod traffic redirection without init containers")),
        ("ztunnel", new("ztunnel", "Ambient mode node proxy: L4 mTLS tunnel for pods on each node")),
        ("prometheus", new("prometheus", "Addon: Prometheus, collects mesh metrics")),
        ("grafana", new("grafana", "Addon: Grafana, dashboards for mesh metrics")),
        ("jaeger", new("jaeger", "Addon: Jaeger, distributed tracing")),
        ("tracing", new("tracing", "Addon: distributed tracing")),
        ("istio-tracing", new("tracing", "Addon: distributed tracing (Jaeger, Istio 1.0-1.4)", Legacy: true)),
        ("kiali", new("kiali", "Addon: Kiali, mesh topology and configuration console")),
        ("loki", new("loki", "Addon: Loki, log aggregation")),
        ("istio-pilot", new("pilot", "Pilot: Envoy service discovery and traffic configuration (Istio 1.0-1.4)", Legacy: true)),
        ("istio-citadel", new("citadel", "Citadel: certificate management (Istio 1.0-1.4)", Legacy: true)),
        ("istio-galley", new("galley", "Galley: configuration validation (Istio 1.0-1.4)", Legacy: true)),
        ("istio-sidecar-injector", new("sidecar-injector", "Sidecar injector: adds the Envoy sidecar to pods (Istio 1.0-1.4)", Legacy: true)),
        ("istio-policy", new("policy", "Mixer policy: policy checks (Istio 1.0-1.4)", Legacy: true)),
        ("istio-telemetry", new("telemetry", "Mixer telemetry: telemetry collection (Istio 1.0-1.4)", Legacy: true)),
    };

    /// <summary>Gateways are recognised by their `istio` label as well, whatever their name.</summary>
    private static readonly Dictionary<string, string> GatewayLabels = new(StringComparer.Ordinal)
    {
        ["ingressgateway"] = "istio-ingressgateway",
        ["egressgateway"] = "istio-egressgateway",
    };

    /// <summary>The role of a workload; unknown workloads get a plain "Other" role, never dropped.</summary>
    public static ComponentRole Identify(string name, IReadOnlyDictionary<string, string> labels)
    {
        var revision = labels.TryGetValue("istio.io/rev", out var r) ? r : null;
        foreach (var candidate in Candidates(name, labels, revision))
        {
            foreach (var (key, role) in Known)
            {
                if (string.Equals(candidate, key, StringComparison.Ordinal)) return role;
            }
        }

        return new ComponentRole(labels.TryGetValue("app", out var app) ? app : name, "Other workload in the mesh namespace");
    }

    private static IEnumerable<string> Candidates(string name, IReadOnlyDictionary<string, string> labels, string? revision)
    {
        yield return name;
        if (revision is not null && revision != "default" && name.EndsWith("-" + revision, StringComparison.Ordinal))
        {
            yield return name[..^(revision.Length + 1)]; // istiod-canary
        }

        if (labels.TryGetValue("istio", out var istio))
        {
            if (GatewayLabels.TryGetValue(istio, out var gateway)) yield return gateway;
            yield return istio == "pilot" && name.StartsWith("istiod", StringComparison.Ordinal) ? "istiod" : "istio-" + istio;
        }

        if (labels.TryGetValue("app", out var app))
        {
            yield return app;
            if (app == "istiod") yield return "istiod";
        }

        if (labels.TryGetValue("app.kubernetes.io/name", out var appName)) yield return appName;
    }
}
