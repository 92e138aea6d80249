namespace IstioPS.Engine.Kube;

/// <summary>A served resource: where a kind lives in the API.</summary>
public sealed record ResourceInfo(string Group, string Version, string Kind, string Plural, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupVersionPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    /// <summary>The collection path; for a namespaced resource with no namespace, all namespaces.</summary>
    public string CollectionPath(string? ns)
        => Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{GroupVersionPath}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}"
            : $"{GroupVersionPath}/{Plural}";

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";

    /// <summary>kubectl's way to name the resource: deployment.apps, service, customresourcedefinition.apiextensions.k8s.io.</summary>
    public string DisplayKind => Group.Length == 0 ? Kind.ToLowerInvariant() : $"{Kind.ToLowerInvariant()}.{Group}";

    public static readonly ResourceInfo Namespaces = new("", "v1", "Namespace", "namespaces", false);
    public static readonly ResourceInfo Pods = new("", "v1", "Pod", "pods", true);
    public static readonly ResourceInfo Deployments = new("apps", "v1", "Deployment", "deployments", true);
    public static readonly ResourceInfo DaemonSets = new("apps", "v1", "DaemonSet", "daemonsets", true);
    public static readonly ResourceInfo StatefulSets = new("apps", "v1", "StatefulSet", "statefulsets", true);
    public static readonly ResourceInfo MutatingWebhookConfigurations = new("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false);
    public static readonly ResourceInfo CustomResourceDefinitions = new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false);
}
