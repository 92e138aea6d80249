using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>
/// The fields kube-apiserver 1.32 refuses to change on update (and on dry-run updates), with its messages:
/// the selectors of Deployments, ReplicaSets and DaemonSets (apps/v1), a Job's selector, completions and
/// template, a Service's cluster IPs, a role binding's roleRef, and every StatefulSet spec field but the updatable
/// ones (dry runs too).
/// </summary>
public static class ImmutableFields
{
    const string Immutable = "field is immutable";

    /// <summary>StatefulSet spec fields an update may change (1.32).</summary>
    static readonly string[] StatefulSetUpdatable =
        ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

    const string StatefulSetForbidden =
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

    /// <summary>
    /// A Service update that changes only the singular clusterIP (an old client) changes clusterIPs with it, as
    /// the service registry's normalizeClusterIPs does (allocated values left out were kept by Defaults.OnUpdate).
    /// </summary>
    public static void PrepareUpdate(ResourceType rt, JsonObject old, JsonObject next)
    {
        if (rt.IsCustom || rt.Group != "" || rt.Kind != "Service") return;
        if (old.At("spec") is not JsonObject oldSpec || next["spec"] is not JsonObject spec) return;
        if ((spec.Str("type") ?? "ClusterIP") == "ExternalName" || (oldSpec.Str("type") ?? "ClusterIP") == "ExternalName") return;
        if (spec.Str("clusterIP") != oldSpec.Str("clusterIP") && !string.IsNullOrEmpty(spec.Str("clusterIP"))
            && JsonNode.DeepEquals(spec["clusterIPs"], oldSpec["clusterIPs"]))
            spec["clusterIPs"] = new JsonArray(spec.Str("clusterIP"));
    }

    /// <summary>The immutable-field errors of an update from <paramref name="old"/> to <paramref name="next"/>.</summary>
    public static List<FieldError> Check(ResourceType rt, JsonObject old, JsonObject next)
    {
        var errors = new List<FieldError>();
        if (rt.IsCustom) return errors;
        var oldSpec = old.At("spec");
        var spec = next.At("spec");
        switch (rt.Group, rt.Kind)
        {
            case ("apps", "Deployment" or "ReplicaSet" or "DaemonSet"):
                // A removed selector is both Required and immutable (ValidateImmutableField of nil), as in SmdReference/.
                if (!SemanticEquals(spec?["selector"], oldSpec?["selector"]))
                    errors.Add(new FieldError("spec.selector", "FieldValueInvalid",
                        $"Invalid value: {GoLabelSelector(spec?["selector"])}: {Immutable}"));
                break;
            case ("apps", "StatefulSet"):
                if (!SemanticEquals(Without(spec, StatefulSetUpdatable), Without(oldSpec, StatefulSetUpdatable)))
                    errors.Add(new FieldError("spec", "FieldValueForbidden", "Forbidden: " + StatefulSetForbidden));
                break;
            case ("batch", "Job"):
                if (!SemanticEquals(spec?["completions"], oldSpec?["completions"]))
                    errors.Add(new FieldError("spec.completions", "FieldValueInvalid",
                        $"Invalid value: {spec?["completions"]?.ToJsonString() ?? "null"}: {Immutable}"));
                if (!SemanticEquals(spec?["selector"], oldSpec?["selector"]))
                    errors.Add(new FieldError("spec.selector", "FieldValueInvalid",
                        $"Invalid value: {GoLabelSelector(spec?["selector"])}: {Immutable}"));
                if (!SemanticEquals(spec?["template"], oldSpec?["template"]))
                    // kube-apiserver prints Go's %#v of the internal PodTemplateSpec here (pointer addresses
                    // included), which no client can reproduce or parses; the type name stands for it.
                    errors.Add(new FieldError("spec.template", "FieldValueInvalid",
                        $"Invalid value: core.PodTemplateSpec{{...}}: {Immutable}"));
                break;
            case ("", "Service"):
                CheckClusterIps(oldSpec, spec, errors);
                break;
            case ("rbac.authorization.k8s.io", "RoleBinding" or "ClusterRoleBinding"):
                if (!SemanticEquals(next["roleRef"], old["roleRef"]))
                    errors.Add(new FieldError("roleRef", "FieldValueInvalid",
                        $"Invalid value: {GoRoleRef(next["roleRef"])}: cannot change roleRef"));
                break;
        }
        return errors;
    }

    static void CheckClusterIps(JsonNode? oldSpec, JsonNode? spec, List<FieldError> errors)
    {
        static bool ExternalName(JsonNode? s) => s.Str("type") == "ExternalName";
        static bool Headless(JsonNode? s) => s.Str("clusterIP") == "None";
        if (ExternalName(spec) || ExternalName(oldSpec) || (Headless(spec) && Headless(oldSpec))) return;
        var oldIps = Strings(oldSpec?["clusterIPs"]);
        var ips = Strings(spec?["clusterIPs"]);
        if (oldIps.Count == 0) return;
        var bad = $"Invalid value: {GoStrings(spec?["clusterIPs"])}: may not change once set";
        if (ips.Count == oldIps.Count)
        {
            for (var i = 0; i < oldIps.Count; i++)
                if (oldIps[i] != ips[i]) errors.Add(new FieldError($"spec.clusterIPs[{i}]", "FieldValueInvalid", bad));
        }
        else if (ips.Count == 0 || ips[0] != oldIps[0])
            errors.Add(new FieldError("spec.clusterIPs[0]", "FieldValueInvalid", bad));
    }

    static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(v => v.AsString() ?? "").ToList() : [];

    static JsonObject? Without(JsonNode? spec, string[] keys)
    {
        if (spec is not JsonObject o) return null;
        var copy = o.Clone();
        foreach (var k in keys) copy.Remove(k);
        return copy;
    }

    /// <summary>
    /// Equality as apimachinery's semantic DeepEqual sees decoded objects: null, absent, empty lists and
    /// empty maps are the same.
    /// </summary>
    public static bool SemanticEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(Normalize(a), Normalize(b));

    static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
            {
                var copy = new JsonObject();
                foreach (var (k, v) in o)
                    if (Normalize(v) is JsonNode n) copy[k] = n;
                return copy.Count == 0 ? null : copy;
            }
            case JsonArray a:
                return a.Count == 0 ? null : new JsonArray(a.Select(v => Normalize(v) ?? JsonValue.Create("")).ToArray());
            case null:
                return null;
            default:
                return node.DeepClone();
        }
    }

    // ---- Go's %#v of the values kube-apiserver reports ----

    /// <summary>Go's <c>%#v</c> of a metav1.LabelSelector (as kube-apiserver 1.32 prints it in field errors).</summary>
    public static string GoLabelSelector(JsonNode? selector)
    {
        if (selector is not JsonObject s) return "null";
        var sb = new StringBuilder("v1.LabelSelector{MatchLabels:");
        if (s["matchLabels"] is JsonObject labels)
            sb.Append("map[string]string{")
              .Append(string.Join(", ", labels.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                  .Select(kv => GoQuote(kv.Key) + ":" + GoQuote(kv.Value.AsString() ?? ""))))
              .Append('}');
        else sb.Append("map[string]string(nil)");
        sb.Append(", MatchExpressions:");
        if (s["matchExpressions"] is JsonArray expressions)
            sb.Append("[]v1.LabelSelectorRequirement{")
              .Append(string.Join(", ", expressions.Select(e =>
                  $"v1.LabelSelectorRequirement{{Key:{GoQuote(e.Str("key") ?? "")}, Operator:{GoQuote(e.Str("operator") ?? "")}, Values:{GoStrings(e?["values"])}}}")))
              .Append('}');
        else sb.Append("[]v1.LabelSelectorRequirement(nil)");
        return sb.Append('}').ToString();
    }

    /// <summary>Go's <c>%#v</c> of the internal rbac.RoleRef.</summary>
    static string GoRoleRef(JsonNode? roleRef) =>
        $"rbac.RoleRef{{APIGroup:{GoQuote(roleRef.Str("apiGroup") ?? "")}, Kind:{GoQuote(roleRef.Str("kind") ?? "")}, Name:{GoQuote(roleRef.Str("name") ?? "")}}}";

    /// <summary>Go's <c>%#v</c> of a []string.</summary>
    public static string GoStrings(JsonNode? list) =>
        list is JsonArray a ? "[]string{" + string.Join(", ", a.Select(v => GoQuote(v.AsString() ?? ""))) + "}" : "[]string(nil)";

    /// <summary>Go's <c>%q</c> of a string.</summary>
    public static string GoQuote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
