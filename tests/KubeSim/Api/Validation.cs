using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>The validation kube-apiserver does that clients notice: names, labels, and required fields per kind.</summary>
public static partial class Validation
{
    const string Dns1123LabelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    const string Dns1123SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    const string Dns1035LabelMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    const string LabelValueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")] private static partial Regex Dns1123Label();
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")] private static partial Regex Dns1123Subdomain();
    [GeneratedRegex(@"^[a-z]([-a-z0-9]*[a-z0-9])?$")] private static partial Regex Dns1035Label();
    [GeneratedRegex(@"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")] private static partial Regex LabelValue();

    public static bool IsDns1123Label(string s) => s.Length <= 63 && Dns1123Label().IsMatch(s);
    public static bool IsDns1123Subdomain(string s) => s.Length <= 253 && Dns1123Subdomain().IsMatch(s);

    /// <summary>Throws 422 Invalid with every problem found, <paramref name="updateErrors"/> (an update's) last.</summary>
    public static void Validate(ResourceType rt, JsonObject obj, IReadOnlyList<FieldError>? updateErrors = null)
    {
        var errors = new List<FieldError>();
        var name = obj.Name();
        ValidateName(rt, name, errors);
        ValidateLabels(obj["metadata"], "metadata.labels", errors);
        ValidateAnnotations(obj["metadata"], "metadata.annotations", errors);
        ValidateKind(rt, obj, errors);
        errors.AddRange(RequiredFields.Check(rt, obj));
        if (updateErrors is not null) errors.AddRange(updateErrors);
        if (errors.Count > 0) throw ApiException.Invalid(rt, name, errors);
    }

    static void ValidateName(ResourceType rt, string name, List<FieldError> errors)
    {
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
            return;
        }
        if (rt.Group == "rbac.authorization.k8s.io")
        {
            if (name is "." or ".." || name.Contains('/') || name.Contains('%'))
                errors.Add(FieldError.InvalidValue("metadata.name", name, "may not contain '/' or '%'"));
            return;
        }
        switch (rt.Kind)
        {
            case "Namespace":
                if (!IsDns1123Label(name)) errors.Add(FieldError.InvalidValue("metadata.name", name, Dns1123LabelMsg));
                break;
            case "Service":
                if (name.Length > 63 || !Dns1035Label().IsMatch(name)) errors.Add(FieldError.InvalidValue("metadata.name", name, Dns1035LabelMsg));
                break;
            default:
                if (!IsDns1123Subdomain(name)) errors.Add(FieldError.InvalidValue("metadata.name", name, Dns1123SubdomainMsg));
                break;
        }
    }

    const string QualifiedNameMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    const string QualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    const string QualifiedNameExamples = "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" + QualifiedNameFmt + "')";
    [GeneratedRegex("^" + QualifiedNameFmt + "$")] private static partial Regex QualifiedNamePart();

    /// <summary>apimachinery's IsQualifiedName: every problem of a label key (or lowercased annotation key), in its words.</summary>
    public static List<string> QualifiedNameErrors(string value)
    {
        var errs = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                name = parts[1];
                if (parts[0].Length == 0) errs.Add("prefix part must be non-empty");
                else
                {
                    if (parts[0].Length > 253) errs.Add("prefix part must be no more than 253 characters");
                    if (!Dns1123Subdomain().IsMatch(parts[0])) errs.Add("prefix part " + Dns1123SubdomainMsg);
                }
                break;
            default:
                errs.Add("a qualified name " + QualifiedNameMsg + " " + QualifiedNameExamples + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errs;
        }
        if (name.Length == 0) errs.Add("name part must be non-empty");
        else if (name.Length > 63) errs.Add("name part must be no more than 63 characters");
        if (!QualifiedNamePart().IsMatch(name)) errs.Add("name part " + QualifiedNameMsg + " " + QualifiedNameExamples);
        return errs;
    }

    /// <summary>ValidateLabels of apimachinery: each key's and each value's problems at <paramref name="path"/>.</summary>
    static void ValidateLabels(JsonNode? meta, string path, List<FieldError> errors)
    {
        if (meta?["labels"] is not JsonObject labels) return;
        foreach (var (key, v) in labels)
        {
            foreach (var msg in QualifiedNameErrors(key)) errors.Add(FieldError.InvalidValue(path, key, msg));
            var value = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : null;
            if (value is null)
            {
                errors.Add(FieldError.InvalidValue(path, Json.Text(v), "label values must be strings"));
                continue;
            }
            if (value.Length > 63) errors.Add(FieldError.InvalidValue(path, value, "must be no more than 63 characters"));
            if (!LabelValue().IsMatch(value)) errors.Add(FieldError.InvalidValue(path, value, LabelValueMsg));
        }
    }

    const int TotalAnnotationSizeLimit = 256 * 1024;

    /// <summary>ValidateAnnotations of apimachinery: keys are qualified names (lowercased first), the total size is bounded.</summary>
    static void ValidateAnnotations(JsonNode? meta, string path, List<FieldError> errors)
    {
        if (meta?["annotations"] is not JsonObject annotations) return;
        foreach (var (key, _) in annotations)
            foreach (var msg in QualifiedNameErrors(key.ToLowerInvariant())) errors.Add(FieldError.InvalidValue(path, key, msg));
        var total = annotations.Sum(kv => kv.Key.Length + (kv.Value.AsString()?.Length ?? 0));
        if (total > TotalAnnotationSizeLimit)
            errors.Add(new FieldError(path, "FieldValueTooLong", $"Too long: must have at most {TotalAnnotationSizeLimit} bytes"));
    }

    static void ValidateKind(ResourceType rt, JsonObject obj, List<FieldError> errors)
    {
        if (rt.IsCustom)
        {
            errors.AddRange(SchemaValidation.CustomResourceErrors(rt, obj));
            return;
        }
        switch (rt.Group, rt.Kind)
        {
            case ("", "Pod"):
                RequireContainers(obj.At("spec"), "spec", errors);
                break;
            case ("apps", "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet"):
                ValidateTemplated(obj, errors, selectorRequired: true);
                break;
            case ("batch", "Job"):
                ValidateTemplated(obj, errors, selectorRequired: false);
                break;
            case ("", "Service"):
            {
                var type = obj.At("spec", "type").AsString() ?? "ClusterIP";
                var headless = obj.At("spec", "clusterIP").AsString() == "None";
                if (type != "ExternalName" && !headless && obj.At("spec", "ports") is not JsonArray { Count: > 0 })
                    errors.Add(FieldError.Required("spec.ports", ""));
                string[] types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
                if (!types.Contains(type)) errors.Add(FieldError.Unsupported("spec.type", type, types));
                break;
            }
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                ValidateCrd(obj, errors);
                break;
        }
    }

    static void ValidateTemplated(JsonObject obj, List<FieldError> errors, bool selectorRequired)
    {
        var spec = obj.At("spec");
        if (spec is null)
        {
            errors.Add(FieldError.Required("spec", ""));
            return;
        }
        var selector = spec["selector"];
        if (selectorRequired && selector is not JsonObject { Count: > 0 })
            errors.Add(FieldError.Required("spec.selector", ""));
        else if (selector is JsonObject && selectorRequired)
        {
            var templateLabels = Json.StringMap(spec.At("template", "metadata", "labels"));
            if (!LabelSelector.FromObject(selector).Matches(templateLabels))
                errors.Add(FieldError.InvalidValue("spec.template.metadata.labels",
                    "map[" + string.Join(" ", templateLabels.Select(kv => $"{kv.Key}:{kv.Value}")) + "]",
                    "`selector` does not match template `labels`"));
        }
        // ValidatePodTemplateSpec: the template's own metadata, then its pod spec.
        ValidateLabels(spec.At("template", "metadata"), "spec.template.metadata.labels", errors);
        ValidateAnnotations(spec.At("template", "metadata"), "spec.template.metadata.annotations", errors);
        RequireContainers(spec.At("template", "spec"), "spec.template.spec", errors);
    }

    static void RequireContainers(JsonNode? podSpec, string prefix, List<FieldError> errors)
    {
        if (podSpec?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            errors.Add(FieldError.Required(prefix + ".containers", ""));
            return;
        }
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i];
            var name = c.Str("name");
            if (string.IsNullOrEmpty(name)) errors.Add(FieldError.Required($"{prefix}.containers[{i}].name", ""));
            else if (!IsDns1123Label(name)) errors.Add(FieldError.InvalidValue($"{prefix}.containers[{i}].name", name, Dns1123LabelMsg));
            if (string.IsNullOrEmpty(c.Str("image"))) errors.Add(FieldError.Required($"{prefix}.containers[{i}].image", ""));
        }
    }

    static void ValidateCrd(JsonObject obj, List<FieldError> errors)
    {
        var spec = obj.At("spec");
        var group = spec.Str("group") ?? "";
        var plural = spec.At("names").Str("plural") ?? "";
        if (group.Length == 0) errors.Add(FieldError.Required("spec.group", ""));
        if (plural.Length == 0) errors.Add(FieldError.Required("spec.names.plural", ""));
        if (string.IsNullOrEmpty(spec.At("names").Str("kind"))) errors.Add(FieldError.Required("spec.names.kind", ""));
        var scope = spec.Str("scope") ?? "";
        if (scope is not ("Namespaced" or "Cluster")) errors.Add(FieldError.Unsupported("spec.scope", scope, ["Cluster", "Namespaced"]));
        if (group.Length > 0 && plural.Length > 0 && obj.Name() != $"{plural}.{group}")
            errors.Add(FieldError.InvalidValue("metadata.name", obj.Name(), "must be spec.names.plural+\".\"+spec.group"));
        if (spec?["versions"] is not JsonArray { Count: > 0 } versions)
        {
            errors.Add(FieldError.Required("spec.versions", "must have exactly one version marked as storage version"));
            return;
        }
        if (versions.Count(v => v.Bool("storage") == true) != 1)
            errors.Add(FieldError.InvalidValue("spec.versions", "", "must have exactly one version marked as storage version"));
    }
}
