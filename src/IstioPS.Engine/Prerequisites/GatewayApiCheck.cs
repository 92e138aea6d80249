using System.Text.Json;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Prerequisites;

/// <summary>
/// Gateway API CRDs the release cannot use: istiod reads each CRD's <c>gateway.networking.k8s.io/bundle-version</c>
/// annotation and ignores CRDs below its minimum or above its maximum for that kind (then resources of that
/// kind are never processed, and Gateways report no attached routes). Read from CRD metadata only.
/// </summary>
internal static class GatewayApiCheck
{
    public const string BundleAnnotation = "gateway.networking.k8s.io/bundle-version";
    private const string Group = ".gateway.networking.k8s.io";

    public static async Task<IEnumerable<PrerequisiteFinding>> CheckAsync(KubeApi api, PrerequisiteRequest request, CancellationToken ct)
    {
        if (request.ReleaseVersion is not { } release || IstioRequirements.GatewayApiBoundsFor(release) is not { } bounds) return Array.Empty<PrerequisiteFinding>();
        var (crds, _) = await api.ListMetadataAsync(ResourceInfo.CustomResourceDefinitions.CollectionPath(null), meta =>
        {
            var name = KubeApi.StringProperty(meta, "name");
            if (name is null || !name.EndsWith(Group, StringComparison.Ordinal)) return null;
            var bundle = meta.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
                ? KubeApi.StringProperty(annotations, BundleAnnotation) : null;
            return new Tuple<string, string?>(name, bundle);
        }, ct).ConfigureAwait(false);

        var istio = $"Istio {release}";
        var findings = new List<PrerequisiteFinding>();
        foreach (var (name, bundle) in crds.OrderBy(c => c.Item1, StringComparer.Ordinal))
        {
            var minimum = bounds.Bounds.Minimum.GetValueOrDefault(name);
            var maximum = bounds.Bounds.Maximum.GetValueOrDefault(name);
            if (minimum is null && maximum is null) continue;
            var kind = name[..name.IndexOf('.')];
            var source = $"istiod 1.{bounds.Minor}'s CRD watcher";
            if (bundle is null || !TryParse(bundle, out var installed))
            {
                findings.Add(Finding("GatewayApiCrdUnversioned", name,
                    $"The Gateway API CRD {name} has {(bundle is null ? "no" : $"an unreadable ('{bundle}')")} {BundleAnnotation} annotation: {istio} ignores it ({source}), so {kind} are not processed.",
                    "Install the Gateway API CRDs from a Gateway API release (kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/<version>/standard-install.yaml)."));
            }
            else if (minimum is not null && Compare(installed, Parse(minimum)) < 0)
            {
                findings.Add(Finding("GatewayApiCrdTooOld", name,
                    $"The Gateway API CRD {name} is at bundle version {bundle}; {istio} needs {minimum} or later ({source}), and ignores it until then: {kind} are not processed.",
                    $"Upgrade the Gateway API CRDs to v{minimum} or later (the standard-install.yaml of that Gateway API release)."));
            }
            else if (maximum is not null && Compare(installed, Parse(maximum)) > 0)
            {
                findings.Add(Finding("GatewayApiCrdTooNew", name,
                    $"The Gateway API CRD {name} is at bundle version {bundle}; {istio} accepts at most {maximum} ({source}, which watches an API version newer bundles stop serving), and ignores it: {kind} are not processed.",
                    $"Use a newer Istio release, built for this Gateway API version, or keep the Gateway API CRDs at v{maximum} or older while Istio 1.{bounds.Minor} runs."));
            }
        }

        return findings;

        static PrerequisiteFinding Finding(string code, string crd, string message, string remedy) => new()
        {
            Severity = FindingSeverity.Warning, Code = code, Target = $"customresourcedefinition/{crd}", Message = message, Remedy = remedy,
        };
    }

    /// <summary>v1.5.1, 1.5.0-rc.1 (a pre-release counts as its release, as istiod rounds it up).</summary>
    private static bool TryParse(string text, out (int, int, int) version)
    {
        version = default;
        var core = text.TrimStart('v').Split('-', '+')[0].Split('.');
        if (core.Length is < 2 or > 3) return false;
        var parts = new int[3];
        for (var i = 0; i < core.Length; i++)
        {
            if (!int.TryParse(core[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out parts[i])) return false;
        }

        version = (parts[0], parts[1], parts[2]);
        return true;
    }

    private static (int, int, int) Parse(string text) => TryParse(text, out var v) ? v : throw new FormatException(text);

    private static int Compare((int, int, int) a, (int, int, int) b) => a.CompareTo(b);
}
