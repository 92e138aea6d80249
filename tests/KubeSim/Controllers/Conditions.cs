using System.Text;
using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>Helpers for status conditions (times kept while nothing changes) and template hashes.</summary>
public static class Conditions
{
    public static void Set(JsonObject status, string type, string value, string? reason = null, string? message = null,
        bool updateTime = false, bool probeTime = false)
    {
        if (status["conditions"] is not JsonArray list) status["conditions"] = list = new JsonArray();
        var existing = list.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == type);
        var now = Json.Now();
        if (existing is not null && existing.Str("status") == value && existing.Str("reason") == reason && existing.Str("message") == message)
            return;
        var c = new JsonObject { ["type"] = type, ["status"] = value };
        if (probeTime) c["lastProbeTime"] = null;
        if (updateTime) c["lastUpdateTime"] = now;
        c["lastTransitionTime"] = existing is not null && existing.Str("status") == value ? existing["lastTransitionTime"]?.DeepClone() : now;
        if (reason is not null) c["reason"] = reason;
        if (message is not null) c["message"] = message;
        if (existing is not null) list[list.IndexOf(existing)] = c;
        else list.Add(c);
    }

    public static string? Get(JsonNode? status, string type) =>
        (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == type)?.Str("status");

    /// <summary>
    /// A short stable hash of a JSON value (independent of property order; null properties count as absent,
    /// as they do in typed objects), spelled with the characters Kubernetes uses in generated names.
    /// </summary>
    public static string Hash(JsonNode? node)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        uint h = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(Json.Text(Canonical(node))))
        {
            h ^= b;
            h *= 16777619;
        }
        var digits = h.ToString();
        var sb = new StringBuilder();
        foreach (var ch in digits) sb.Append(alphabet[(ch * 7 + sb.Length) % alphabet.Length]);
        return sb.ToString();
    }

    static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(kv => kv.Value is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => KeyValuePair.Create(kv.Key, Canonical(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        _ => node?.DeepClone(),
    };

    public static bool IsPodReady(JsonObject pod) =>
        pod.At("metadata", "deletionTimestamp") is null && Get(pod["status"], "Ready") == "True";

    public static bool IsTerminating(JsonObject obj) => obj.At("metadata", "deletionTimestamp") is not null;
}
