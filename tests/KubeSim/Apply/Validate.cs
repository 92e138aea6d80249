using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Apply;

/// <summary>
/// structured-merge-diff's validation of an applied configuration against its type (typed.FromUnstructured,
/// duplicates not allowed): fields a struct does not declare, values of the wrong shape, list-map items without
/// their keys, duplicate list keys. Messages and paths as structured-merge-diff v4.4.2 words them.
/// </summary>
public static class Validate
{
    /// <summary>The errors, each "path: message" (one undeclared field a map: the walk stops there, as in Go).</summary>
    public static List<string> Errors(JsonNode? value, SchemaType type)
    {
        var errors = new List<string>();
        Walk(value, type, "", errors);
        return errors;
    }

    /// <summary>kube-apiserver's message for them: ValidationErrors.Error().</summary>
    public static string Message(List<string> errors) =>
        errors.Count == 1 ? errors[0] : "errors:\n" + string.Join("\n", errors.Select(e => "  " + e));

    static void Add(List<string> errors, string path, string message) =>
        errors.Add(path.Length == 0 ? message : path + ": " + message);

    static void Walk(JsonNode? node, SchemaType t, string path, List<string> errors)
    {
        if (node is null) return;
        // deduceAtom, then handleAtom's order: map, scalar, list.
        var asMap = node is JsonObject && t.Map is not null || t.Map is not null && !(node is JsonArray && t.List is not null) && !(node is JsonValue && t.Scalar);
        if (asMap)
        {
            if (node is not JsonObject o)
            {
                Add(errors, path, "expected map, got " + GoValue(node));
                return;
            }
            var map = t.Map!;
            foreach (var (key, child) in o)
            {
                var element = "." + key;
                var field = map.Find(key);
                if (field is null && map.ElementType is null)
                {
                    Add(errors, path + element, "field not declared in schema");
                    return;
                }
                Walk(child, field?.Type ?? map.ElementType!, path + element, errors);
            }
            return;
        }
        if (t.Scalar && (node is JsonValue || t.List is null))
        {
            if (ScalarError(t.ScalarKind, node) is { } error) Add(errors, path, error);
            return;
        }
        if (t.List is not { } list) return;
        if (node is not JsonArray items)
        {
            Add(errors, path, "expected list, got " + GoValue(node));
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            string element;
            if (list.Atomic) element = $"[{i}]";
            else
            {
                if (ItemError(list, items[i]) is { } error)
                {
                    Add(errors, path, $"element {i}: {error}");
                    return;
                }
                element = PathSet.Display([Typed.ItemElement(list, items[i])!]);
                if (!seen.Add(element)) Add(errors, path, "duplicate entries for key " + element);
            }
            Walk(items[i], list.Element, path + element, errors);
        }
    }

    /// <summary>validateScalar's complaint about a value that is not of the scalar kind.</summary>
    static string? ScalarError(ScalarKind kind, JsonNode node)
    {
        var valueKind = node is JsonValue v ? v.GetValueKind() : node is JsonArray ? JsonValueKind.Array : JsonValueKind.Object;
        return kind switch
        {
            ScalarKind.Numeric when valueKind != JsonValueKind.Number => "expected numeric (int or float), got " + GoType(node),
            ScalarKind.String when valueKind != JsonValueKind.String => "expected string, got &value.valueUnstructured{Value:" + GoSharp(node) + "}",
            ScalarKind.Boolean when valueKind is not (JsonValueKind.True or JsonValueKind.False) => "expected boolean, got " + GoValue(node),
            ScalarKind.Untyped when node is not JsonValue => "expected any scalar, got " + GoValue(node),
            _ => null,
        };
    }

    /// <summary>Go's %T of an unstructured value.</summary>
    static string GoType(JsonNode node) => node switch
    {
        JsonObject => "map[string]interface {}",
        JsonArray => "[]interface {}",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => "string",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => "float64",
        _ => "bool",
    };

    /// <summary>Go's %#v of an unstructured value.</summary>
    static string GoSharp(JsonNode? node) => node switch
    {
        null => "interface {}(nil)",
        JsonObject o => "map[string]interface {}{" + string.Join(", ", o.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => GoString(kv.Key) + ":" + GoSharp(kv.Value))) + "}",
        JsonArray a => "[]interface {}{" + string.Join(", ", a.Select(GoSharp)) + "}",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => GoString(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => GoFloat(v.GetValue<double>()),
        _ => node.ToJsonString(),
    };

    static string GoString(string s) => Api.ImmutableFields.GoQuote(s);

    /// <summary>Why a list-map or set item has no path element (listItemToPathElement's errors).</summary>
    static string? ItemError(ListSchema list, JsonNode? item)
    {
        if (list.Keys.Length > 0)
        {
            if (item is null) return "associative list with keys may not have a null element";
            if (item is not JsonObject o) return "associative list with keys may not have non-map elements";
            foreach (var k in list.Keys)
                if (!o.ContainsKey(k) && Schemas.KeyDefault(list, k) is null)
                    return $"associative list with keys has an element that omits key field \"{k}\" (and doesn't have default value)";
            return null;
        }
        return item switch
        {
            JsonObject => "associative list without keys has an element that's a map type",
            JsonArray => "not supported: associative list with lists as elements",
            null => "associative list without keys has an element that's an explicit null",
            _ => null,
        };
    }

    /// <summary>Go's %v of a structured-merge-diff value (a pointer to a struct around the unstructured value).</summary>
    static string GoValue(JsonNode? node) => "&{" + GoPlain(node) + "}";

    static string GoPlain(JsonNode? node) => node switch
    {
        null => "<nil>",
        JsonObject o => "map[" + string.Join(" ", o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ":" + GoPlain(kv.Value))) + "]",
        JsonArray a => "[" + string.Join(" ", a.Select(GoPlain)) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => GoFloat(v.GetValue<double>()),
        _ => node.ToJsonString(),
    };

    /// <summary>Go's %v of a float64 (JSON numbers decode as float64): the shortest digits, as d.ddde±XX when the exponent is below -4 or 6 and over.</summary>
    static string GoFloat(double d)
    {
        if (d == 0) return "0";
        var r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var exp = 0;
        if (r.IndexOf('E') is var e and >= 0)
        {
            exp = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.');
        var intPart = dot >= 0 ? r[..dot] : r;
        var digits = (intPart + (dot >= 0 ? r[(dot + 1)..] : "")).TrimStart('0');
        var leadingZeros = (intPart + (dot >= 0 ? r[(dot + 1)..] : "")).Length - digits.Length;
        digits = digits.TrimEnd('0');
        exp += intPart.Length - 1 - leadingZeros;
        var sign = d < 0 ? "-" : "";
        if (exp < -4 || exp >= 6)
            return sign + digits[0] + (digits.Length > 1 ? "." + digits[1..] : "") + (exp < 0 ? "e-" : "e+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        return d.ToString("R", CultureInfo.InvariantCulture);
    }
}
