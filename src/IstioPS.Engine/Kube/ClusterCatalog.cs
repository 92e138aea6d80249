using k8s;

namespace IstioPS.Engine.Kube;

/// <summary>
/// Short reads of names for tab completion: contexts of a kubeconfig, namespaces, Istio revisions and
/// tags (from the injector webhooks' istio.io/rev and istio.io/tag labels), components and pods.
/// </summary>
public static class ClusterCatalog
{
    public const string RevisionLabel = "istio.io/rev";
    public const string TagLabel = "istio.io/tag";

    /// <summary>The context names of the kubeconfig (or of the default one: $KUBECONFIG, then ~/.kube/config).</summary>
    public static IReadOnlyList<string> Contexts(string? kubeconfig)
    {
        var path = string.IsNullOrEmpty(kubeconfig) ? KubeconfigResolver.DefaultPath(out _) : Path.GetFullPath(kubeconfig);
        if (path is null || !File.Exists(path)) return Array.Empty<string>();
        var model = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path));
        return model.Contexts?.Select(c => c.Name).Where(n => !string.IsNullOrEmpty(n)).OrderBy(n => n, StringComparer.Ordinal).ToList()
               ?? (IReadOnlyList<string>)Array.Empty<string>();
    }

    public static async Task<IReadOnlyList<string>> NamespacesAsync(KubeApi api, CancellationToken ct)
        => Names((await api.ListAsync(ResourceInfo.Namespaces.CollectionPath(null), null, ct).ConfigureAwait(false)).Items);

    /// <summary>Installed revisions and revision tags: the values of istio.io/rev and istio.io/tag on the sidecar injector webhooks.</summary>
    public static async Task<IReadOnlyList<string>> RevisionsAsync(KubeApi api, CancellationToken ct)
    {
        var (webhooks, _) = await api.ListAsync("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", RevisionLabel, ct).ConfigureAwait(false);
        return webhooks.SelectMany(w => new[] { KubeFormat.Label(w, TagLabel), KubeFormat.Label(w, RevisionLabel) })
            .OfType<string>().Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).OrderBy(v => v, StringComparer.Ordinal).ToList();
    }

    public static async Task<IReadOnlyList<string>> PodsAsync(KubeApi api, string ns, CancellationToken ct)
        => Names((await api.ListAsync(ResourceInfo.Pods.CollectionPath(ns), null, ct).ConfigureAwait(false)).Items);

    private static IReadOnlyList<string> Names(IEnumerable<System.Text.Json.Nodes.JsonObject> items)
        => items.Select(i => (string?)i["metadata"]?["name"]).OfType<string>().OrderBy(n => n, StringComparer.Ordinal).ToList();
}
