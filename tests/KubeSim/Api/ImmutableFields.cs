using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>
/// The update validation kube-apiserver does for fields that may not change once set: a workload's
/// <c>spec.selector</c> (Deployment, ReplicaSet, DaemonSet, StatefulSet), a Service's <c>spec.clusterIP</c>,
/// and a StatefulSet's spec beyond the fields it allows to change (a changed or dropped value). The update is
/// refused with 422 Invalid whose cause names the field, beside any other validation error, as the real server
/// answers (dry runs included).
/// </summary>
public static class ImmutableFields
{
    static readonly string[] StatefulSetMutable = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

    /// <summary>One error per immutable field of <paramref name="old"/> that <paramref name="next"/> changes.</summary>
    public static IReadOnlyList<FieldError> Errors(ResourceType rt, JsonObject old, JsonObject next)
    {
        var errors = new List<FieldError>();
        switch ((rt.Group, rt.Kind))
        {
            case ("apps", "Deployment" or "ReplicaSet" or "DaemonSet"):
                Unchanged(old, next, errors, "spec", "selector");
                break;
            case ("apps", "StatefulSet"):
                Unchanged(old, next, errors, "spec", "selector");
                if (errors.Count == 0 && StatefulSetSpecChanged(old, next))
                {
                    errors.Add(new FieldError("spec", "FieldValueForbidden",
                        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
                }

                break;
            case ("", "Service"):
                var before = old.At("spec", "clusterIP").AsString();
                var after = next.At("spec", "clusterIP").AsString();
                if (!string.IsNullOrEmpty(before) && !string.IsNullOrEmpty(after) && before != after)
                {
                    errors.Add(new FieldError("spec.clusterIP", "FieldValueInvalid", $"Invalid value: \"{after}\": field is immutable"));
                }

                break;
        }

        return errors;
    }

    static void Unchanged(JsonObject old, JsonObject next, List<FieldError> errors, params string[] path)
    {
        var before = old.At(path);
        var after = next.At(path);
        if (before is not null && !JsonNode.DeepEquals(before, after))
        {
            errors.Add(new FieldError(string.Join('.', path), "FieldValueInvalid", $"Invalid value: {after?.ToJsonString() ?? "null"}: field is immutable"));
        }
    }

    static bool StatefulSetSpecChanged(JsonObject old, JsonObject next)
    {
        var a = old["spec"] as JsonObject ?? new JsonObject();
        var b = next["spec"] as JsonObject ?? new JsonObject();
        return a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key))
            .Where(k => !StatefulSetMutable.Contains(k))
            .Any(k => !JsonNode.DeepEquals(a[k], b[k]));
    }
}
