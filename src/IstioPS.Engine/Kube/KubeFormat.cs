using System.Globalization;
using System.Text.Json.Nodes;

namespace IstioPS.Engine.Kube;

/// <summary>The small formatting rules kubectl applies to its tables.</summary>
public static class KubeFormat
{
    /// <summary>kubectl's human duration: 45s, 3m20s, 15m, 5h10m, 2d3h, 120d, 3y20d.</summary>
    public static string Age(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1) return "<invalid>";
        if (seconds < 0) return "0s";
        if (seconds < 60 * 2) return $"{seconds}s";
        var minutes = (long)d.TotalMinutes;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }

        if (minutes < 60 * 3) return $"{minutes}m";
        var hours = (long)d.TotalHours;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }

        if (hours < 48) return $"{hours}h";
        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }

        if (hours < 24 * 365 * 2) return $"{hours / 24}d";
        if (hours < 24 * 365 * 8)
        {
            var days = hours / 24 % 365;
            return days == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{days}d";
        }

        return $"{hours / 24 / 365}y";
    }

    public static DateTimeOffset? Timestamp(JsonNode? node) => Timestamp((string?)node);

    public static DateTimeOffset? Timestamp(string? text)
        => text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>metadata.creationTimestamp as a UTC DateTime.</summary>
    public static DateTime? Created(JsonObject obj) => Timestamp(obj["metadata"]?["creationTimestamp"])?.UtcDateTime;

    /// <summary>How old the object was at <paramref name="now"/> (a real TimeSpan, so Sort-Object Age works).</summary>
    public static TimeSpan? AgeOf(JsonObject obj, DateTimeOffset now) => Created(obj) is { } created ? now.UtcDateTime - created : null;

    /// <summary>kubectl's AGE column for an age that may be unknown.</summary>
    public static string AgeText(TimeSpan? age) => age is { } a ? Age(a) : "<unknown>";

    public static long Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var l) ? l
        : node is JsonValue d && d.TryGetValue<double>(out var dd) ? (long)dd : 0;

    public static string Name(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";

    public static string? Uid(JsonObject obj) => (string?)obj["metadata"]?["uid"];

    /// <summary>"VirtualService shop/reviews" (namespace/name, or the name alone when cluster-scoped).</summary>
    public static string KindSlashName(JsonObject obj)
        => (string?)obj["metadata"]?["namespace"] is { } ns ? $"{(string?)obj["kind"]} {ns}/{Name(obj)}" : $"{(string?)obj["kind"]} {Name(obj)}";

    public static string? Label(JsonObject obj, string key) => (string?)obj["metadata"]?["labels"]?[key];

    public static string? Annotation(JsonObject obj, string key) => (string?)obj["metadata"]?["annotations"]?[key];

    public static IEnumerable<KeyValuePair<string, string>> Labels(JsonObject obj)
        => obj["metadata"]?["labels"] is JsonObject labels
            ? labels.Where(kv => kv.Value is JsonValue).Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value!.ToString()))
            : Enumerable.Empty<KeyValuePair<string, string>>();

    /// <summary>Whether a pod's labels match a workload's spec.selector.matchLabels (matchExpressions of type In/Exists too).</summary>
    public static bool SelectorMatches(JsonObject? selector, JsonObject pod)
    {
        if (selector is null) return false;
        var labels = pod["metadata"]?["labels"] as JsonObject;
        if (selector["matchLabels"] is JsonObject match)
        {
            foreach (var (k, v) in match)
            {
                if ((string?)labels?[k] != (string?)v) return false;
            }
        }

        if (selector["matchExpressions"] is JsonArray exprs)
        {
            foreach (var e in exprs.OfType<JsonObject>())
            {
                var key = (string?)e["key"] ?? "";
                var value = (string?)labels?[key];
                var values = (e["values"] as JsonArray)?.Select(x => (string?)x).ToList() ?? new List<string?>();
                var ok = (string?)e["operator"] switch
                {
                    "In" => value is not null && values.Contains(value),
                    "NotIn" => value is null || !values.Contains(value),
                    "Exists" => value is not null,
                    "DoesNotExist" => value is null,
                    _ => false,
                };
                if (!ok) return false;
            }
        }

        return selector["matchLabels"] is JsonObject || selector["matchExpressions"] is JsonArray;
    }
}
