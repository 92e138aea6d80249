namespace IstioPS.Rendering.Istio;

/// <summary>One istioctl component: its IstioOperator spec name, chart and Helm values root.</summary>
public sealed class IstioComponentInfo
{
    internal IstioComponentInfo(string name, string specName, bool isDefault, bool multi, string? resourceType, string? resourceName,
        string? containerName, string helmSubdir, string valuesRoot, bool flattenValues, string? altEnablementPath, string[] dependsOn)
    {
        Name = name; SpecName = specName; Default = isDefault; Multi = multi; ResourceType = resourceType; ResourceName = resourceName;
        ContainerName = containerName; HelmSubdir = helmSubdir; ValuesRoot = valuesRoot; FlattenValues = flattenValues;
        AltEnablementPath = altEnablementPath; DependsOn = dependsOn;
    }

    /// <summary>User-facing name: Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel.</summary>
    public string Name { get; }
    public string SpecName { get; }
    public bool Default { get; }
    public bool Multi { get; }
    public string? ResourceType { get; }
    public string? ResourceName { get; }
    public string? ContainerName { get; }
    /// <summary>Chart folder under manifests/charts.</summary>
    public string HelmSubdir { get; }
    public string ValuesRoot { get; }
    public bool FlattenValues { get; }
    public string? AltEnablementPath { get; }
    /// <summary>Components that must be installed (and ready) before this one.</summary>
    public IReadOnlyList<string> DependsOn { get; }
    public bool IsGateway => Name is "IngressGateways" or "EgressGateways";
}

/// <summary>The components istioctl knows, in rendering order; <see cref="InstallOrder"/> is the dependency order.</summary>
public static class IstioComponents
{
    public const string Base = "Base";
    public const string Pilot = "Pilot";
    public const string IngressGateways = "IngressGateways";
    public const string EgressGateways = "EgressGateways";
    public const string Cni = "Cni";
    public const string Ztunnel = "Ztunnel";

    public static IReadOnlyList<IstioComponentInfo> All { get; } = new[]
    {
        new IstioComponentInfo(Base, "base", true, false, null, null, null, "base", "global", false, null, Array.Empty<string>()),
        new IstioComponentInfo(Pilot, "pilot", true, false, "Deployment", "istiod", "discovery", "istio-control/istio-discovery", "pilot", false, null, new[] { Base }),
        new IstioComponentInfo(IngressGateways, "ingressGateways", true, true, "Deployment", "istio-ingressgateway", "istio-proxy", "gateways/istio-ingress",
            "gateways.istio-ingressgateway", false, "spec.values.gateways.istio-ingressgateway.enabled", new[] { Pilot }),
        new IstioComponentInfo(EgressGateways, "egressGateways", false, true, "Deployment", "istio-egressgateway", "istio-proxy", "gateways/istio-egress",
            "gateways.istio-egressgateway", false, "spec.values.gateways.istio-egressgateway.enabled", new[] { Pilot }),
        new IstioComponentInfo(Cni, "cni", false, false, "DaemonSet", "istio-cni-node", "install-cni", "istio-cni", "cni", false, null, new[] { Pilot }),
        new IstioComponentInfo(Ztunnel, "ztunnel", false, false, "DaemonSet", "ztunnel", "istio-proxy", "ztunnel", "ztunnel", true, null, new[] { Cni }),
    };

    /// <summary>Install order: base, pilot, gateways, then cni before ztunnel.</summary>
    public static IReadOnlyList<string> InstallOrder { get; } = new[] { Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel };

    public static IstioComponentInfo? Find(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase) ||
                                string.Equals(c.SpecName, name, StringComparison.OrdinalIgnoreCase));
}
