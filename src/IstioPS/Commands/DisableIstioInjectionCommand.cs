using System.Management.Automation;
using IstioPS.Engine.Injection;

namespace IstioPS.Commands;

/// <summary>Disable-IstioInjection: removes the injection labels (or sets istio-injection=disabled with -Explicit).</summary>
[Cmdlet(VerbsLifecycle.Disable, "IstioInjection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Name")]
[OutputType(typeof(NamespaceInjection))]
public sealed class DisableIstioInjectionCommand : SetInjectionCommandBase
{
    /// <summary>Sets istio-injection=disabled instead of removing the label.</summary>
    [Parameter]
    public SwitchParameter Explicit { get; set; }

    protected override InjectionChange Change => new(Enable: false, Explicit: Explicit);
}
