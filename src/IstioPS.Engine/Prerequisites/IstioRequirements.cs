using System.Text.RegularExpressions;
using IstioPS.Engine.Releases;

namespace IstioPS.Engine.Prerequisites;

/// <summary>
/// What each Istio minor release asks of the cluster, as Istio's own code records it. Istio's charts state no
/// Kubernetes version (their Chart.yaml has no kubeVersion) and a release archive's only record is compiled into
/// istioctl, so these tables are the fallback: each entry was read from the release's tag in istio/istio.
/// </summary>
public static partial class IstioRequirements
{
    /// <summary>
    /// The oldest Kubernetes minor version each Istio minor supports: istioctl's <c>MinK8SVersion</c>
    /// (istioctl/pkg/install/k8sversion/version.go), which `istioctl install` and `istioctl x precheck` check.
    /// </summary>
    private static readonly SortedDictionary<int, int> MinimumKubernetes = new()
    {
        [18] = 24, [19] = 25, [20] = 25, [21] = 26, [22] = 26, [23] = 26, [24] = 28,
        [25] = 29, [26] = 29, [27] = 29, [28] = 30, [29] = 30, [30] = 32,
    };

    /// <summary>
    /// The Gateway API bundle versions (the CRDs' <c>gateway.networking.k8s.io/bundle-version</c> annotation) istiod
    /// accepts per CRD: below the minimum or above the maximum its CRD watcher ignores the CRD, and resources of that
    /// kind are never processed. Read from pkg/kube/kclient/crdwatcher.go (minimumCRDVersions, MaximumCRDVersions)
    /// and, from 1.30, pkg/config/schema/gatewayapi/minimumversions.go.
    /// </summary>
    private static readonly SortedDictionary<int, GatewayApiBounds> GatewayApi = new()
    {
        [26] = new(new() { ["grpcroutes.gateway.networking.k8s.io"] = "1.1.0" }, new()),
        [27] = new(new() { ["grpcroutes.gateway.networking.k8s.io"] = "1.1.0" }, new() { ["tlsroutes.gateway.networking.k8s.io"] = "1.4.0" }),
        [28] = new(new() { ["grpcroutes.gateway.networking.k8s.io"] = "1.1.0", ["backendtlspolicies.gateway.networking.k8s.io"] = "1.4.0" },
            new() { ["tlsroutes.gateway.networking.k8s.io"] = "1.4.1" }),
        [29] = new(new() { ["grpcroutes.gateway.networking.k8s.io"] = "1.1.0", ["backendtlspolicies.gateway.networking.k8s.io"] = "1.4.0" },
            new() { ["tlsroutes.gateway.networking.k8s.io"] = "1.4.1" }),
        [30] = new(new()
        {
            ["grpcroutes.gateway.networking.k8s.io"] = "1.1.0", ["backendtlspolicies.gateway.networking.k8s.io"] = "1.4.0",
            ["tlsroutes.gateway.networking.k8s.io"] = "1.5.0",
        }, new()),
    };

    /// <summary>The Gateway API bundle versions one Istio minor accepts, CRD by CRD (inclusive bounds).</summary>
    public sealed record GatewayApiBounds(Dictionary<string, string> Minimum, Dictionary<string, string> Maximum);

    /// <summary>The oldest Kubernetes minor (1.x) the release supports, and where that was read; null when unknown.</summary>
    public static (int Minor, string Source)? MinimumKubernetesMinor(ReleaseVersion release, string? releasePath)
    {
        if (releasePath is not null && FromCharts(releasePath) is { } stated) return stated;
        if (release.Major != 1) return null;
        if (MinimumKubernetes.TryGetValue(release.Minor, out var minor))
        {
            return (minor, $"MinK8SVersion of istioctl {release.Major}.{release.Minor}, istioctl/pkg/install/k8sversion/version.go");
        }

        var newest = MinimumKubernetes.Keys.Max();
        return release.Minor > newest
            ? (MinimumKubernetes[newest], $"assumed: at least istioctl 1.{newest}'s MinK8SVersion, the newest IstioPS knows")
            : null;
    }

    /// <summary>The newest Istio minor release (1.x) that still supports a Kubernetes minor version, from the table.</summary>
    public static int? NewestIstioFor(int kubernetesMinor)
    {
        var fitting = MinimumKubernetes.Where(kv => kv.Value <= kubernetesMinor).Select(kv => kv.Key).ToList();
        return fitting.Count == 0 ? null : fitting.Max();
    }

    /// <summary>The Gateway API bounds of the release's minor (the newest known for a newer release); null before 1.26.</summary>
    public static (GatewayApiBounds Bounds, int Minor)? GatewayApiBoundsFor(ReleaseVersion release)
    {
        if (release.Major != 1 || release.Minor < GatewayApi.Keys.Min()) return null;
        var minor = Math.Min(release.Minor, GatewayApi.Keys.Max());
        return (GatewayApi[minor], minor);
    }

    [GeneratedRegex(@"^kubeVersion:\s*[""']?\s*>=?\s*v?1\.(\d+)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex KubeVersionConstraint();

    /// <summary>A `kubeVersion: &gt;=1.x` constraint in one of the release's charts (Helm refuses older clusters then).</summary>
    private static (int Minor, string Source)? FromCharts(string releasePath)
    {
        var charts = Path.Combine(releasePath, "manifests", "charts");
        if (!Directory.Exists(charts)) return null;
        (int Minor, string Source)? found = null;
        foreach (var file in Directory.EnumerateFiles(charts, "Chart.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var m = KubeVersionConstraint().Match(File.ReadAllText(file));
            if (m.Success && int.TryParse(m.Groups[1].Value, out var minor) && (found is null || minor > found.Value.Minor))
            {
                found = (minor, $"kubeVersion in {Path.GetRelativePath(releasePath, file).Replace('\\', '/')}");
            }
        }

        return found;
    }
}
