using System.Net;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Prerequisites;

/// <summary>
/// The prerequisites of an install, checked before its first write: the cluster's Kubernetes version against the
/// release's minimum, the permission for every write the plan makes, control planes already there (another
/// revision or version, a managed Istio), overlapping injection webhooks and Gateway API CRDs the release cannot
/// use. Sends only reads and SelfSubjectAccessReviews (which store nothing). Findings come ordered: errors first.
/// </summary>
public sealed class PrerequisiteChecker
{
    private delegate Task<IEnumerable<PrerequisiteFinding>> Check(KubeApi api, PrerequisiteRequest request, CancellationToken ct);

    private static readonly (string Name, Check Run)[] Checks =
    {
        ("the Kubernetes version", KubernetesVersionCheck.CheckAsync),
        ("permissions", PermissionCheck.CheckAsync),
        ("control planes already installed", ControlPlaneCheck.CheckAsync),
        ("injection webhooks", InjectionWebhookCheck.CheckAsync),
        ("Gateway API CRDs", GatewayApiCheck.CheckAsync),
    };

    private readonly KubeApi _api;

    public PrerequisiteChecker(KubeApi api) => _api = api;

    public async Task<IReadOnlyList<PrerequisiteFinding>> CheckAsync(PrerequisiteRequest request, CancellationToken ct)
    {
        var results = await Task.WhenAll(Checks.Select(c => RunAsync(c.Name, c.Run, request, ct))).ConfigureAwait(false);
        return results.SelectMany(r => r).OrderBy(f => f.Severity).ThenBy(f => f.Code, StringComparer.Ordinal)
            .ThenBy(f => f.Target, StringComparer.Ordinal).ToList();
    }

    /// <summary>One check; a read the user may not make turns into a warning that says what went unchecked.</summary>
    private async Task<IEnumerable<PrerequisiteFinding>> RunAsync(string name, Check check, PrerequisiteRequest request, CancellationToken ct)
    {
        try
        {
            return await check(_api, request, ct).ConfigureAwait(false);
        }
        catch (KubeApiException ex) when (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
        {
            return new[]
            {
                new PrerequisiteFinding
                {
                    Severity = FindingSeverity.Warning, Code = "PrerequisiteNotChecked", Target = name,
                    Message = $"The check of {name} could not read what it needs: {ex.Message}",
                    Remedy = "Run Test-IstioPrerequisite with a context that may read the cluster, or check it by hand.",
                },
            };
        }
    }
}
