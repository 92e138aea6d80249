using System.Text;
using System.Text.Json.Nodes;

namespace KubeSim.Api;

/// <summary>
/// Decodes the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) for the built-in kinds kubectl's typed
/// clients create with protobuf bodies (kubectl create namespace|configmap|secret|serviceaccount|deployment|
/// service|job|pdb|role|clusterrole|rolebinding|clusterrolebinding, kubectl auth can-i). Fields are described by number in small
/// tables below; unknown fields are skipped and zero values dropped, as JSON's omitempty would. Other kinds get 415.
/// </summary>
public static class ProtobufDecoder
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";
    static readonly byte[] Magic = [0x6b, 0x38, 0x73, 0x00];

    enum T { Str, Int, Bool, Msg, Map, BytesMap, QuantityMap, IntOrStr }

    /// <summary>One field: JSON name, wire interpretation, nested message, repeated, kept when zero (pointer fields).</summary>
    sealed record F(string Name, T Type, Dictionary<int, F>? Msg = null, bool Repeated = false, bool KeepZero = false);

    static F S(string name, bool repeated = false) => new(name, T.Str, Repeated: repeated);
    static F I(string name, bool keepZero = false) => new(name, T.Int, KeepZero: keepZero);
    static F B(string name) => new(name, T.Bool);
    static F M(string name, Dictionary<int, F> msg, bool repeated = false) => new(name, T.Msg, msg, repeated);

    static readonly Dictionary<int, F> ObjectMeta = new()
    {
        [1] = S("name"), [2] = S("generateName"), [3] = S("namespace"),
        [11] = new("labels", T.Map), [12] = new("annotations", T.Map), [14] = S("finalizers", true),
    };
    static readonly Dictionary<int, F> LabelSelector = new()
    {
        [1] = new("matchLabels", T.Map),
        [2] = M("matchExpressions", new() { [1] = S("key"), [2] = S("operator"), [3] = S("values", true) }, true),
    };
    static readonly Dictionary<int, F> Container = new()
    {
        [1] = S("name"), [2] = S("image"), [3] = S("command", true), [4] = S("args", true), [5] = S("workingDir"),
        [6] = M("ports", new() { [1] = S("name"), [2] = I("hostPort"), [3] = I("containerPort"), [4] = S("protocol"), [5] = S("hostIP") }, true),
        [7] = M("env", new() { [1] = S("name"), [2] = S("value") }, true),
        [8] = M("resources", new() { [1] = new("limits", T.QuantityMap), [2] = new("requests", T.QuantityMap) }),
        [13] = S("terminationMessagePath"), [14] = S("imagePullPolicy"), [16] = B("stdin"), [17] = B("stdinOnce"),
        [18] = B("tty"), [20] = S("terminationMessagePolicy"),
    };
    static readonly Dictionary<int, F> PodSpec = new()
    {
        [2] = M("containers", Container, true), [3] = S("restartPolicy"), [4] = I("terminationGracePeriodSeconds", true),
        [6] = S("dnsPolicy"), [7] = new("nodeSelector", T.Map), [8] = S("serviceAccountName"), [10] = S("nodeName"),
        [11] = B("hostNetwork"), [14] = M("securityContext", new()), [16] = S("hostname"), [17] = S("subdomain"),
        [19] = S("schedulerName"), [20] = M("initContainers", Container, true), [24] = S("priorityClassName"),
    };
    static readonly Dictionary<int, F> PodTemplateSpec = new() { [1] = M("metadata", ObjectMeta), [2] = M("spec", PodSpec) };
    static readonly Dictionary<int, F> DeploymentSpec = new()
    {
        [1] = I("replicas", true), [2] = M("selector", LabelSelector), [3] = M("template", PodTemplateSpec),
        [4] = M("strategy", new()
        {
            [1] = S("type"),
            [2] = M("rollingUpdate", new() { [1] = new("maxUnavailable", T.IntOrStr), [2] = new("maxSurge", T.IntOrStr) }),
        }),
        [5] = I("minReadySeconds"), [6] = I("revisionHistoryLimit", true), [7] = B("paused"), [9] = I("progressDeadlineSeconds", true),
    };
    static readonly Dictionary<int, F> ServiceSpec = new()
    {
        [1] = M("ports", new()
        {
            [1] = S("name"), [2] = S("protocol"), [3] = I("port"), [4] = new("targetPort", T.IntOrStr), [5] = I("nodePort"), [6] = S("appProtocol"),
        }, true),
        [2] = new("selector", T.Map), [3] = S("clusterIP"), [4] = S("type"), [5] = S("externalIPs", true),
        [7] = S("sessionAffinity"), [8] = S("loadBalancerIP"), [10] = S("externalName"), [11] = S("externalTrafficPolicy"),
    };
    static readonly Dictionary<int, F> JobSpec = new()
    {
        [1] = I("parallelism", true), [2] = I("completions", true), [3] = I("activeDeadlineSeconds", true),
        [4] = M("selector", LabelSelector), [6] = M("template", PodTemplateSpec), [7] = I("backoffLimit", true), [10] = B("suspend"),
    };
    static readonly Dictionary<int, F> PolicyRule = new()
    {
        [1] = S("verbs", true), [2] = S("apiGroups", true), [3] = S("resources", true), [4] = S("resourceNames", true), [5] = S("nonResourceURLs", true),
    };
    static readonly Dictionary<int, F> Binding = new()
    {
        [1] = M("metadata", ObjectMeta),
        [2] = M("subjects", new() { [1] = S("kind"), [2] = S("apiGroup"), [3] = S("name"), [4] = S("namespace") }, true),
        [3] = M("roleRef", new() { [1] = S("apiGroup"), [2] = S("kind"), [3] = S("name") }),
    };

    static Dictionary<int, F> WithMeta(Dictionary<int, F> fields)
    {
        var d = new Dictionary<int, F>(fields) { [1] = M("metadata", ObjectMeta) };
        return d;
    }

    static readonly Dictionary<(string, string), Dictionary<int, F>> Kinds = new()
    {
        [("v1", "Namespace")] = WithMeta(new() { [2] = M("spec", new() { [1] = S("finalizers", true) }) }),
        [("v1", "ConfigMap")] = WithMeta(new() { [2] = new("data", T.Map), [3] = new("binaryData", T.BytesMap), [4] = B("immutable") }),
        [("v1", "Secret")] = WithMeta(new() { [2] = new("data", T.BytesMap), [3] = S("type"), [4] = new("stringData", T.Map), [5] = B("immutable") }),
        [("v1", "ServiceAccount")] = WithMeta(new() { [4] = B("automountServiceAccountToken") }),
        [("v1", "Service")] = WithMeta(new() { [2] = M("spec", ServiceSpec) }),
        [("apps/v1", "Deployment")] = WithMeta(new() { [2] = M("spec", DeploymentSpec) }),
        [("batch/v1", "Job")] = WithMeta(new() { [2] = M("spec", JobSpec) }),
        [("policy/v1", "PodDisruptionBudget")] = WithMeta(new()
        {
            [2] = M("spec", new()
            {
                [1] = new("minAvailable", T.IntOrStr), [2] = M("selector", LabelSelector),
                [3] = new("maxUnavailable", T.IntOrStr), [4] = S("unhealthyPodEvictionPolicy"),
            }),
        }),
        [("rbac.authorization.k8s.io/v1", "Role")] = WithMeta(new() { [2] = M("rules", PolicyRule, true) }),
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = WithMeta(new() { [2] = M("rules", PolicyRule, true) }),
        [("authorization.k8s.io/v1", "SelfSubjectAccessReview")] = WithMeta(new()
        {
            [2] = M("spec", new()
            {
                [1] = M("resourceAttributes", new()
                {
                    [1] = S("namespace"), [2] = S("verb"), [3] = S("group"), [4] = S("version"), [5] = S("resource"), [6] = S("subresource"), [7] = S("name"),
                }),
                [2] = M("nonResourceAttributes", new() { [1] = S("path"), [2] = S("verb") }),
            }),
        }),
        [("authorization.k8s.io/v1", "SelfSubjectRulesReview")] = WithMeta(new() { [2] = M("spec", new() { [1] = S("namespace") }) }),
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = Binding,
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = Binding,
    };

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual(Magic))
            throw ApiException.BadRequest("protobuf body does not start with the k8s magic prefix");
        string? apiVersion = null, kind = null;
        ReadOnlyMemory<byte>? raw = null;
        foreach (var (field, value) in Fields(body.AsMemory(4)))
        {
            if (field == 1)
                foreach (var (tf, tv) in Fields(value))
                {
                    if (tf == 1) apiVersion = Str(tv);
                    else if (tf == 2) kind = Str(tv);
                }
            else if (field == 2) raw = value;
        }
        if (raw is null || kind is null || apiVersion is null) throw ApiException.BadRequest("protobuf envelope has no object");
        if (!Kinds.TryGetValue((apiVersion, kind), out var fields))
            throw ApiException.UnsupportedMediaType(MediaType, ["application/json", "application/yaml"]);
        var obj = Message(fields, raw.Value);
        obj.Insert(0, "apiVersion", apiVersion);
        obj.Insert(1, "kind", kind);
        return obj;
    }

    static JsonObject Message(Dictionary<int, F> fields, ReadOnlyMemory<byte> data)
    {
        var obj = new JsonObject();
        foreach (var (number, value) in Fields(data))
        {
            if (!fields.TryGetValue(number, out var f)) continue;
            JsonNode? node = f.Type switch
            {
                T.Str => Str(value) is { Length: > 0 } s ? s : null,
                T.Int => (long)Varint(value) is var n && (n != 0 || f.KeepZero) ? n : null,
                T.Bool => Varint(value) != 0 ? true : null,
                T.Msg => Message(f.Msg!, value),
                T.IntOrStr => IntOrString(value),
                _ => null,
            };
            if (f.Type is T.Map or T.BytesMap or T.QuantityMap)
            {
                if (obj[f.Name] is not JsonObject map) obj[f.Name] = map = new JsonObject();
                MapEntry(map, value, f.Type);
                continue;
            }
            if (node is null) continue;
            if (!f.Repeated) obj[f.Name] = node;
            else if (obj[f.Name] is JsonArray list) list.Add(node);
            else obj[f.Name] = new JsonArray(node);
        }
        return obj;
    }

    static JsonNode IntOrString(ReadOnlyMemory<byte> data)
    {
        long type = 0, intVal = 0;
        var strVal = "";
        foreach (var (f, v) in Fields(data))
        {
            if (f == 1) type = (long)Varint(v);
            else if (f == 2) intVal = (long)Varint(v);
            else if (f == 3) strVal = Str(v);
        }
        return type == 1 ? JsonValue.Create(strVal) : JsonValue.Create(intVal);
    }

    static void MapEntry(JsonObject target, ReadOnlyMemory<byte> entry, T type)
    {
        var key = "";
        JsonNode value = "";
        foreach (var (f, v) in Fields(entry))
        {
            if (f == 1) key = Str(v);
            else if (f == 2)
                value = type switch
                {
                    T.BytesMap => Convert.ToBase64String(v.Span),
                    T.QuantityMap => Fields(v).Where(q => q.Field == 1).Select(q => Str(q.Value)).FirstOrDefault() ?? "",
                    _ => Str(v),
                };
        }
        target[key] = value;
    }

    static string Str(ReadOnlyMemory<byte> v) => Encoding.UTF8.GetString(v.Span);

    static ulong Varint(ReadOnlyMemory<byte> v)
    {
        var pos = 0;
        return ReadVarint(v.Span, ref pos);
    }

    static ulong ReadVarint(ReadOnlySpan<byte> span, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= span.Length) throw ApiException.BadRequest("truncated protobuf varint");
            var b = span[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw ApiException.BadRequest("invalid protobuf varint");
    }

    /// <summary>Fields of a message: varints as their raw bytes, length-delimited ones as their payload.</summary>
    static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> data)
    {
        var list = new List<(int, ReadOnlyMemory<byte>)>();
        var span = data.Span;
        var pos = 0;
        while (pos < span.Length)
        {
            var key = ReadVarint(span, ref pos);
            var field = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                {
                    var start = pos;
                    ReadVarint(span, ref pos);
                    list.Add((field, data[start..pos]));
                    break;
                }
                case 1 when pos + 8 <= span.Length: list.Add((field, data.Slice(pos, 8))); pos += 8; break;
                case 5 when pos + 4 <= span.Length: list.Add((field, data.Slice(pos, 4))); pos += 4; break;
                case 2:
                {
                    var len = (long)ReadVarint(span, ref pos);
                    if (len < 0 || pos + len > span.Length) throw ApiException.BadRequest("truncated protobuf field");
                    list.Add((field, data.Slice(pos, (int)len)));
                    pos += (int)len;
                    break;
                }
                default: throw ApiException.BadRequest("unsupported or truncated protobuf field");
            }
        }
        return list;
    }
}
