using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Wait;

/// <summary>A workload that did not become ready in time, with why (its pods' waiting reasons).</summary>
public sealed record NotReadyObject(string Kind, string Namespace, string Name, string Detail, IReadOnlyList<string> PodReasons)
{
    public override string ToString()
        => $"{Kind.ToLowerInvariant()}/{Name} in {Namespace}: {Detail}" + (PodReasons.Count > 0 ? $" ({string.Join("; ", PodReasons)})" : "");
}

/// <summary>The wait ran out of time; <see cref="NotReady"/> names what was not ready and why.</summary>
public sealed class NotReadyException : IstioPSException
{
    public NotReadyException(string errorId, string message, IReadOnlyList<NotReadyObject> notReady)
        : base(errorId, ErrorKind.OperationTimeout, message, notReady.FirstOrDefault()?.Name)
    {
        NotReady = notReady;
    }

    public IReadOnlyList<NotReadyObject> NotReady { get; }
}

/// <summary>A workload to wait for.</summary>
public sealed record WaitTarget(ResourceInfo Resource, string Namespace, string Name);

/// <summary>
/// Waits with watches, never fixed-interval polling: one watch per kind and namespace, whose
/// initial ADDED events give the current state and whose later events give every change. Each watch
/// survives the server closing it and compacting its history (<see cref="CollectionWatch"/>).
/// </summary>
public sealed class ReadinessWaiter
{
    private readonly KubeApi _api;

    public ReadinessWaiter(KubeApi api) => _api = api;

    /// <summary>Waits until every named CustomResourceDefinition is Established.</summary>
    public async Task WaitForCrdsAsync(IReadOnlyCollection<string> names, TimeSpan timeout, IProgress<OperationProgress>? progress, CancellationToken ct)
    {
        var pending = new HashSet<string>(names, StringComparer.Ordinal);
        if (pending.Count == 0) return;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await CollectionWatch.RunAsync(_api, ResourceInfo.CustomResourceDefinitions.CollectionPath(null), null, ev =>
            {
                var name = (string?)ev.Object["metadata"]?["name"];
                if (name is not null && WorkloadStatus.CrdEstablished(ev.Object) && pending.Remove(name))
                {
                    progress?.Report(new OperationProgress($"Waiting for {pending.Count} CustomResourceDefinitions to be established", -1, name));
                }

                return pending.Count == 0;
            }, cts.Token, omit: ["spec"]).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var list = pending.Select(n => new NotReadyObject("CustomResourceDefinition", "", n, "not Established", Array.Empty<string>())).ToList();
            throw new NotReadyException("CrdNotEstablished",
                $"Timed out after {timeout.TotalSeconds:0} s waiting for {list.Count} CustomResourceDefinitions to be established: {string.Join(", ", pending)}.", list);
        }
    }

    /// <summary>Waits until every workload is ready (Deployments available, DaemonSets and StatefulSets ready, Jobs complete).</summary>
    public async Task WaitForWorkloadsAsync(IReadOnlyList<WaitTarget> targets, TimeSpan timeout, IProgress<OperationProgress>? progress, CancellationToken ct)
    {
        if (targets.Count == 0) return;
        var state = new ConcurrentDictionary<WaitTarget, (JsonObject? Live, WorkloadReadiness Readiness)>();
        foreach (var t in targets) state[t] = (null, new WorkloadReadiness(false, 0, 0, "not seen yet"));
        var readyCount = 0;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var groups = targets.GroupBy(t => (t.Resource, t.Namespace)).ToList();
        progress?.Report(new OperationProgress($"Waiting for workloads: 0 of {targets.Count} ready", -1, string.Join(", ", targets.Take(3).Select(t => $"{t.Resource.Kind.ToLowerInvariant()}/{t.Name}"))));
        try
        {
            await Task.WhenAll(groups.Select(g => WatchGroupAsync(g.Key.Resource, g.Key.Namespace, g.ToList(), state, () =>
            {
                var ready = Interlocked.Increment(ref readyCount);
                var waiting = state.Where(kv => !kv.Value.Readiness.Ready).Select(kv => $"{kv.Key.Resource.Kind.ToLowerInvariant()}/{kv.Key.Name}").Take(3);
                progress?.Report(new OperationProgress($"Waiting for workloads: {ready} of {targets.Count} ready", targets.Count == 0 ? 100 : ready * 100 / targets.Count, string.Join(", ", waiting)));
            }, cts.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var notReady = await DescribeAsync(state.Where(kv => !kv.Value.Readiness.Ready).ToList(), ct).ConfigureAwait(false);
            throw new NotReadyException("InstallTimeout",
                $"Timed out after {FormatDuration(timeout)} waiting for {notReady.Count} of {targets.Count} workloads to become ready:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", notReady.Select(n => n.ToString())), notReady);
        }

        var failed = state.Where(kv => kv.Value.Readiness.Failed).ToList();
        if (failed.Count > 0)
        {
            var notReady = await DescribeAsync(failed, ct).ConfigureAwait(false);
            throw new NotReadyException("WorkloadFailed",
                $"{failed.Count} workloads failed:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", notReady.Select(n => n.ToString())), notReady);
        }
    }

    private async Task WatchGroupAsync(ResourceInfo resource, string ns, List<WaitTarget> targets,
        ConcurrentDictionary<WaitTarget, (JsonObject? Live, WorkloadReadiness Readiness)> state, Action onReady, CancellationToken ct)
    {
        var byName = targets.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var pending = new HashSet<string>(byName.Keys, StringComparer.Ordinal);
        string? fieldSelector = targets.Count == 1 ? $"metadata.name={targets[0].Name}" : null;
        await CollectionWatch.RunAsync(_api, resource.CollectionPath(ns), fieldSelector, ev =>
        {
            var name = (string?)ev.Object["metadata"]?["name"];
            if (name is null || !byName.TryGetValue(name, out var target)) return false;
            var readiness = ev.Type == "DELETED" ? new WorkloadReadiness(false, 0, 0, "deleted") : WorkloadStatus.Evaluate(resource.Kind, ev.Object);
            state[target] = (ev.Object, readiness);
            if ((readiness.Ready || readiness.Failed) && pending.Remove(name)) onReady();
            return pending.Count == 0;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>What a deletion wait never reads of the object: it is gone or not (its metadata says which).</summary>
    private static readonly string[] WhatGoneIsNot = ["spec", "status", "data", "binaryData", "rules", "webhooks", "subjects", "roleRef"];

    /// <summary>
    /// Waits until an object is gone: a delete returns at once, but an object with finalizers (a cloud load balancer's
    /// Service, a terminating namespace) stays, marked for deletion, until its controllers let it go. With
    /// <paramref name="uid"/>, an object of the same name and another uid (created anew meanwhile) counts as gone.
    /// On timeout, <paramref name="errorId"/> names the object and the finalizers still holding it.
    /// </summary>
    public async Task WaitGoneAsync(ResourceInfo resource, string? ns, string name, string? uid, TimeSpan timeout, string errorId, CancellationToken ct)
    {
        bool Same(JsonObject o) => (string?)o["metadata"]?["name"] == name && (uid is null || KubeFormat.Uid(o) == uid);
        var path = resource.CollectionPath(resource.Namespaced ? ns : null);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await CollectionWatch.RunAsync(_api, path, $"metadata.name={name}", ev => Same(ev.Object) ? ev.Type == "DELETED" : ev.Type != "DELETED",
                cts.Token, onList: items => !items.Any(Same), omit: WhatGoneIsNot).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var live = await _api.TryGetAsync(resource.ObjectPath(resource.Namespaced ? ns : null, name), ct).ConfigureAwait(false);
            var finalizers = (live?["metadata"]?["finalizers"] as JsonArray)?.Select(f => (string?)f).OfType<string>().ToList() ?? new List<string>();
            var where = ns is null || !resource.Namespaced ? "" : $" in namespace {ns}";
            throw new NotReadyException(errorId,
                $"{resource.Kind} '{name}'{where} was still being deleted after {FormatDuration(timeout)}"
                + (finalizers.Count > 0 ? $"; finalizers still hold it: {string.Join(", ", finalizers)}." : "."),
                new[] { new NotReadyObject(resource.Kind, ns ?? "", name, "being deleted", finalizers) });
        }
    }

    /// <summary>Why each workload is not ready: its own status and its pods' waiting reasons.</summary>
    private async Task<List<NotReadyObject>> DescribeAsync(List<KeyValuePair<WaitTarget, (JsonObject? Live, WorkloadReadiness Readiness)>> items, CancellationToken ct)
    {
        var result = new List<NotReadyObject>();
        var podsByNs = new Dictionary<string, List<JsonObject>>();
        foreach (var (target, (live, readiness)) in items)
        {
            if (!podsByNs.TryGetValue(target.Namespace, out var pods))
            {
                try
                {
                    pods = (await _api.ListAsync(ResourceInfo.Pods.CollectionPath(target.Namespace), null, ct).ConfigureAwait(false)).Items;
                }
                catch (IstioPSException)
                {
                    pods = new List<JsonObject>();
                }

                podsByNs[target.Namespace] = pods;
            }

            var selector = live?["spec"]?["selector"] as JsonObject;
            var reasons = pods.Where(p => KubeFormat.SelectorMatches(selector, p)).Select(PodProblem).Where(r => r is not null).Cast<string>().ToList();
            result.Add(new NotReadyObject(target.Resource.Kind, target.Namespace, target.Name, readiness.Detail, reasons));
        }

        return result;
    }

    /// <summary>"pod-name: ImagePullBackOff (message)" for a pod that is not ready, else null.</summary>
    public static string? PodProblem(JsonObject pod)
    {
        var name = (string?)pod["metadata"]?["name"];
        var statuses = (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().ToList() ?? new List<JsonObject>();
        var init = (pod["status"]?["initContainerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>();
        var sb = new StringBuilder();
        foreach (var c in init.Concat(statuses))
        {
            var waiting = c["state"]?["waiting"] as JsonObject;
            var terminated = c["state"]?["terminated"] as JsonObject;
            var reason = (string?)waiting?["reason"] ?? ((string?)terminated?["reason"] is { } t && t != "Completed" ? t : null);
            if (reason is null) continue;
            var message = (string?)waiting?["message"] ?? (string?)terminated?["message"];
            if (sb.Length > 0) sb.Append(", ");
            sb.Append($"{(string?)c["name"]}: {reason}");
            if (!string.IsNullOrEmpty(message)) sb.Append($" ({message})");
        }

        if (sb.Length == 0)
        {
            var phase = (string?)pod["status"]?["phase"];
            if (phase is "Running" or "Succeeded") return null;
            sb.Append(phase ?? "Pending");
        }

        return $"pod {name}: {sb}";
    }

    public static string FormatDuration(TimeSpan t)
        => t.TotalMinutes >= 1 && t.Seconds == 0 ? $"{(int)t.TotalMinutes}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds}s" : $"{t.TotalSeconds:0.#}s";
}
