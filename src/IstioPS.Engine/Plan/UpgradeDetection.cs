using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Plan;

/// <summary>
/// Re-running an install is an upgrade. When the revision's control plane is already there (its istiod
/// Deployment exists in the namespace), the release is rendered with <c>.Release.IsUpgrade</c>, as
/// <c>helm upgrade</c> renders it. Istio's charts then leave out what the live istiod manages once it runs:
/// the validating webhooks' <c>failurePolicy</c> (rendered <c>Ignore</c> only on a first install; istiod
/// switches it to <c>Fail</c> when its webhook answers), so a re-install neither takes it back (a fail-open
/// window) nor reports it as drift. The webhooks' <c>caBundle</c> is never rendered, so it is never taken back.
/// </summary>
public static class UpgradeDetection
{
    /// <summary>istiod's Deployment name for a revision: "istiod", or "istiod-&lt;revision&gt;".</summary>
    public static string IstiodName(string? revision) =>
        revision is null or "" or "default" ? "istiod" : $"istiod-{revision}";

    /// <summary>Whether the revision's istiod Deployment exists: then rendering is an upgrade.</summary>
    public static async Task<bool> IsInstalledAsync(KubeApi api, string ns, string? revision, CancellationToken ct) =>
        await api.TryGetAsync(ResourceInfo.Deployments.ObjectPath(ns, IstiodName(revision)), ct).ConfigureAwait(false) is not null;
}
