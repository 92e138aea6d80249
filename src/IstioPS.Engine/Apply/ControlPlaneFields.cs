using System.Text.Json;
using System.Text.Json.Nodes;

namespace IstioPS.Engine.Apply;

/// <summary>
/// Fields a running control plane writes into objects IstioPS installs: istiod sets each webhook's
/// <c>clientConfig.caBundle</c> and switches its validating webhooks' <c>failurePolicy</c> to <c>Fail</c>
/// (Istio's pkg/webhooks, as field manager pilot-discovery). Once the live object shows another field
/// manager owning one of them, an apply leaves it out: IstioPS never takes back a field the control plane
/// took (pre-rendered manifests carry <c>failurePolicy: Ignore</c>; a forced apply would re-open the
/// fail-open window and report drift on every run). Releases rendered as upgrades leave them out already.
/// </summary>
public static class ControlPlaneFields
{
    private const string WebhookGroup = "admissionregistration.k8s.io";

    /// <summary>Whether the objects of a collection may hold control-plane fields (their managedFields say whose they are).</summary>
    public static bool ConcernsCollection(string collectionPath) => collectionPath.Contains($"/{WebhookGroup}/", StringComparison.Ordinal);

    /// <summary>Per kind: fields under each item of the <c>webhooks</c> list (keyed by name) that the control plane may own.</summary>
    private static readonly Dictionary<string, string[][]> WebhookFields = new(StringComparer.Ordinal)
    {
        ["ValidatingWebhookConfiguration"] = new[] { new[] { "failurePolicy" }, new[] { "clientConfig", "caBundle" } },
        ["MutatingWebhookConfiguration"] = new[] { new[] { "clientConfig", "caBundle" } },
    };

    /// <summary>Whether objects of this kind can hold control-plane fields (worth reading the live object for).</summary>
    public static bool Concerns(JsonObject body) =>
        ((string?)body["apiVersion"] ?? "").StartsWith(WebhookGroup + "/", StringComparison.Ordinal) && WebhookFields.ContainsKey((string?)body["kind"] ?? "");

    /// <summary>
    /// Removes from <paramref name="body"/> the control-plane fields that <paramref name="live"/>'s managedFields
    /// give to a manager other than <paramref name="manager"/>; returns their paths (for verbose output).
    /// </summary>
    public static IReadOnlyList<string> Yield(JsonObject body, JsonObject? live, string manager)
    {
        var yielded = new List<string>();
        if (live is null || !Concerns(body)
            || !WebhookFields.TryGetValue((string?)body["kind"] ?? "", out var fields)
            || body["webhooks"] is not JsonArray webhooks)
        {
            return yielded;
        }

        var foreign = ForeignWebhookFields(live, manager);
        foreach (var hook in webhooks.OfType<JsonObject>())
        {
            var name = (string?)hook["name"] ?? "";
            foreach (var path in fields)
            {
                if (!foreign.Contains((name, string.Join('.', path)))) continue;
                var parent = hook;
                for (var i = 0; i < path.Length - 1 && parent is not null; i++) parent = parent[path[i]] as JsonObject;
                if (parent is not null && parent.Remove(path[^1])) yielded.Add($"webhooks[name={name}].{string.Join('.', path)}");
            }
        }

        return yielded;
    }

    /// <summary>(webhook name, field path) pairs that managedFields give to managers other than <paramref name="manager"/>.</summary>
    private static HashSet<(string Name, string Path)> ForeignWebhookFields(JsonObject live, string manager)
    {
        var owned = new HashSet<(string, string)>();
        foreach (var entry in (live["metadata"]?["managedFields"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
        {
            if ((string?)entry["manager"] == manager || entry["fieldsV1"]?["f:webhooks"] is not JsonObject items) continue;
            foreach (var (key, item) in items)
            {
                if (!key.StartsWith("k:", StringComparison.Ordinal) || item is not JsonObject set) continue;
                string? name;
                try
                {
                    name = (string?)JsonNode.Parse(key[2..])?["name"];
                }
                catch (JsonException)
                {
                    continue;
                }

                if (name is null) continue;
                Collect(set, name, "", owned);
            }
        }

        return owned;
    }

    private static void Collect(JsonObject set, string name, string prefix, HashSet<(string, string)> owned)
    {
        foreach (var (key, child) in set)
        {
            if (!key.StartsWith("f:", StringComparison.Ordinal)) continue;
            var path = prefix.Length == 0 ? key[2..] : $"{prefix}.{key[2..]}";
            owned.Add((name, path));
            if (child is JsonObject nested) Collect(nested, name, path, owned);
        }
    }
}
