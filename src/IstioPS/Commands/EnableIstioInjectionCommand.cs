using System.Management.Automation;
using IstioPS.Engine.Injection;

namespace IstioPS.Commands;

/// <summary>Enable-IstioInjection: istio-injection=enabled (or istio.io/rev=REVISION) on namespaces.</summary>
[Cmdlet(VerbsLifecycle.Enable, "IstioInjection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Name")]
[OutputType(typeof(NamespaceInjection))]
public sealed class EnableIstioInjectionCommand : SetInjectionCommandBase
{
    /// <summary>Sets istio.io/rev=REVISION instead of istio-injection=enabled.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public string? Revision { get; set; }

    protected override InjectionChange Change => new(Enable: true, Revision: Revision is null or "default" ? null : Revision);
}
