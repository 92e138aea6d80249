using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;

using IstioPS.Engine.Wait;

namespace IstioPS.Engine.Injection;

/// <summary>Rolling restart of every Deployment, StatefulSet and DaemonSet of namespaces, optionally waiting until rolled out.</summary>
public sealed class WorkloadRestarter
{
    private static readonly ResourceInfo[] Restartable = { ResourceInfo.Deployments, ResourceInfo.StatefulSets, ResourceInfo.DaemonSets };
    private readonly KubeApi _api;
    private readonly Func<DateTimeOffset> _now;

    public WorkloadRestarter(KubeApi api, Func<DateTimeOffset>? now = null)
    {
        _api = api;
        _now = now ?? (() => DateTimeOffset.UtcNow);
    }

    public async Task<IReadOnlyList<AppliedObject>> RestartAsync(IReadOnlyList<string> namespaces, bool wait, TimeSpan timeout, OperationCallbacks callbacks, CancellationToken ct, int concurrency = 8)
    {
        var targets = new List<WaitTarget>();
        foreach (var ns in namespaces)
        {
            foreach (var resource in Restartable)
            {
                var (items, _) = await _api.ListAsync(resource.CollectionPath(ns), null, ct).ConfigureAwait(false);
                targets.AddRange(items.Select(i => new WaitTarget(resource, ns, (string?)i["metadata"]?["name"] ?? "")));
            }
        }

        static string Target(WaitTarget t) => $"{t.Resource.DisplayKind}/{t.Name} (namespace {t.Namespace})";
        var approved = targets.Where(t => callbacks.ShouldProcess(Target(t), "Rolling restart")).ToList();
        var applier = new Applier(_api, concurrency);
        var at = _now();
        // A workload that fails is reported by name; the others are still restarted (and waited for).
        var results = await applier.RunAsync(approved, Target, (t, token) => applier.RestartAsync(t.Resource, t.Namespace, t.Name, at, token),
            callbacks, "Restarting workloads", ct, continueOnError: true, percent: (0, 50)).ConfigureAwait(false);

        var restarted = approved.Where(t => results.Any(r => r.Kind == t.Resource.Kind && r.Namespace == t.Namespace && r.Name == t.Name)).ToList();
        if (wait && restarted.Count > 0)
        {
            callbacks.Progress?.Report(new OperationProgress($"Waiting for {restarted.Count} workloads to roll out", 50));
            await new ReadinessWaiter(_api).WaitForWorkloadsAsync(restarted, timeout, callbacks.Progress, ct).ConfigureAwait(false);
        }

        return results;
    }
}
