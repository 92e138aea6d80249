using System.Text.Json.Nodes;

namespace IstioPS.Engine.Ownership;

/// <summary>
/// How IstioPS marks what is its own. Every object it applies carries the two labels (selectable by
/// label selectors); the annotation says how the object became IstioPS's: created by it, or adopted
/// with -Adopt from another installer (istioctl, Helm). Uninstall and prune delete only objects whose
/// annotation is present; a namespace is deleted only if IstioPS created it.
/// </summary>
public static class Ownership
{
    /// <summary>Label on every object IstioPS applies; value <see cref="ManagedByValue"/>.</summary>
    public const string ManagedByLabel = "istiops.io/managed-by";

    public const string ManagedByValue = "istiops";

    /// <summary>Label naming the control-plane revision an object belongs to (<see cref="SharedRevision"/> for Istio's base).</summary>
    public const string RevisionLabel = "istiops.io/revision";

    public const string SharedRevision = "shared";

    /// <summary>Label naming the component an object was rendered for (Base, Pilot, IngressGateways, ..., Addons): the scope of pruning.</summary>
    public const string ComponentLabel = "istiops.io/component";

    /// <summary>The revision an object belongs to: Istio's base (CRDs, shared RBAC) belongs to every revision.</summary>
    public static string RevisionOf(string? component, string revision) => component == "Base" ? SharedRevision : revision;

    /// <summary>Annotation saying how the object became IstioPS's: <see cref="Created"/> or <see cref="Adopted"/>.</summary>
    public const string Annotation = "istiops.io/ownership";

    public const string Created = "created";

    public const string Adopted = "adopted";

    /// <summary>The ownership annotation's value on a live object, or null when IstioPS does not own it.</summary>
    public static string? Of(JsonObject obj) => (string?)obj["metadata"]?["annotations"]?[Annotation];

    /// <summary>True when IstioPS created or adopted the object (and so may delete it).</summary>
    public static bool IsOwned(JsonObject obj) => Of(obj) is Created or Adopted;

    /// <summary>
    /// The one answer to "is this ours to delete", for prune and uninstall alike: the object carries IstioPS's
    /// managed-by label, the revision label of <paramref name="revision"/> (any revision when null), and the
    /// ownership annotation. Labels alone are not enough: a user's object that copies them is spared.
    /// </summary>
    public static bool IsOurs(JsonObject obj, string? revision)
    {
        var labels = obj["metadata"]?["labels"];
        return IsOwned(obj)
               && (string?)labels?[ManagedByLabel] == ManagedByValue
               && (revision is null || (string?)labels?[RevisionLabel] == revision);
    }

    /// <summary>True when IstioPS created the object itself (a namespace may be deleted only then).</summary>
    public static bool IsCreatedByIstioPS(JsonObject obj) => Of(obj) == Created;

    /// <summary>
    /// The kinds Install-Istio and istioctl install besides namespaces and CRDs, in the order they are removed
    /// (webhooks first): where Uninstall-Istio looks for what to delete and the plan for what to prune.
    /// </summary>
    public static readonly IReadOnlyList<(string ApiVersion, string Kind)> InstalledKinds = new (string, string)[]
    {
        ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
        ("v1", "Service"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("policy/v1", "PodDisruptionBudget"),
        ("apps/v1", "Deployment"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "StatefulSet"),
        ("batch/v1", "Job"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("v1", "ServiceAccount"),
    };
}
