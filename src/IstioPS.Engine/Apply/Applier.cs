using System.Net;
using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Apply;

/// <summary>
/// Writes objects with server-side apply under one field manager, several requests in flight.
/// One implementation serves install (apply), injection labels (merge patches), restarts and deletes.
/// </summary>
public sealed class Applier
{
    public const string FieldManager = "istiops";

    private readonly KubeApi api;

    public Applier(KubeApi api, int concurrency = 8)
    {
        this.api = api;
        Concurrency = Math.Max(1, concurrency);
    }

    public int Concurrency { get; }

    /// <summary>
    /// The cluster's current resourceVersion, read once before writing: an object whose version is
    /// not newer afterwards was left unchanged by the apply.
    /// </summary>
    public async Task<long?> BaselineAsync(CancellationToken ct)
    {
        var list = await api.GetAsync(ResourceInfo.Namespaces.CollectionPath(null) + "?limit=1", ct).ConfigureAwait(false);
        return long.TryParse((string?)list["metadata"]?["resourceVersion"], out var rv) ? rv : null;
    }

    /// <summary>Server-side apply of one object; tells created, configured or unchanged.</summary>
    public async Task<(AppliedObject Result, JsonObject Live)> ApplyAsync(JsonObject body, ResourceInfo resource, string? ns, long? baseline, string? component, string? source, CancellationToken ct)
    {
        var name = (string?)body["metadata"]?["name"] ?? "";
        var objectPath = resource.ObjectPath(resource.Namespaced ? ns : null, name);
        if (ControlPlaneFields.Concerns(body))
        {
            // Never take back what the running control plane took (istiod's failurePolicy and caBundle).
            body = body.DeepClone().AsObject();
            ControlPlaneFields.Yield(body, await api.TryGetAsync(objectPath, ct).ConfigureAwait(false), FieldManager);
        }

        var path = objectPath + $"?fieldManager={FieldManager}&force=true";
        var (status, live) = await api.WriteAsync(HttpMethod.Patch, path, body, KubeApi.ApplyPatch, ct, target: $"{resource.Kind}/{name}").ConfigureAwait(false);
        var rvText = (string?)live["metadata"]?["resourceVersion"];
        ApplyAction action;
        if (status == HttpStatusCode.Created)
        {
            action = ApplyAction.Created;
        }
        else if (baseline is { } b && long.TryParse(rvText, out var rv))
        {
            action = rv > b ? ApplyAction.Configured : ApplyAction.Unchanged;
        }
        else
        {
            action = ApplyAction.Configured;
        }

        return (new AppliedObject
        {
            ApiVersion = resource.ApiVersion,
            Kind = resource.Kind,
            Namespace = resource.Namespaced ? ns : null,
            Name = name,
            Action = action,
            Component = component,
            Source = source,
            ResourceVersion = rvText,
        }, live);
    }

    /// <summary>A JSON merge patch (labels, annotations); answers the patched object.</summary>
    public async Task<JsonObject> MergePatchAsync(ResourceInfo resource, string? ns, string name, JsonObject patch, CancellationToken ct)
    {
        var path = resource.ObjectPath(ns, name) + $"?fieldManager={FieldManager}";
        var (_, live) = await api.WriteAsync(HttpMethod.Patch, path, patch, KubeApi.MergePatch, ct, target: name).ConfigureAwait(false);
        return live;
    }

    /// <summary>
    /// A rolling restart, as `kubectl rollout restart` does it: stamps the pod template with the
    /// kubectl.kubernetes.io/restartedAt annotation, so the controller rolls new pods.
    /// </summary>
    public async Task<AppliedObject> RestartAsync(ResourceInfo resource, string ns, string name, DateTimeOffset at, CancellationToken ct)
    {
        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject { [RestartedAtAnnotation] = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) },
                    },
                },
            },
        };
        var live = await MergePatchAsync(resource, ns, name, patch, ct).ConfigureAwait(false);
        return new AppliedObject
        {
            ApiVersion = resource.ApiVersion, Kind = resource.Kind, Namespace = ns, Name = name, Action = ApplyAction.Restarted,
            ResourceVersion = (string?)live["metadata"]?["resourceVersion"],
        };
    }

    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    /// <summary>Deletes one object (background propagation); NotFound is not an error.</summary>
    public async Task<AppliedObject> DeleteAsync(ResourceInfo resource, string? ns, string name, CancellationToken ct)
    {
        var path = resource.ObjectPath(resource.Namespaced ? ns : null, name);
        var body = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["propagationPolicy"] = "Background" };
        ApplyAction action;
        try
        {
            await api.WriteAsync(HttpMethod.Delete, path, body, "application/json", ct, target: $"{resource.Kind}/{name}").ConfigureAwait(false);
            action = ApplyAction.Deleted;
        }
        catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            action = ApplyAction.NotFound;
        }

        return new AppliedObject { ApiVersion = resource.ApiVersion, Kind = resource.Kind, Namespace = resource.Namespaced ? ns : null, Name = name, Action = action };
    }

    /// <summary>Runs one write per item with bounded concurrency; each result is handed on as soon as it exists.</summary>
    public async Task ForEachAsync<T>(IEnumerable<T> items, Func<T, CancellationToken, Task> write, CancellationToken ct)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct };
        await Parallel.ForEachAsync(items, options, async (item, token) => await write(item, token).ConfigureAwait(false)).ConfigureAwait(false);
    }
}
