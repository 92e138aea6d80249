using IstioPS.Engine.Components;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Releases;

namespace IstioPS.Engine.Install;

/// <summary>
/// An install over a control plane of the same revision is an in-place upgrade. Istio supports those one minor
/// version at a time and never backwards; anything else goes through a second revision (canary upgrade).
/// Read-only: it runs before the plan, so a refusal writes nothing.
/// </summary>
public static class UpgradeCheck
{
    /// <summary>
    /// The version the revision's istiod runs in <paramref name="ns"/> (istioctl's version label, else its image's
    /// tag, else its chart's version label); null when that revision has no istiod there or its version cannot be told.
    /// </summary>
    public static async Task<ReleaseVersion?> InstalledVersionAsync(KubeApi api, string ns, string revision, CancellationToken ct)
    {
        var (items, _) = await api.ListAsync(ResourceInfo.Deployments.CollectionPath(ns), "app=istiod", ct).ConfigureAwait(false);
        foreach (var istiod in items)
        {
            var labels = KubeFormat.Labels(istiod).ToDictionary(kv => kv.Key, kv => kv.Value);
            var rev = labels.TryGetValue("istio.io/rev", out var r) && r.Length > 0 ? r : "default";
            if (rev != revision) continue;
            return ReleaseVersion.TryParse(ComponentReader.Version(labels, ComponentReader.Images(istiod)), out var v) ? v : null;
        }

        return null;
    }

    /// <summary>Throws UnsupportedUpgrade for a downgrade or a jump of more than one minor version, unless forced.</summary>
    public static async Task CheckAsync(KubeApi api, string ns, string revision, ReleaseVersion target, bool force,
        Action<string>? verbose, CancellationToken ct)
    {
        var installed = await InstalledVersionAsync(api, ns, revision, ct).ConfigureAwait(false);
        if (installed is null) return;
        var problem = Problem(installed, target);
        if (problem is null)
        {
            if (installed.CompareTo(target) != 0) verbose?.Invoke($"Upgrading revision {revision} in place from {installed} to {target}.");
            return;
        }

        var message = Refusal(ns, revision, installed, target, problem);
        if (force)
        {
            verbose?.Invoke("-Force: " + message);
            return;
        }

        throw new IstioPSException("UnsupportedUpgrade", ErrorKind.InvalidOperation, message, target.Text);
    }

    /// <summary>What the refusal of an unsupported in-place upgrade says (the error here, the prerequisite finding too).</summary>
    public static string Refusal(string ns, string revision, ReleaseVersion installed, ReleaseVersion target, string problem) =>
        $"Revision {revision} in namespace {ns} runs Istio {installed}; installing {target} over it in place would be {problem}. " + RefusalRemedy(target);

    /// <summary>What to do instead of an unsupported in-place upgrade.</summary>
    public static string RefusalRemedy(ReleaseVersion target) =>
        $"In-place upgrades go one minor version up at a time. Install the new version beside it as a new revision instead " +
        $"(Install-Istio -Revision {SuggestedRevision(target)}), move the namespaces to it, then uninstall the old one; or use -Force to upgrade in place anyway.";

    /// <summary>Why installed → target is not a supported in-place upgrade; null when it is (same version, a patch or one minor up).</summary>
    public static string? Problem(ReleaseVersion installed, ReleaseVersion target)
    {
        if (target.CompareTo(installed) < 0) return $"a downgrade";
        if (target.Major != installed.Major) return $"a jump from major version {installed.Major} to {target.Major}";
        var minors = target.Minor - installed.Minor;
        return minors > 1 ? $"a jump of {minors} minor versions" : null;
    }

    /// <summary>Istio's revision naming: 1-30-3 for 1.30.3.</summary>
    public static string SuggestedRevision(ReleaseVersion target) => target.Text.Replace('.', '-');
}
