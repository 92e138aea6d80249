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

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigMapKeyPattern();

    /// <summary>kube-apiserver's limit on a request body (its MaxRequestBodyBytes).</summary>
    public const int MaxRequestBytes = 3 * 1024 * 1024;

    /// <summary>etcd's default limit on one request (--max-request-bytes), which bounds one stored object.</summary>
    public const int MaxStoredBytes = 1536 * 1024;

    /// <summary>apimachinery's total size limit of an object's annotations (keys and values).</summary>
    public const int MaxAnnotationBytes = 256 * 1024;

    /// <summary>The API server's limit on a ConfigMap's or a Secret's data (keys excluded).</summary>
    public const int MaxDataBytes = 1024 * 1024;

    /// <summary>The JSON depth bodies may have: the YAML readers' limit and room for the lists and events that carry them.</summary>
    public const int MaxJsonDepth = IstioPS.Rendering.Yaml.YamlBudget.MaxDepth + 16;

    /// <summary>One problem with an object: a stable error id, what is wrong, and the field it is about (keys from the root), when one.</summary>
    public readonly record struct Problem(string ErrorId, string Message, string[]? Path = null);

    /// <summary>
    /// Every check the API server would make that this client can make before the first write: the name, the
    /// shapes of metadata.labels and metadata.annotations (string maps), label keys and values and annotation keys
    /// (apimachinery's rules), the annotations' total size, a ConfigMap's or Secret's keys and data size, and the
    /// size of the object itself. Returns every problem found, none when the object is fine.
    /// </summary>
    public static List<Problem> CheckObject(JsonObject body)
    {
        var problems = new List<Problem>();
        var kind = (string?)body["kind"] ?? "";
        var name = (string?)body["metadata"]?["name"] ?? "";
        var what = $"{kind} '{name}'";
        if (CheckName(kind, name) is { } nameProblem) problems.Add(new Problem("InvalidName", nameProblem, new[] { "metadata", "name" }));
        CheckMetadata(body["metadata"], what, "metadata", new[] { "metadata" }, problems);
        if (PodTemplateOf(body) is { } template)
        {
            // A workload's pod template has metadata of its own, which the API server checks the same way.
            CheckMetadata(template["metadata"], what, "spec.template.metadata", new[] { "spec", "template", "metadata" }, problems);
        }

        if ((string?)body["apiVersion"] == "v1" && kind is "ConfigMap" or "Secret")
        {
            CheckData(body, kind, what, problems);
        }

        var size = JsonSize(body);
        if (size > MaxRequestBytes)
        {
            problems.Add(new Problem("ObjectTooLarge", $"the {what} is {size / 1024} KiB as JSON; the API server refuses requests larger than {MaxRequestBytes / (1024 * 1024)} MiB."));
        }
        else if (size > MaxStoredBytes)
        {
            problems.Add(new Problem("ObjectTooLarge", $"the {what} is {size / 1024} KiB as JSON; etcd refuses to store objects larger than 1.5 MiB (its default request limit)."));
        }

        return problems;
    }

    /// <summary>The pod template of a workload kind (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job), else null.</summary>
    private static JsonObject? PodTemplateOf(JsonObject body) =>
        (string?)body["apiVersion"] is "apps/v1" or "batch/v1" && (string?)body["kind"] is "Deployment" or "DaemonSet" or "StatefulSet" or "ReplicaSet" or "Job"
            ? body["spec"]?["template"] as JsonObject
            : null;

    /// <summary>The labels and annotations of one metadata (an object's own, or its pod template's at <paramref name="field"/>).</summary>
    private static void CheckMetadata(JsonNode? metaNode, string what, string field, string[] path, List<Problem> problems)
    {
        var meta = metaNode as JsonObject;
        if (StringMap(meta?["labels"], $"the {what} has {field}.labels", [.. path, "labels"], problems) is { } labels)
        {
            var where = field == "metadata" ? "" : $" in {field}";
            foreach (var (key, value) in labels)
            {
                string[] at = [.. path, "labels", key];
                if (CheckQualifiedName(key) is { } keyProblem) problems.Add(new Problem("InvalidLabel", $"the {what} has an invalid label key '{key}'{where}: {keyProblem}.", at));
                if (value.Length > 63 || !LabelValuePattern().IsMatch(value))
                {
                    problems.Add(new Problem("InvalidLabel", $"the {what} has an invalid value '{Shorten(value)}' for label '{key}'{where}: a label value must be empty or at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit.", at));
                }
            }
        }

        if (StringMap(meta?["annotations"], $"the {what} has {field}.annotations", [.. path, "annotations"], problems) is { } annotations)
        {
            var where = field == "metadata" ? "" : $" in {field}";
            long total = 0;
            foreach (var (key, value) in annotations)
            {
                if (CheckQualifiedName(key.ToLowerInvariant()) is { } keyProblem) problems.Add(new Problem("InvalidAnnotation", $"the {what} has an invalid annotation key '{key}'{where}: {keyProblem}.", [.. path, "annotations", key]));
                total += Utf8(key) + Utf8(value);
            }

            if (total > MaxAnnotationBytes)
            {
                problems.Add(new Problem("AnnotationsTooLarge", $"the {what} has {total} bytes of annotations{where}; the API server allows at most {MaxAnnotationBytes} (256 KiB).", [.. path, "annotations"]));
            }
        }
    }

    /// <summary><see cref="CheckObject"/>'s problems as errors, each at the line of the field it is about.</summary>
    public static IEnumerable<ManifestException> ProblemsOf(ManifestObject o) =>
        CheckObject(o.Body).Select(p => new ManifestException(p.ErrorId, o.LocationOf(p.Path), p.Message));

    /// <summary>A map of strings (null values read as empty, as the API server decodes them); adds a problem and answers null otherwise.</summary>
    private static List<(string Key, string Value)>? StringMap(JsonNode? node, string what, string[] path, List<Problem> problems)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject map:
                var result = new List<(string, string)>(map.Count);
                foreach (var (key, value) in map)
                {
                    if (value is null)
                    {
                        result.Add((key, ""));
                    }
                    else if (value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    {
                        result.Add((key, (string)v!));
                    }
                    else
                    {
                        problems.Add(new Problem("InvalidMetadata", $"{what} with '{key}' set to {Describe(value)}; values must be strings (quote them).", [.. path, key]));
                    }
                }

                return result;
            default:
                problems.Add(new Problem("InvalidMetadata", $"{what} as {Describe(node)}; it must be a mapping of names to strings.", path));
                return null;
        }
    }

    private static void CheckData(JsonObject body, string kind, string what, List<Problem> problems)
    {
        long total = 0;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var fields = kind == "Secret" ? new[] { "data", "stringData" } : new[] { "data", "binaryData" };
        foreach (var field in fields)
        {
            var binary = field is "binaryData" || (kind == "Secret" && field == "data");
            var entries = StringMap(body[field], $"the {what} has {field}", new[] { field }, problems);
            foreach (var (key, value) in entries ?? new List<(string, string)>())
            {
                if (key.Length > 253 || !ConfigMapKeyPattern().IsMatch(key) || key is "." or ".." || key.StartsWith("..", StringComparison.Ordinal))
                {
                    problems.Add(new Problem("InvalidDataKey", $"the {what} has an invalid key '{Shorten(key)}' in {field}: keys are at most 253 letters, digits, '-', '_' and '.', and not '.', '..' nor starting with '..'.", new[] { field, key }));
                }
                else if (!keys.Add(key) && !(kind == "Secret" && field == "stringData"))
                {
                    problems.Add(new Problem("InvalidDataKey", $"the {what} has the key '{key}' in both data and {field}.", new[] { field, key }));
                }

                total += binary ? Base64Length(value) : Utf8(value);
            }
        }

        if (total > MaxDataBytes)
        {
            problems.Add(new Problem("DataTooLarge", $"the {what} holds {total / 1024} KiB of data; the API server allows at most 1 MiB in a {kind}."));
        }
    }

    /// <summary>apimachinery's IsQualifiedName: an optional DNS subdomain prefix and '/', then a name of at most 63 characters; null when valid.</summary>
    public static string? CheckQualifiedName(string value)
    {
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                if (parts[0].Length == 0) return "the prefix before '/' must not be empty";
                if (parts[0].Length > 253 || !Dns1123Subdomain().IsMatch(parts[0])) return "the prefix before '/' must be a lowercase DNS subdomain (at most 253 characters)";
                name = parts[1];
                break;
            default:
                return "it may hold at most one '/' (an optional DNS subdomain prefix and a name)";
        }

        if (name.Length == 0) return "the name part must not be empty";
        if (name.Length > 63) return "the name part must be at most 63 characters";
        return QualifiedNamePart().IsMatch(name) ? null : "the name part must consist of letters, digits, '-', '_' and '.', and start and end with a letter or digit";
    }

    /// <summary>The size of an object as the JSON request body that would carry it.</summary>
    public static long JsonSize(JsonNode node)
    {
        var counter = new ByteCounter();
        using (var writer = new System.Text.Json.Utf8JsonWriter(counter, new System.Text.Json.JsonWriterOptions { MaxDepth = MaxJsonDepth, SkipValidation = true }))
        {
            node.WriteTo(writer);
        }

        return counter.Count;
    }

    /// <summary>Counts what is written into one reused buffer: a size without holding the bytes.</summary>
    private sealed class ByteCounter : System.Buffers.IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[16 * 1024];

        public long Count { get; private set; }

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Buffer(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Buffer(sizeHint);

        private byte[] Buffer(int sizeHint)
        {
            if (sizeHint > _buffer.Length) _buffer = new byte[sizeHint];
            return _buffer;
        }
    }

    private static long Utf8(string s) => System.Text.Encoding.UTF8.GetByteCount(s);

    private static long Base64Length(string s) => s.Length / 4 * 3;

    private static string Shorten(string s) => s.Length > 80 ? s[..77] + "..." : s;

    private static string Describe(JsonNode node) => node switch
    {
        JsonArray => "a list",
        JsonObject => "a mapping",
        JsonValue v => v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => $"the string '{Shorten((string)v!)}'",
            System.Text.Json.JsonValueKind.Number => $"the number {v.ToJsonString()}",
            _ => $"{v.ToJsonString()}",
        },
        _ => "something else",
    };

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
