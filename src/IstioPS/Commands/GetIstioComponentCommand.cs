using System.Management.Automation;
using IstioPS.Engine;
using IstioPS.Engine.Components;

namespace IstioPS.Commands;

/// <summary>Get-IstioComponent: the workloads (or pods) of the mesh namespace, with role, readiness and version.</summary>
[Cmdlet(VerbsCommon.Get, "IstioComponent", DefaultParameterSetName = "Workload")]
[OutputType(typeof(IstioComponent), ParameterSetName = new[] { "Workload" })]
[OutputType(typeof(IstioPod), ParameterSetName = new[] { "Pod" })]
public sealed class GetIstioComponentCommand : KubeCmdlet
{
    /// <summary>Names to show; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ComponentNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [NamespaceName]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "istio-system";

    [Parameter(Mandatory = true, ParameterSetName = "Pod")]
    public SwitchParameter Pod { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken ct)
    {
        try
        {
            await WriteMatchesAsync(ct).ConfigureAwait(false);
        }
        catch (IstioPSException ex) when (ex.ErrorId == "NamespaceNotFound")
        {
            EmitError(ex); // per input record: other namespaces from the pipeline still answer
        }
    }

    private async Task WriteMatchesAsync(CancellationToken ct)
    {
        var reader = new ComponentReader(Api);
        var globs = Name?.Select(n => new Glob(n)).ToList();
        var matched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (Pod)
        {
            foreach (var pod in await reader.GetPodsAsync(Namespace, ct).ConfigureAwait(false))
            {
                if (!Glob.AnyMatch(globs, pod.Name)) continue;
                matched.Add(pod.Name);
                Emit(pod);
            }
        }
        else
        {
            foreach (var component in await reader.GetComponentsAsync(Namespace, ct).ConfigureAwait(false))
            {
                if (!Glob.AnyMatch(globs, component.Name) && !Glob.AnyMatch(globs, component.Component)) continue;
                matched.Add(component.Name);
                matched.Add(component.Component);
                Emit(component);
            }
        }

        foreach (var name in Name ?? Array.Empty<string>())
        {
            if (!Glob.HasWildcards(name) && !matched.Contains(name))
            {
                EmitError(new IstioPSException("ComponentNotFound", ErrorKind.ObjectNotFound,
                    $"No {(Pod ? "pod" : "workload")} named '{name}' runs in the namespace '{Namespace}'.", name));
            }
        }
    }

}
