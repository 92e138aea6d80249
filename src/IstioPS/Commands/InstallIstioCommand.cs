using System.Management.Automation;
using IstioPS.Engine.Install;
using IstioPS.Engine.Rendering;

namespace IstioPS.Commands;

/// <summary>Install-Istio: namespace, CRDs, components in order, then waits until they are ready.</summary>
[Cmdlet(VerbsLifecycle.Install, "Istio", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ManifestSet)]
[OutputType(typeof(InstallResult))]
public sealed class InstallIstioCommand : InstallSourceCmdlet
{
    [Parameter]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    protected override TimeSpan? CallTimeout => Timeout;

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int Concurrency { get; set; } = 16;

    /// <summary>Upgrade in place even when the installed control plane of the revision is newer or more than one minor version older.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await WithProgressAsync(1, $"Installing Istio into {Namespace}", async progress =>
        {
            progress.Report(new Engine.Apply.OperationProgress("Rendering and reading the input", 0));
            if (await GetSourceAsync(progress, ct).ConfigureAwait(false) is not { } source) return;
            var loaded = InstallSources.Load(await AsUpgradeWhenInstalledAsync(source, ct).ConfigureAwait(false), EmitVerbose);
            foreach (var warning in loaded.Warnings) EmitWarning(warning);
            var request = new InstallRequest
            {
                ManifestPaths = loaded.ManifestPaths,
                Objects = loaded.Objects,
                ComponentOrder = loaded.ComponentOrder,
                Revision = RevisionOrDefault,
                Namespace = Namespace,
                Timeout = Timeout,
                NoWait = NoWait,
                Concurrency = Concurrency,
                Clock = clock,
                ReleaseVersion = loaded.ReleaseVersion,
                Force = Force,
            };
            var result = await new Installer(Api).InstallAsync(request, Callbacks(progress), ct).ConfigureAwait(false);
            if (result is not null)
            {
                Emit(result);
            }
        }).ConfigureAwait(false);
    }
}
