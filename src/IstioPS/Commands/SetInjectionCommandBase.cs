using System.Management.Automation;
using IstioPS.Engine.Injection;

namespace IstioPS.Commands;

/// <summary>What Enable- and Disable-IstioInjection share: pipeline input, collection, concurrent patching.</summary>
public abstract class SetInjectionCommandBase : KubeCmdlet
{
    private readonly List<string> _names = new();

    /// <summary>Namespaces to change, from the pipeline by value or by property name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Name")]
    [Alias("Name")]
    [NamespaceName]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Namespace { get; set; } = Array.Empty<string>();

    /// <summary>Namespace objects emitted by Get-IstioInjection.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "InputObject")]
    public NamespaceInjection[] InputObject { get; set; } = Array.Empty<NamespaceInjection>();

    /// <summary>Allows kube-system, kube-public and kube-node-lease.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Emits the namespaces as changed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Rolling restart of the namespaces' Deployments, StatefulSets and DaemonSets, so running pods pick up the change.</summary>
    [Parameter]
    public SwitchParameter Restart { get; set; }

    /// <summary>With -Restart: waits until the restarted workloads are rolled out.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Restart -Wait: how long to wait.</summary>
    [Parameter]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    protected override TimeSpan? CallTimeout => Timeout;

    protected abstract InjectionChange Change { get; }

    protected override Task ProcessRecordAsync(CancellationToken ct)
    {
        _names.AddRange(ParameterSetName == "InputObject" ? InputObject.Select(i => i.Namespace) : Namespace);
        return Task.CompletedTask;
    }

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        if (_names.Count == 0) return;
        await WithProgressAsync(3, Change.Describe, async progress =>
        {
            var changed = new System.Collections.Concurrent.ConcurrentBag<NamespaceInjection>();
            var callbacks = Callbacks(progress);
            var service = new InjectionService(Api);
            await service.SetAsync(_names, Change, Force, callbacks, ns =>
            {
                changed.Add(ns);
                if (PassThru) Emit(ns);
            }, EmitError, ct).ConfigureAwait(false);

            var stale = changed.Where(c => c.PodsNeedingRestart > 0).ToList();
            if (Restart && !changed.IsEmpty)
            {
                var restarted = await new WorkloadRestarter(Api).RestartAsync(changed.Select(c => c.Namespace).ToList(), Wait, Timeout, callbacks, ct).ConfigureAwait(false);
                EmitVerbose($"Restarted {restarted.Count} workloads in {changed.Count} namespaces{(Wait ? ", all rolled out" : "")}.");
            }
            else if (stale.Count > 0)
            {
                EmitWarning($"{stale.Sum(c => c.PodsNeedingRestart)} running pods in {stale.Count} namespaces ({string.Join(", ", stale.Select(c => c.Namespace).Take(5))}{(stale.Count > 5 ? ", ..." : "")}) keep their old sidecar state until they are re-created. Use -Restart (with -Wait) or restart their workloads.");
            }
        }).ConfigureAwait(false);
    }
}
