using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IstioPS.Engine.Manifests;

/// <summary>The checks an object must pass before anything is sent: shape and names, as the API server would judge them.</summary>
public static partial class ObjectValidator
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    /// <summary>apiVersion, kind and metadata.name present and strings; null when fine.</summary>
    public static string? CheckShape(JsonObject body)
    {
        if (body["apiVersion"] is not JsonValue av || av.GetValueKind() != System.Text.Json.JsonValueKind.String || string.IsNullOrWhiteSpace((string?)av))
            return "the object has no apiVersion.";
        if (body["kind"] is not JsonValue k || k.GetValueKind() != System.Text.Json.JsonValueKind.String || string.IsNullOrWhiteSpace((string?)k))
            return "the object has no kind.";
        if (body["metadata"] is not JsonObject meta)
            return $"the {(string?)k} has no metadata.";
        if (meta["name"] is not JsonValue n || n.GetValueKind() != System.Text.Json.JsonValueKind.String || string.IsNullOrEmpty((string?)n))
            return $"the {(string?)k} has no metadata.name.";
        if (meta["namespace"] is JsonNode ns && (ns is not JsonValue nv || nv.GetValueKind() != System.Text.Json.JsonValueKind.String))
            return $"the {(string?)k} '{(string?)n}' has a metadata.namespace that is not a string.";
        return null;
    }

    /// <summary>Checks a name for a kind the way the API server does; null when valid.</summary>
    public static string? CheckName(string kind, string name)
    {
        if (kind is "Role" or "ClusterRole" or "RoleBinding" or "ClusterRoleBinding")
        {
            return name is "." or ".." || name.Contains('/') || name.Contains('%')
                ? $"metadata.name '{name}' is invalid for a {kind}: it may not be '.' or '..' nor contain '/' or '%'."
                : null;
        }

        if (kind == "Namespace")
        {
            return CheckLabel(name, "a Namespace", Dns1123Label(), "a lowercase RFC 1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)");
        }

        if (kind == "Service")
        {
            return CheckLabel(name, "a Service", Dns1035Label(), "a lowercase RFC 1035 label (lowercase letters, digits and '-', starting with a letter, at most 63 characters)");
        }

        if (name.Length > 253 || !Dns1123Subdomain().IsMatch(name))
        {
            return $"metadata.name '{name}' is invalid for a {kind}: it must be a lowercase RFC 1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters).";
        }

        return null;
    }

    /// <summary>Checks a namespace name; null when valid.</summary>
    public static string? CheckNamespace(string name)
        => CheckLabel(name, "a namespace", Dns1123Label(), "a lowercase RFC 1123 label");

    private static string? CheckLabel(string name, string what, Regex pattern, string rule)
        => name.Length <= 63 && pattern.IsMatch(name) ? null : $"'{name}' is not a valid name for {what}: it must be {rule}.";
}
