using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>
/// Required fields kube-apiserver 1.32 checks that the other validation here does not: a Service's port
/// names when it has several, a webhook configuration's clientConfig (url or service), sideEffects and
/// admissionReviewVersions, a PodDisruptionBudget's bounds (minAvailable or maxUnavailable, not both) and
/// unhealthyPodEvictionPolicy, and an autoscaler's target (kind and name).
/// </summary>
public static class RequiredFields
{
    static readonly string[] SideEffects = ["None", "NoneOnDryRun"];
    static readonly string[] EvictionPolicies = ["AlwaysAllow", "IfHealthyBudget"];

    public static IEnumerable<FieldError> Check(ResourceType rt, JsonObject obj)
    {
        if (rt.IsCustom) yield break;
        switch (rt.Group, rt.Kind)
        {
            case ("", "Service"):
            {
                var ports = obj.At("spec", "ports") as JsonArray ?? [];
                var names = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < ports.Count; i++)
                {
                    var name = ports[i].Str("name") ?? "";
                    if (ports.Count > 1 && name.Length == 0) yield return FieldError.Required($"spec.ports[{i}].name", "");
                    else if (name.Length > 0 && !names.Add(name))
                        yield return new FieldError($"spec.ports[{i}].name", "FieldValueDuplicate", $"Duplicate value: \"{name}\"");
                }
                break;
            }
            case ("policy", "PodDisruptionBudget"):
            {
                var spec = obj["spec"] as JsonObject;
                // kube-apiserver prints Go's %#v of the internal spec (pointer addresses included); the type name stands for it.
                if (spec?["minAvailable"] is not null && spec["maxUnavailable"] is not null)
                    yield return new FieldError("spec", "FieldValueInvalid",
                        "Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set");
                if (spec.Str("unhealthyPodEvictionPolicy") is { } policy && !EvictionPolicies.Contains(policy))
                    yield return FieldError.Unsupported("spec.unhealthyPodEvictionPolicy", policy, EvictionPolicies);
                break;
            }
            case ("autoscaling", "HorizontalPodAutoscaler"):
            {
                var target = obj.At("spec", "scaleTargetRef");
                if (string.IsNullOrEmpty(target.Str("kind"))) yield return FieldError.Required("spec.scaleTargetRef.kind", "");
                if (string.IsNullOrEmpty(target.Str("name"))) yield return FieldError.Required("spec.scaleTargetRef.name", "");
                break;
            }
            case ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration" or "MutatingWebhookConfiguration"):
            {
                var hooks = obj["webhooks"] as JsonArray ?? [];
                for (var i = 0; i < hooks.Count; i++)
                {
                    var hook = hooks[i];
                    var prefix = $"webhooks[{i}]";
                    var client = hook?["clientConfig"] as JsonObject;
                    if ((client?["url"] is null) == (client?["service"] is null))
                        yield return FieldError.Required(prefix + ".clientConfig", "exactly one of url or service is required");
                    var sideEffects = hook.Str("sideEffects");
                    if (string.IsNullOrEmpty(sideEffects))
                        yield return FieldError.Required(prefix + ".sideEffects", "must specify one of None, NoneOnDryRun");
                    else if (!SideEffects.Contains(sideEffects))
                        yield return FieldError.Unsupported(prefix + ".sideEffects", sideEffects, SideEffects);
                    if (hook?["admissionReviewVersions"] is not JsonArray { Count: > 0 })
                        yield return FieldError.Required(prefix + ".admissionReviewVersions", "must specify one of v1, v1beta1");
                }
                break;
            }
        }
    }
}
