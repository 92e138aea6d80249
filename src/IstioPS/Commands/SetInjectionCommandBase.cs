using System.Management.Automation;
using IstioPS.Engine.Injection;

namespace IstioPS.Commands;

/// <summary>What Enable- and Disable-IstioInjection share: pipeline input, collection, concurrent patching.</summary>
public abstract class SetInjectionCommandBase : KubeCmdlet
{
    private readonly List<string> names = new();

    /// <summary>Namespaces to change, from the pipeline by value or by property name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Name")]
    [Alias("Name")]
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

    protected abstract InjectionChange Change { get; }

    protected override Task ProcessRecordAsync(CancellationToken ct)
    {
        names.AddRange(ParameterSetName == "InputObject" ? InputObject.Select(i => i.Namespace) : Namespace);
        return Task.CompletedTask;
    }

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        if (names.Count == 0) return;
        var progress = NewProgress(3, Change.Describe);
        var changed = 0;
        try
        {
            var service = new InjectionService(Api);
            await service.SetAsync(names, Change, Force, Callbacks(progress), ns =>
            {
                Interlocked.Increment(ref changed);
                if (PassThru) Emit(ns);
            }, EmitError, ct).ConfigureAwait(false);
        }
        finally
        {
            progress.Complete();
            DisposeApi();
        }

        if (changed > 0)
        {
            EmitVerbose($"{changed} namespaces changed. Pods already running keep what they have until they are re-created: restart their workloads (kubectl rollout restart) to apply the change.");
        }
    }
}
