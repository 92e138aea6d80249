using System.Management.Automation;
using IstioPS.Engine.Sources;
using IstioPS.Engine.Uninstall;

namespace IstioPS.Commands;

/// <summary>
/// Uninstall-Istio: removes what Install-Istio applied for a revision, everything with -Purge, or only the objects a
/// source stands for (the same source parameters as Install-Istio: a release's components or addons, manifest files).
/// </summary>
[Cmdlet(VerbsLifecycle.Uninstall, "Istio", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = RevisionSet)]
[OutputType(typeof(UninstallResult))]
public sealed class UninstallIstioCommand : InstallSourceCmdlet
{
    private const string RevisionSet = "Revision";
    private const string PurgeSet = "Purge";

    /// <summary>The revision to remove (first by position); with a release, the revision it was installed as.</summary>
    [Parameter(ParameterSetName = RevisionSet, Position = 0)]
    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public override string? Revision { get => base.Revision; set => base.Revision = value; }

    /// <summary>
    /// Manifest files or folders, by name only: a name given first is a revision, and Get-ChildItem's files bind to
    /// -LiteralPath by their PSPath (as with Remove-Item).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ManifestSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public override string[] ManifestPath { get => base.ManifestPath; set => base.ManifestPath = value; }

    /// <summary>Every revision, the Istio CRDs (unless -KeepCrds) and the namespace when empty.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PurgeSet)]
    public SwitchParameter Purge { get; set; }

    [Parameter(ParameterSetName = PurgeSet)]
    [Parameter(ParameterSetName = ManifestSet)]
    [Parameter(ParameterSetName = LiteralManifestSet)]
    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    public SwitchParameter KeepCrds { get; set; }

    /// <summary>Removes the revision even though pods still use it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    protected override TimeSpan? CallTimeout => Timeout;

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        var bySource = ParameterSetName is not (RevisionSet or PurgeSet);
        await WithProgressAsync(5, Purge ? "Removing Istio" : $"Removing Istio revision {RevisionOrDefault}", async progress =>
        {
            IReadOnlyList<Engine.Manifests.ManifestObject>? objects = null;
            if (bySource)
            {
                // Under -WhatIf a release that would have to be downloaded is not, and nothing is removed.
                if (await GetSourceAsync(progress, ct).ConfigureAwait(false) is not { } source) return;
                objects = InstallSources.Resolve(source, "nothing was removed", EmitVerbose).Objects;
            }

            var request = new UninstallRequest
            {
                Revision = RevisionOrDefault,
                Purge = Purge,
                KeepCrds = KeepCrds,
                Force = Force,
                Namespace = Namespace,
                Timeout = Timeout,
                Objects = objects,
            };
            var result = await new Uninstaller(Api).UninstallAsync(request, Callbacks(progress), ct).ConfigureAwait(false);
            if (result is not null) Emit(result);
        }).ConfigureAwait(false);
    }
}
