using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Prerequisites;

/// <summary>
/// Two sidecar-injection webhooks that would both be called for the same pod: of two MutatingWebhookConfigurations
/// (those stored, with the install's own in place of the stored ones of the same name), webhooks that mutate pod
/// creation and whose namespaceSelectors and objectSelectors can match the same namespace and pod. Istio keeps a
/// revision's webhooks, its revision tags and the default webhook apart by those selectors; two control planes
/// (or a stale tag) that match the same pods inject unpredictably.
/// </summary>
internal static class InjectionWebhookCheck
{
    public const string Overlap = "InjectionWebhooksOverlap";

    private sealed record Webhook(string Configuration, string Name, JsonObject? NamespaceSelector, JsonObject? ObjectSelector, bool Planned);

    public static async Task<IEnumerable<PrerequisiteFinding>> CheckAsync(KubeApi api, PrerequisiteRequest request, CancellationToken ct)
    {
        if (!request.InstallsControlPlane) return Array.Empty<PrerequisiteFinding>();
        var planned = request.Objects.Where(o => o.Kind == "MutatingWebhookConfiguration").Select(o => o.Body).ToList();
        var plannedNames = planned.Select(KubeFormat.Name).ToHashSet(StringComparer.Ordinal);
        var (stored, _) = await api.ListAsync(ResourceInfo.MutatingWebhookConfigurations.CollectionPath(null), null, ct).ConfigureAwait(false);
        var webhooks = stored.Where(c => !plannedNames.Contains(KubeFormat.Name(c))).SelectMany(c => PodWebhooks(c, false))
            .Concat(planned.SelectMany(c => PodWebhooks(c, true))).ToList();

        var findings = new List<PrerequisiteFinding>();
        var reported = new HashSet<(string, string)>();
        for (var i = 0; i < webhooks.Count; i++)
        {
            for (var j = i + 1; j < webhooks.Count; j++)
            {
                var (a, b) = (webhooks[i], webhooks[j]);
                if (a.Configuration == b.Configuration) continue;
                var namespaces = LabelRequirements.Of(a.NamespaceSelector).And(LabelRequirements.Of(b.NamespaceSelector));
                var pods = LabelRequirements.Of(a.ObjectSelector).And(LabelRequirements.Of(b.ObjectSelector));
                if (!namespaces.Satisfiable || !pods.Satisfiable) continue;
                var pair = string.CompareOrdinal(a.Configuration, b.Configuration) < 0 ? (a.Configuration, b.Configuration) : (b.Configuration, a.Configuration);
                if (!reported.Add(pair)) continue; // one finding per pair of configurations
                var would = a.Planned || b.Planned ? "would both be called" : "are both called";
                findings.Add(new PrerequisiteFinding
                {
                    Severity = FindingSeverity.Warning,
                    Code = Overlap,
                    Target = $"mutatingwebhookconfiguration/{pair.Item1}, mutatingwebhookconfiguration/{pair.Item2}",
                    Message = $"The injection webhooks {a.Name} ({Describe(a)}) and {b.Name} ({Describe(b)}) {would} for pods "
                              + $"{pods.Describe("labelled", "of any labels")} in namespaces {namespaces.Describe("labelled", "of any labels")}: which control plane injects them is not defined.",
                    Remedy = "Delete the configuration that is left over (an old revision's or tag's: Uninstall-Istio, `istioctl tag remove`, or kubectl delete mutatingwebhookconfiguration), or give the revisions disjoint namespace labels.",
                });
            }
        }

        return findings;
    }

    private static string Describe(Webhook w) => $"mutatingwebhookconfiguration/{w.Configuration}{(w.Planned ? ", which this install writes" : "")}";

    /// <summary>The webhooks of a configuration that mutate pods as they are created.</summary>
    private static IEnumerable<Webhook> PodWebhooks(JsonObject configuration, bool planned)
    {
        var name = KubeFormat.Name(configuration);
        foreach (var w in (configuration["webhooks"] as JsonArray)?.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>())
        {
            var rules = (w["rules"] as JsonArray)?.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>();
            var pods = rules.Any(r => Has(r, "resources", "pods") && Has(r, "operations", "CREATE"));
            if (pods) yield return new Webhook(name, (string?)w["name"] ?? "", w["namespaceSelector"] as JsonObject, w["objectSelector"] as JsonObject, planned);
        }

        static bool Has(JsonObject rule, string field, string value) =>
            (rule[field] as JsonArray)?.Any(v => (string?)v is { } s && (s == "*" || s == value)) == true;
    }
}

/// <summary>
/// A conjunction of label requirements (a LabelSelector's matchLabels and matchExpressions, or two selectors
/// together), key by key: whether any set of labels satisfies it all, and one such set described.
/// </summary>
internal sealed class LabelRequirements
{
    private readonly Dictionary<string, KeyRule> _rules = new(StringComparer.Ordinal);

    private sealed class KeyRule
    {
        public HashSet<string>? In;            // the value must be one of these (intersection of every In)
        public readonly HashSet<string> NotIn = new(StringComparer.Ordinal);
        public bool Exists;
        public bool Absent;                    // DoesNotExist
    }

    public static LabelRequirements Of(JsonObject? selector)
    {
        var result = new LabelRequirements();
        if (selector is null) return result;
        foreach (var (key, value) in selector["matchLabels"] as JsonObject ?? new JsonObject())
        {
            result.Add(key, "In", new[] { (string?)value ?? "" });
        }

        foreach (var e in (selector["matchExpressions"] as JsonArray)?.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>())
        {
            var values = (e["values"] as JsonArray)?.Select(v => (string?)v ?? "").ToArray() ?? Array.Empty<string>();
            result.Add((string?)e["key"] ?? "", (string?)e["operator"] ?? "", values);
        }

        return result;
    }

    public LabelRequirements And(LabelRequirements other)
    {
        var result = new LabelRequirements();
        foreach (var source in new[] { this, other })
        {
            foreach (var (key, r) in source._rules)
            {
                if (r.In is not null) result.Add(key, "In", r.In);
                if (r.NotIn.Count > 0) result.Add(key, "NotIn", r.NotIn);
                if (r.Exists) result.Add(key, "Exists", Array.Empty<string>());
                if (r.Absent) result.Add(key, "DoesNotExist", Array.Empty<string>());
            }
        }

        return result;
    }

    private void Add(string key, string op, IEnumerable<string> values)
    {
        if (!_rules.TryGetValue(key, out var r)) _rules[key] = r = new KeyRule();
        switch (op)
        {
            case "In":
                var set = values.ToHashSet(StringComparer.Ordinal);
                if (r.In is null) r.In = set;
                else r.In.IntersectWith(set);
                break;
            case "NotIn":
                r.NotIn.UnionWith(values);
                break;
            case "Exists":
                r.Exists = true;
                break;
            case "DoesNotExist":
                r.Absent = true;
                break;
            default:
                // An operator kube-apiserver would refuse: nothing matches it.
                r.In = new HashSet<string>(StringComparer.Ordinal);
                break;
        }
    }

    /// <summary>Whether some labels satisfy every requirement (keys are independent: each must be satisfiable alone).</summary>
    public bool Satisfiable => _rules.Values.All(r =>
        r.Absent ? r.In is null && !r.Exists : r.In is null || r.In.Except(r.NotIn).Any());

    /// <summary>One set of labels that satisfies it, as "labelled a=b, c, without d" (c: any value), or <paramref name="none"/>.</summary>
    public string Describe(string prefix, string none)
    {
        var ordered = _rules.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var present = ordered.Select(kv =>
            kv.Value.In is { } values ? $"{kv.Key}={values.Except(kv.Value.NotIn).Order(StringComparer.Ordinal).First()}"
            : kv.Value.Exists ? kv.Key
            : null).OfType<string>().ToList();
        var absent = ordered.Where(kv => kv.Value.Absent).Select(kv => kv.Key).ToList();
        var parts = new List<string>();
        if (present.Count > 0) parts.Add($"{prefix} {string.Join(", ", present)}");
        if (absent.Count > 0) parts.Add($"without {string.Join(", ", absent)}");
        return parts.Count == 0 ? none : string.Join(" and ", parts);
    }
}
