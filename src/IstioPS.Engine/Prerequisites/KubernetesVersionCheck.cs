using System.Text.RegularExpressions;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Prerequisites;

/// <summary>The cluster's Kubernetes version (<c>/version</c>) against the oldest one the release supports.</summary>
internal static partial class KubernetesVersionCheck
{
    public const string Unsupported = "KubernetesVersionUnsupported";

    [GeneratedRegex(@"^\d+")]
    private static partial Regex LeadingDigits();

    public static async Task<IEnumerable<PrerequisiteFinding>> CheckAsync(KubeApi api, PrerequisiteRequest request, CancellationToken ct)
    {
        if (request.ReleaseVersion is not { } release) return Array.Empty<PrerequisiteFinding>();
        var info = await api.GetAsync("/version", ct).ConfigureAwait(false);
        var gitVersion = (string?)info["gitVersion"] ?? "";
        // Managed clusters report minors like "32+" (GKE, EKS): the digits are the version.
        var major = LeadingDigits().Match((string?)info["major"] ?? "");
        var minor = LeadingDigits().Match((string?)info["minor"] ?? "");
        if (!major.Success || !minor.Success || major.Value != "1")
        {
            return new[] { Finding(FindingSeverity.Warning, "KubernetesVersionUnknown", $"The cluster at {api.Server.ToString().TrimEnd('/')} reports the version '{gitVersion}', which IstioPS cannot compare.", "Check the cluster's Kubernetes version against Istio's supported releases (https://istio.io/latest/docs/releases/supported-releases/).") };
        }

        var kube = int.Parse(minor.Value, System.Globalization.CultureInfo.InvariantCulture);
        var shown = gitVersion.Length > 0 ? $"1.{kube} ({gitVersion})" : $"1.{kube}";
        if (IstioRequirements.MinimumKubernetesMinor(release, request.ReleasePath) is not { } needed)
        {
            return new[] { Finding(FindingSeverity.Info, "KubernetesVersion", $"The cluster runs Kubernetes {shown}; IstioPS does not know the oldest Kubernetes version Istio {release} supports.") };
        }

        if (kube >= needed.Minor)
        {
            return new[] { Finding(FindingSeverity.Info, "KubernetesVersion", $"The cluster runs Kubernetes {shown}; Istio {release} needs 1.{needed.Minor} or later ({needed.Source}).") };
        }

        var older = IstioRequirements.NewestIstioFor(kube) is { } istio && istio < release.Minor ? $", or install Istio 1.{istio}, the newest release that supports Kubernetes 1.{kube}" : "";
        return new[]
        {
            Finding(FindingSeverity.Error, Unsupported,
                $"The cluster at {api.Server.ToString().TrimEnd('/')} runs Kubernetes {shown}; Istio {release} needs Kubernetes 1.{needed.Minor} or later ({needed.Source}).",
                $"Upgrade the cluster to Kubernetes 1.{needed.Minor} or later{older}."),
        };

        static PrerequisiteFinding Finding(FindingSeverity severity, string code, string message, string remedy = "")
            => new() { Severity = severity, Code = code, Message = message, Remedy = remedy, Target = "cluster" };
    }
}
