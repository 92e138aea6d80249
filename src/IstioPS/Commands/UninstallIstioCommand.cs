using System.Management.Automation;
using IstioPS.Engine.Uninstall;

namespace IstioPS.Commands;

/// <summary>Uninstall-Istio: removes what Install-Istio applied for a revision, or everything with -Purge.</summary>
[Cmdlet(VerbsLifecycle.Uninstall, "Istio", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Revision")]
[OutputType(typeof(UninstallResult))]
public sealed class UninstallIstioCommand : KubeCmdlet
{
    [Parameter(ParameterSetName = "Revision", Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Revision { get; set; } = "default";

    /// <summary>Every revision, the Istio CRDs (unless -KeepCrds) and the namespace when empty.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Purge")]
    public SwitchParameter Purge { get; set; }

    [Parameter(ParameterSetName = "Purge")]
    public SwitchParameter KeepCrds { get; set; }

    /// <summary>Removes the revision even though pods still use it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "istio-system";

    [Parameter]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    protected override TimeSpan? CallTimeout => Timeout;

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        await WithProgressAsync(5, Purge ? "Removing Istio" : $"Removing Istio revision {Revision}", async progress =>
        {
            var request = new UninstallRequest
            {
                Revision = Revision,
                Purge = Purge,
                KeepCrds = KeepCrds,
                Force = Force,
                Namespace = Namespace,
                Timeout = Timeout,
            };
            var result = await new Uninstaller(Api).UninstallAsync(request, Callbacks(progress), ct).ConfigureAwait(false);
            if (result is not null) Emit(result);
        }).ConfigureAwait(false);
    }
}
