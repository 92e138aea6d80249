using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>
/// Required fields kube-apiserver 1.32 checks that the other validation here does not: a Service's port
/// names when it has several, and a webhook configuration's clientConfig (url or service), sideEffects and
/// admissionReviewVersions.
/// </summary>
public static class RequiredFields
{
    static readonly string[] SideEffects = ["None", "NoneOnDryRun"];

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
