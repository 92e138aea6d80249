using IstioPS.Engine.Manifests;
using IstioPS.Engine.Plan;
using IstioPS.Engine.Releases;

namespace IstioPS.Engine.Prerequisites;

/// <summary>How much a finding matters: an Error stops Install-Istio before its first write.</summary>
public enum FindingSeverity
{
    Error,
    Warning,
    Info,
}

/// <summary>One thing Test-IstioPrerequisite found about the cluster, and what to do about it.</summary>
public sealed class PrerequisiteFinding
{
    public required FindingSeverity Severity { get; init; }

    /// <summary>Stable PascalCase name of the check's outcome (KubernetesVersionUnsupported, PermissionMissing, ...).</summary>
    public required string Code { get; init; }

    public required string Message { get; init; }

    /// <summary>What to do about it (empty for Info findings that need nothing).</summary>
    public string Remedy { get; init; } = "";

    /// <summary>What the finding is about: the cluster, a verb and resource, a namespace, an object.</summary>
    public string? Target { get; init; }

    /// <summary>The finding as the default view shows it: severity, code, message, and the remedy on its own line.</summary>
    public string Text => $"{Severity,-7} {Code}: {Message}" + (Remedy.Length == 0 ? "" : $"{Environment.NewLine}        {Remedy}");

    public override string ToString() => $"{Severity} {Code}: {Message}";
}

/// <summary>What the prerequisites of one install are checked against: the release, the objects and the plan's writes.</summary>
public sealed class PrerequisiteRequest
{
    public string Namespace { get; init; } = "istio-system";
    public string Revision { get; init; } = "default";

    /// <summary>The release being installed; null for manifest files (then no version-bound check runs).</summary>
    public ReleaseVersion? ReleaseVersion { get; init; }

    /// <summary>The release's folder, where its charts may state the Kubernetes versions they support (Chart.yaml kubeVersion).</summary>
    public string? ReleasePath { get; init; }

    /// <summary>The objects the install applies (its injection webhooks are compared with the stored ones).</summary>
    public IReadOnlyList<ManifestObject> Objects { get; init; } = Array.Empty<ManifestObject>();

    /// <summary>Every write of the install (<see cref="PlanSurvey.Writes"/>): each needs the permission to make it.</summary>
    public IReadOnlyList<PlannedWrite> Writes { get; init; } = Array.Empty<PlannedWrite>();

    /// <summary>-Force: an unsupported in-place upgrade is a warning, not an error.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Whether the input installs (part of) an Istio control plane: Istio's CRDs, istiod (objects labelled app=istiod)
    /// or Istio's webhooks. Only then do other control planes and overlapping injection webhooks concern it; an app's
    /// manifests installed with Install-Istio -ManifestPath do not compete with the mesh they join.
    /// </summary>
    public bool InstallsControlPlane => Objects.Any(o => o.Kind switch
    {
        "CustomResourceDefinition" => o.Name.EndsWith(".istio.io", StringComparison.Ordinal),
        "MutatingWebhookConfiguration" or "ValidatingWebhookConfiguration" =>
            (o.Body["webhooks"] as System.Text.Json.Nodes.JsonArray)?.Any(w => ((string?)w?["name"])?.EndsWith(".istio.io", StringComparison.Ordinal) == true) == true,
        _ => (string?)o.Body["metadata"]?["labels"]?["app"] == "istiod",
    });
}

/// <summary>Install-Istio stops here: the cluster does not meet the install's prerequisites; nothing was written.</summary>
public sealed class PrerequisiteException : IstioPSException
{
    public const string Id = "PrerequisiteNotMet";

    public PrerequisiteException(IReadOnlyList<PrerequisiteFinding> errors)
        : base(Id, errors.All(e => e.Code == PermissionCheck.Code) ? ErrorKind.PermissionDenied : ErrorKind.InvalidOperation,
            $"The cluster does not meet {errors.Count} prerequisite(s) of this install; nothing was written:" + Environment.NewLine
            + string.Join(Environment.NewLine, errors.Select(e => $"  {e.Code}: {e.Message} {e.Remedy}".TrimEnd()))
            + Environment.NewLine + "Test-IstioPrerequisite with the same parameters lists every finding; -SkipPrerequisiteCheck installs anyway.",
            errors[0].Target)
    {
        Findings = errors;
    }

    /// <summary>The Error findings that stopped the install.</summary>
    public IReadOnlyList<PrerequisiteFinding> Findings { get; }
}
