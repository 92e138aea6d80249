using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>The fieldValidation query parameter (kube-apiserver's default is Warn).</summary>
public enum FieldValidation { Ignore, Warn, Strict }

/// <summary>
/// Unknown and mistyped fields, as kube-apiserver 1.32 handles them:
/// <list type="bullet">
/// <item>a request body's unknown fields (built-in kinds: the official models' fields; custom resources: the
/// CRD's openAPIV3Schema, honouring x-kubernetes-preserve-unknown-fields and embedded resources) are, per
/// <c>fieldValidation</c>, a 400 "strict decoding error" (Strict), a <c>Warning</c> header (Warn) or nothing
/// (Ignore), and are dropped before the object is stored (decoding, or pruning for custom resources);</item>
/// <item>a custom resource whose values do not fit its schema (type, required, enum) is 422 Invalid with
/// the field paths, as the apiextensions validator words it.</item>
/// </list>
/// </summary>
public static class SchemaValidation
{
    public static FieldValidation Parse(string? value) => value switch
    {
        null or "" => FieldValidation.Warn,
        "Strict" => FieldValidation.Strict,
        "Warn" => FieldValidation.Warn,
        "Ignore" => FieldValidation.Ignore,
        _ => throw ApiException.BadRequest($"fieldValidation parameter unsupported: \"{value}\". Supported values: Ignore, Warn, Strict"),
    };

    /// <summary>
    /// Checks a request body for unknown fields per <paramref name="directive"/> and drops them; returns the
    /// warnings to send. Throws 400 for Strict.
    /// </summary>
    public static List<string> CheckUnknown(ResourceType rt, JsonObject body, FieldValidation directive)
    {
        var unknown = new List<string>();
        Walk(rt, body, unknown, prune: true);
        if (unknown.Count == 0 || directive == FieldValidation.Ignore) return [];
        var listed = unknown.Select(f => $"unknown field \"{f}\"").ToList();
        if (directive == FieldValidation.Strict)
            throw ApiException.BadRequest(
                $"{rt.Kind} in version \"{rt.Version}\" cannot be handled as a {rt.Kind}: strict decoding error: {string.Join(", ", listed)}");
        return listed;
    }

    /// <summary>Drops what a custom resource's schema does not declare (kube-apiserver prunes on every write).</summary>
    public static void Prune(ResourceType rt, JsonObject obj)
    {
        if (rt.IsCustom && rt.Schema is not null) Walk(rt, obj, [], prune: true);
    }

    static void Walk(ResourceType rt, JsonObject body, List<string> unknown, bool prune)
    {
        if (rt.IsCustom)
        {
            if (rt.Schema is { } schema) WalkCrd(schema, body, "", unknown, prune, root: true);
        }
        else if (BuiltinSchemas.For(rt) is { } node) WalkBuiltin(node, body, "", unknown, prune);
    }

    static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    static void WalkBuiltin(SchemaNode node, JsonNode? value, string path, List<string> unknown, bool prune)
    {
        switch (value)
        {
            case JsonObject o when node.Fields is { } fields:
                foreach (var key in o.Select(kv => kv.Key).ToList())
                {
                    // Strategic merge patch directives ($patch, $setElementOrder/..., $retainKeys) are not fields.
                    if (key.StartsWith('$')) continue;
                    if (fields.TryGetValue(key, out var child)) WalkBuiltin(child(), o[key], Join(path, key), unknown, prune);
                    else
                    {
                        unknown.Add(Join(path, key));
                        if (prune) o.Remove(key);
                    }
                }
                break;
            case JsonObject o when node.MapValues is { } values:
                foreach (var (key, v) in o.ToList()) WalkBuiltin(values(), v, Join(path, key), unknown, prune);
                break;
            case JsonArray a when node.Items is { } items:
                for (var i = 0; i < a.Count; i++) WalkBuiltin(items(), a[i], $"{path}[{i}]", unknown, prune);
                break;
        }
    }

    static void WalkCrd(JsonObject schema, JsonNode? value, string path, List<string> unknown, bool prune, bool root = false)
    {
        if (schema.Bool("x-kubernetes-preserve-unknown-fields") == true && schema["properties"] is null && schema["additionalProperties"] is null) return;
        switch (value)
        {
            case JsonObject o:
            {
                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"];
                var preserve = schema.Bool("x-kubernetes-preserve-unknown-fields") == true;
                var embedded = root || schema.Bool("x-kubernetes-embedded-resource") == true;
                foreach (var key in o.Select(kv => kv.Key).ToList())
                {
                    if (embedded && key is "apiVersion" or "kind" or "metadata") continue;
                    if (properties?[key] is JsonObject property) WalkCrd(property, o[key], Join(path, key), unknown, prune);
                    else if (additional is JsonObject additionalSchema) WalkCrd(additionalSchema, o[key], Join(path, key), unknown, prune);
                    else if (additional is JsonValue v && v.TryGetValue<bool>(out var allowed) && allowed) { }
                    else if (!preserve)
                    {
                        unknown.Add(Join(path, key));
                        if (prune) o.Remove(key);
                    }
                }
                break;
            }
            case JsonArray a when schema["items"] is JsonObject items:
                for (var i = 0; i < a.Count; i++) WalkCrd(items, a[i], $"{path}[{i}]", unknown, prune);
                break;
        }
    }

    /// <summary>A custom resource's values against its schema: types, required fields and enums.</summary>
    public static List<FieldError> CustomResourceErrors(ResourceType rt, JsonObject obj)
    {
        var errors = new List<FieldError>();
        if (rt.IsCustom && rt.Schema is { } schema) Check(schema, obj, "", errors, root: true);
        return errors;
    }

    static void Check(JsonObject schema, JsonNode? value, string path, List<FieldError> errors, bool root = false)
    {
        if (value is null) return;
        var type = schema.Str("type");
        if (schema.Bool("x-kubernetes-int-or-string") == true)
        {
            if (Kind(value) is not ("integer" or "string"))
                errors.Add(TypeError(path, value, "integer or string"));
            return;
        }
        if (type is { Length: > 0 } && !Fits(value, type))
        {
            errors.Add(TypeError(path, value, type));
            return;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
            errors.Add(new FieldError(path, "FieldValueNotSupported",
                $"Unsupported value: {Go(value)}: supported values: {string.Join(", ", allowed.Select(Go))}"));
        switch (value)
        {
            case JsonObject o:
            {
                foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r.AsString()).OfType<string>())
                    if (o[required] is null && !(root && required is "apiVersion" or "kind" or "metadata"))
                        errors.Add(FieldError.Required(Join(path, required), ""));
                var properties = schema["properties"] as JsonObject;
                foreach (var (key, child) in o)
                {
                    if (root && key is "apiVersion" or "kind" or "metadata") continue;
                    if (properties?[key] is JsonObject p) Check(p, child, Join(path, key), errors);
                    else if (schema["additionalProperties"] is JsonObject additional) Check(additional, child, Join(path, key), errors);
                }
                break;
            }
            case JsonArray a when schema["items"] is JsonObject items:
                for (var i = 0; i < a.Count; i++) Check(items, a[i], $"{path}[{i}]", errors);
                break;
        }
    }

    static FieldError TypeError(string path, JsonNode value, string type)
    {
        var actual = Kind(value);
        return new FieldError(path, "FieldValueTypeInvalid", $"Invalid value: \"{actual}\": {path} in body must be of type {type}: \"{actual}\"");
    }

    static bool Fits(JsonNode value, string type) => type switch
    {
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => Kind(value) == "string",
        "boolean" => Kind(value) == "boolean",
        "integer" => Kind(value) == "integer",
        "number" => Kind(value) is "number" or "integer",
        _ => true,
    };

    static string Kind(JsonNode value) => value switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => v.ToJsonString().IndexOfAny(['.', 'e', 'E']) >= 0
                && !(double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d))
                ? "number" : "integer",
            _ => "null",
        },
        _ => "null",
    };

    static string Go(JsonNode? value) => value is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? ImmutableFields.GoQuote(v.GetValue<string>())
        : value?.ToJsonString() ?? "null";
}
