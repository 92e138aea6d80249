using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Injection;

/// <summary>Rolling restart of every Deployment, StatefulSet and DaemonSet of namespaces, optionally waiting until rolled out.</summary>
public sealed class WorkloadRestarter
{
    private static readonly ResourceInfo[] Restartable = { ResourceInfo.Deployments, ResourceInfo.StatefulSets, ResourceInfo.DaemonSets };
    private readonly KubeApi api;
    private readonly Func<DateTimeOffset> now;

    public WorkloadRestarter(KubeApi api, Func<DateTimeOffset>? now = null)
    {
        this.api = api;
        this.now = now ?? (() => DateTimeOffset.UtcNow);
    }

    public async Task<IReadOnlyList<AppliedObject>> RestartAsync(IReadOnlyList<string> namespaces, bool wait, TimeSpan timeout, OperationCallbacks callbacks, CancellationToken ct, int concurrency = 8)
    {
        var targets = new List<WaitTarget>();
        foreach (var ns in namespaces)
        {
            foreach (var resource in Restartable)
            {
                var (items, _) = await api.ListAsync(resource.CollectionPath(ns), null, ct).ConfigureAwait(false);
                targets.AddRange(items.Select(i => new WaitTarget(resource, ns, (string?)i["metadata"]?["name"] ?? "")));
            }
        }

        var approved = targets.Where(t => callbacks.ShouldProcess($"{t.Resource.DisplayKind}/{t.Name} (namespace {t.Namespace})", "Rolling restart")).ToList();
        var results = new List<AppliedObject>();
        var failed = new List<WaitTarget>();
        var applier = new Applier(api, concurrency);
        var at = now();
        await applier.ForEachAsync(approved, async (t, token) =>
        {
            var target = $"{t.Resource.DisplayKind}/{t.Name} (namespace {t.Namespace})";
            try
            {
                var r = await applier.RestartAsync(t.Resource, t.Namespace, t.Name, at, token).ConfigureAwait(false);
                lock (results) results.Add(r);
                callbacks.Verbose?.Invoke($"{target} restarted");
            }
            catch (IstioPSException ex) when (!token.IsCancellationRequested)
            {
                // Reported by name; the other workloads are still restarted (and waited for).
                callbacks.Error?.Invoke(new IstioPSException(ex.ErrorId, ex.Kind, $"{target}: {ex.Message}", target, ex));
                lock (failed) failed.Add(t);
            }
        }, ct).ConfigureAwait(false);

        var restarted = approved.Except(failed).ToList();
        if (wait && restarted.Count > 0)
        {
            callbacks.Progress?.Report(new OperationProgress($"Waiting for {restarted.Count} workloads to roll out", 50));
            await new ReadinessWaiter(api).WaitForWorkloadsAsync(restarted, timeout, callbacks.Progress, ct).ConfigureAwait(false);
        }

        return results;
    }
}
