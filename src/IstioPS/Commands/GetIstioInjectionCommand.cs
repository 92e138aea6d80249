using System.Management.Automation;
using IstioPS.Engine.Injection;

namespace IstioPS.Commands;

/// <summary>Get-IstioInjection: `kubectl get namespace -L istio-injection` as objects.</summary>
[Cmdlet(VerbsCommon.Get, "IstioInjection")]
[OutputType(typeof(NamespaceInjection))]
public sealed class GetIstioInjectionCommand : KubeCmdlet
{
    private readonly List<string> _names = new();

    /// <summary>Namespaces to show; wildcards allowed; default all.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [NamespaceName]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Namespace { get; set; }

    protected override Task ProcessRecordAsync(CancellationToken ct)
    {
        if (Namespace is not null) _names.AddRange(Namespace);
        return Task.CompletedTask;
    }

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        var service = new InjectionService(Api);
        foreach (var ns in await service.GetAsync(_names.Count == 0 ? null : _names, EmitError, ct).ConfigureAwait(false))
        {
            Emit(ns);
        }
    }
}
