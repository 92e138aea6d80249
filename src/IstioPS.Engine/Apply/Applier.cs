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

    private readonly KubeApi _api;

    public Applier(KubeApi api, int concurrency = 8)
    {
        _api = api;
        Concurrency = Math.Max(1, concurrency);
    }

    public int Concurrency { get; }

    /// <summary>
    /// Server-side apply of one object (field manager istiops, force); answers the resourceVersion it was stored at (the
    /// stored object itself is not read back). <paramref name="live"/>: the object as just read, when the caller has it
    /// (see <see cref="LiveObject"/>); otherwise it is read when needed.
    /// </summary>
    public async Task<string?> ApplyAsync(JsonObject body, ResourceInfo resource, string? ns, CancellationToken ct, LiveObject? live = null)
    {
        var (path, sent, target) = await PrepareApplyAsync(body, resource, ns, dryRun: false, live, ct).ConfigureAwait(false);
        return (await _api.WriteForVersionAsync(HttpMethod.Patch, path, sent, KubeApi.ApplyPatch, ct, target).ConfigureAwait(false)).ResourceVersion;
    }

    /// <summary>
    /// The same server-side apply as <see cref="ApplyAsync"/> (same body, field manager and force) with dryRun=All:
    /// what the object would become, written nowhere, without its status and managedFields (what a plan compares never
    /// includes them). 201 when it would be created. Without <paramref name="answer"/> only the status is read (the
    /// answer is null).
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonObject? Answer)> DryRunAsync(JsonObject body, ResourceInfo resource, string? ns, CancellationToken ct, LiveObject? live = null, bool answer = true)
    {
        var (path, sent, target) = await PrepareApplyAsync(body, resource, ns, dryRun: true, live, ct).ConfigureAwait(false);
        if (!answer) return ((await _api.WriteForVersionAsync(HttpMethod.Patch, path, sent, KubeApi.ApplyPatch, ct, target).ConfigureAwait(false)).Status, null);
        var (status, written) = await _api.WriteProjectedAsync(HttpMethod.Patch, path, sent, KubeApi.ApplyPatch, NotCompared, ct, target).ConfigureAwait(false);
        return (status, written);
    }

    private static readonly string[] NotCompared = ["status"];

    /// <summary>The request of an apply: its path (field manager, force, dry run) and the applied configuration, which
    /// never takes back what the running control plane took (istiod's failurePolicy and caBundle).</summary>
    private async Task<(string Path, JsonObject Body, string Target)> PrepareApplyAsync(JsonObject body, ResourceInfo resource, string? ns, bool dryRun, LiveObject? live, CancellationToken ct)
    {
        var name = (string?)body["metadata"]?["name"] ?? "";
        var objectPath = resource.ObjectPath(resource.Namespaced ? ns : null, name);
        if (ControlPlaneFields.Concerns(body))
        {
            // The dry run and the apply send the same applied configuration.
            body = body.DeepClone().AsObject();
            var current = live is { } known ? known.Object : await _api.TryGetAsync(objectPath, ct).ConfigureAwait(false);
            ControlPlaneFields.Yield(body, current, FieldManager);
        }

        return (objectPath + $"?fieldManager={FieldManager}&force=true" + (dryRun ? "&dryRun=All" : ""), body, $"{resource.Kind}/{name}");
    }

    /// <summary>Creates a namespace (POST); one that exists already is left as it is (Unchanged).</summary>
    public async Task<AppliedObject> CreateNamespaceAsync(JsonObject body, CancellationToken ct)
    {
        var name = (string?)body["metadata"]?["name"] ?? "";
        try
        {
            var (_, live) = await _api.WriteAsync(HttpMethod.Post, ResourceInfo.Namespaces.CollectionPath(null) + $"?fieldManager={FieldManager}", body, "application/json", ct, $"namespace/{name}").ConfigureAwait(false);
            return new AppliedObject { ApiVersion = "v1", Kind = "Namespace", Name = name, Action = ApplyAction.Created, ResourceVersion = (string?)live["metadata"]?["resourceVersion"] };
        }
        catch (KubeApiException ex) when (ex.ErrorId == "AlreadyExists")
        {
            return new AppliedObject { ApiVersion = "v1", Kind = "Namespace", Name = name, Action = ApplyAction.Unchanged };
        }
    }

    /// <summary>A JSON merge patch (labels, annotations); answers the patched object.</summary>
    public async Task<JsonObject> MergePatchAsync(ResourceInfo resource, string? ns, string name, JsonObject patch, CancellationToken ct)
    {
        var path = resource.ObjectPath(ns, name) + $"?fieldManager={FieldManager}";
        var (_, live) = await _api.WriteAsync(HttpMethod.Patch, path, patch, KubeApi.MergePatch, ct, target: name).ConfigureAwait(false);
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
            await _api.WriteAsync(HttpMethod.Delete, path, body, "application/json", ct, target: $"{resource.Kind}/{name}").ConfigureAwait(false);
            action = ApplyAction.Deleted;
        }
        catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            action = ApplyAction.NotFound;
        }

        return new AppliedObject { ApiVersion = resource.ApiVersion, Kind = resource.Kind, Namespace = resource.Namespaced ? ns : null, Name = name, Action = action };
    }

    /// <summary>
    /// The one loop every batch of writes goes through: one write per item, <see cref="Concurrency"/> at a time, each
    /// result handed to the callbacks (Applied, Verbose, and Progress as "activity: n of total" within
    /// <paramref name="percent"/>) as soon as it exists. With <paramref name="continueOnError"/>, a failed item (after
    /// retries) is reported through <see cref="OperationCallbacks.Error"/> with its target named and the rest goes on;
    /// otherwise the first failure ends the batch. Returns the results of the items that were written.
    /// </summary>
    public async Task<IReadOnlyList<AppliedObject>> RunAsync<T>(IReadOnlyCollection<T> items, Func<T, string> target, Func<T, CancellationToken, Task<AppliedObject>> write,
        OperationCallbacks callbacks, string activity, CancellationToken ct, bool continueOnError = false, (int From, int To)? percent = null, Func<T, object>? errorTarget = null)
    {
        var results = new List<AppliedObject>();
        var (from, to) = percent ?? (0, 100);
        var done = 0;
        await ForEachAsync(items, async (item, token) =>
        {
            AppliedObject result;
            try
            {
                result = await write(item, token).ConfigureAwait(false);
            }
            catch (IstioPSException ex) when (continueOnError && !token.IsCancellationRequested)
            {
                callbacks.Error?.Invoke(new IstioPSException(ex.ErrorId, ex.Kind, $"{target(item)}: {ex.Message}", errorTarget?.Invoke(item) ?? target(item), ex));
                Report();
                return;
            }

            lock (results) results.Add(result);
            callbacks.Applied?.Invoke(result);
            callbacks.Verbose?.Invoke($"{target(item)} {result.Action.ToString().ToLowerInvariant()}");
            Report();

            void Report()
            {
                var n = Interlocked.Increment(ref done);
                callbacks.Progress?.Report(new OperationProgress($"{activity}: {n} of {items.Count}", from + (n * (to - from) / Math.Max(1, items.Count)), target(item)));
            }
        }, ct).ConfigureAwait(false);
        return results;
    }

    /// <summary>Runs one write per item with bounded concurrency.</summary>
    private async Task ForEachAsync<T>(IEnumerable<T> items, Func<T, CancellationToken, Task> write, CancellationToken ct)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct };
        await Parallel.ForEachAsync(items, options, async (item, token) => await write(item, token).ConfigureAwait(false)).ConfigureAwait(false);
    }
}

/// <summary>
/// What the caller knows of an object's live state, so the apply need not read it again: the object as listed or read
/// (null when it was absent). An object found absent carries no control-plane fields: istiod only updates webhook
/// configurations that exist.
/// </summary>
public readonly record struct LiveObject(JsonObject? Object);
