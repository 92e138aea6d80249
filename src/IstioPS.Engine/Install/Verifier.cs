using System.Text.Json;
using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Manifests;

namespace IstioPS.Engine.Install;

public enum DifferenceKind
{
    Missing,
    Drifted,
    NotReady,
}

/// <summary>One way the cluster differs from what should be there.</summary>
public sealed class InstallationDifference
{
    public required string Kind { get; init; }
    public string? Namespace { get; init; }
    public required string Name { get; init; }
    public required DifferenceKind Problem { get; init; }
    /// <summary>For Drifted: the paths whose live value differs from the expected one.</summary>
    public IReadOnlyList<string> Fields { get; init; } = Array.Empty<string>();
    public required string Detail { get; init; }
    public string? Component { get; init; }

    public override string ToString() => $"{Kind}/{Name}: {Problem}";
}

/// <summary>
/// Compares what should be installed (rendered or read) with the cluster: every expected object must
/// exist, carry the expected values (fields the server or controllers add are ignored), and workloads
/// and CRDs must be ready.
/// </summary>
public sealed class Verifier
{
    private const int MaxFields = 10;
    private readonly KubeApi api;
    private readonly RestMapper mapper;

    public Verifier(KubeApi api, RestMapper? mapper = null)
    {
        this.api = api;
        this.mapper = mapper ?? new RestMapper(api);
    }

    public async Task<IReadOnlyList<InstallationDifference>> VerifyAsync(IReadOnlyList<ManifestObject> expected, string defaultNamespace, Action<InstallationDifference>? onDifference, CancellationToken ct, int concurrency = 8)
    {
        var differences = new List<InstallationDifference>();
        void Report(InstallationDifference d)
        {
            lock (differences) differences.Add(d);
            onDifference?.Invoke(d);
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct };
        await Parallel.ForEachAsync(expected, options, async (o, token) =>
        {
            var resource = await mapper.FindAsync(o.ApiVersion, o.Kind, token).ConfigureAwait(false);
            var ns = resource is null ? o.Namespace : resource.Namespaced ? o.Namespace ?? defaultNamespace : null;
            InstallationDifference Diff(DifferenceKind kind, string detail, IReadOnlyList<string>? fields = null) => new()
            {
                Kind = o.Kind, Namespace = ns, Name = o.Name, Problem = kind, Detail = detail, Fields = fields ?? Array.Empty<string>(), Component = o.Component,
            };

            if (resource is null)
            {
                Report(Diff(DifferenceKind.Missing, $"the cluster does not serve {o.ApiVersion} {o.Kind} (its CustomResourceDefinition is missing)"));
                return;
            }

            var live = await api.TryGetAsync(resource.ObjectPath(ns, o.Name), token).ConfigureAwait(false);
            if (live is null)
            {
                Report(Diff(DifferenceKind.Missing, "not found"));
                return;
            }

            var fields = new List<string>();
            var expectedBody = Strip(o.Body);
            // What the running control plane took (istiod's failurePolicy and caBundle) is not drift.
            Apply.ControlPlaneFields.Yield(expectedBody, live, Apply.Applier.FieldManager);
            Compare(expectedBody, live, "", fields);
            if (fields.Count > 0)
            {
                Report(Diff(DifferenceKind.Drifted, $"{fields.Count} field(s) differ: {string.Join(", ", fields.Take(3))}{(fields.Count > 3 ? ", ..." : "")}", fields));
            }

            if (WorkloadStatus.IsWorkload(o.Kind) && WorkloadStatus.Evaluate(o.Kind, live) is { Ready: false } readiness)
            {
                Report(Diff(DifferenceKind.NotReady, readiness.Detail));
            }
            else if (o.Kind == "CustomResourceDefinition" && !WorkloadStatus.CrdEstablished(live))
            {
                Report(Diff(DifferenceKind.NotReady, "not Established"));
            }
        }).ConfigureAwait(false);

        return differences.OrderBy(d => d.Problem).ThenBy(d => d.Kind, StringComparer.Ordinal).ThenBy(d => d.Namespace).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The parts of an expected object that are compared: no status, no namespace/name (already matched).</summary>
    private static JsonObject Strip(JsonObject body)
    {
        var copy = body.DeepClone().AsObject();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject meta)
        {
            meta.Remove("namespace");
            meta.Remove("name");
            meta.Remove("creationTimestamp");
        }

        return copy;
    }

    /// <summary>Adds the path of every expected value that the live object lacks or holds differently.</summary>
    private static void Compare(JsonNode? expected, JsonNode? live, string path, List<string> fields)
    {
        if (fields.Count >= MaxFields || expected is null) return;
        switch (expected)
        {
            case JsonObject e:
                if (live is not JsonObject l)
                {
                    fields.Add(Root(path));
                    return;
                }

                foreach (var (key, value) in e)
                {
                    Compare(value, l[key], path.Length == 0 ? key : $"{path}.{key}", fields);
                }

                return;
            case JsonArray e:
                if (live is not JsonArray la || la.Count != e.Count)
                {
                    fields.Add(Root(path));
                    return;
                }

                for (var i = 0; i < e.Count; i++) Compare(e[i], la[i], $"{path}[{i}]", fields);
                return;
            default:
                if (live is null || live is JsonObject || live is JsonArray || !SameScalar(expected, live)) fields.Add(Root(path));
                return;
        }
    }

    private static string Root(string path) => path.Length == 0 ? "(object)" : path;

    private static bool SameScalar(JsonNode expected, JsonNode live)
    {
        string Text(JsonNode n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? (string)v! : n.ToJsonString();
        var a = Text(expected);
        var b = Text(live);
        if (a == b) return true;
        return double.TryParse(a, System.Globalization.CultureInfo.InvariantCulture, out var x)
               && double.TryParse(b, System.Globalization.CultureInfo.InvariantCulture, out var y) && x.Equals(y);
    }
}
