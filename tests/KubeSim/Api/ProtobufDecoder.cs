using System.Text;
using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>
/// Decodes the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) for the few built-in kinds kubectl's
/// typed clients create with protobuf bodies (kubectl create namespace|configmap|secret|serviceaccount).
/// Other kinds are answered with 415, asking for JSON.
/// </summary>
public static class ProtobufDecoder
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";
    static readonly byte[] Magic = [0x6b, 0x38, 0x73, 0x00];

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual(Magic))
            throw ApiException.BadRequest("protobuf body does not start with the k8s magic prefix");
        string? apiVersion = null, kind = null;
        byte[]? raw = null;
        foreach (var (field, value) in Fields(body.AsMemory(4)))
        {
            if (field == 1)
                foreach (var (tf, tv) in Fields(value))
                {
                    if (tf == 1) apiVersion = Str(tv);
                    else if (tf == 2) kind = Str(tv);
                }
            else if (field == 2) raw = value.ToArray();
        }
        if (raw is null || kind is null) throw ApiException.BadRequest("protobuf envelope has no object");
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        switch (apiVersion, kind)
        {
            case ("v1", "Namespace"):
                foreach (var (f, v) in Fields(raw))
                {
                    if (f == 1) obj["metadata"] = ObjectMeta(v);
                    else if (f == 2) obj["spec"] = new JsonObject { ["finalizers"] = Repeated(raw, 2, 1) };
                }
                break;
            case ("v1", "ConfigMap"):
                foreach (var (f, v) in Fields(raw))
                {
                    if (f == 1) obj["metadata"] = ObjectMeta(v);
                    else if (f == 2) MapEntry(obj.Obj("data"), v, bytes: false);
                    else if (f == 3) MapEntry(obj.Obj("binaryData"), v, bytes: true);
                    else if (f == 4) obj["immutable"] = Varint(v) != 0;
                }
                break;
            case ("v1", "Secret"):
                foreach (var (f, v) in Fields(raw))
                {
                    if (f == 1) obj["metadata"] = ObjectMeta(v);
                    else if (f == 2) MapEntry(obj.Obj("data"), v, bytes: true);
                    else if (f == 3) obj["type"] = Str(v);
                    else if (f == 4) MapEntry(obj.Obj("stringData"), v, bytes: false);
                    else if (f == 5) obj["immutable"] = Varint(v) != 0;
                }
                break;
            case ("v1", "ServiceAccount"):
                foreach (var (f, v) in Fields(raw))
                {
                    if (f == 1) obj["metadata"] = ObjectMeta(v);
                    else if (f == 4) obj["automountServiceAccountToken"] = Varint(v) != 0;
                }
                break;
            default:
                throw ApiException.UnsupportedMediaType(MediaType, ["application/json", "application/yaml"]);
        }
        return obj;
    }

    static JsonObject ObjectMeta(ReadOnlyMemory<byte> data)
    {
        var meta = new JsonObject();
        foreach (var (f, v) in Fields(data))
        {
            switch (f)
            {
                case 1: meta["name"] = Str(v); break;
                case 2: meta["generateName"] = Str(v); break;
                case 3: meta["namespace"] = Str(v); break;
                case 11: MapEntry(meta.Obj("labels"), v, bytes: false); break;
                case 12: MapEntry(meta.Obj("annotations"), v, bytes: false); break;
                case 14:
                    if (meta["finalizers"] is not JsonArray a) meta["finalizers"] = a = new JsonArray();
                    a.Add(Str(v));
                    break;
            }
        }
        return meta;
    }

    static JsonArray Repeated(byte[] message, int outer, int inner)
    {
        var result = new JsonArray();
        foreach (var (f, v) in Fields(message))
            if (f == outer)
                foreach (var (g, w) in Fields(v))
                    if (g == inner) result.Add(Str(w));
        return result;
    }

    static void MapEntry(JsonObject target, ReadOnlyMemory<byte> entry, bool bytes)
    {
        string key = "";
        JsonNode? value = bytes ? "" : "";
        foreach (var (f, v) in Fields(entry))
        {
            if (f == 1) key = Str(v);
            else if (f == 2) value = bytes ? Convert.ToBase64String(v.Span) : Str(v);
        }
        target[key] = value;
    }

    static string Str(ReadOnlyMemory<byte> v) => Encoding.UTF8.GetString(v.Span);

    static ulong Varint(ReadOnlyMemory<byte> v)
    {
        var span = v.Span;
        var pos = 0;
        return ReadVarint(span, ref pos);
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

    /// <summary>Fields of a message: varints as their raw bytes, length-delimited as their payload.</summary>
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
                case 1: list.Add((field, data.Slice(pos, 8))); pos += 8; break;
                case 5: list.Add((field, data.Slice(pos, 4))); pos += 4; break;
                case 2:
                {
                    var len = (int)ReadVarint(span, ref pos);
                    if (len < 0 || pos + len > span.Length) throw ApiException.BadRequest("truncated protobuf field");
                    list.Add((field, data.Slice(pos, len)));
                    pos += len;
                    break;
                }
                default: throw ApiException.BadRequest("unsupported protobuf wire type");
            }
        }
        return list;
    }
}
