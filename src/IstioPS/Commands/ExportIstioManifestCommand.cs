using System.Management.Automation;
using IstioPS.Engine.Sources;

namespace IstioPS.Commands;

/// <summary>
/// Export-IstioManifest: what `istioctl manifest generate` (or `helm template` for one chart) prints, rendered
/// natively, from the same source parameters as Install-Istio; manifest files are read and checked as Install-Istio
/// reads them. Never connects to a cluster.
/// </summary>
[Cmdlet(VerbsData.Export, "IstioManifest", DefaultParameterSetName = ReleaseSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ManifestEntry), typeof(string))]
public sealed class ExportIstioManifestCommand : SourceCmdlet
{
    private const string ChartSet = "Chart";

    /// <summary>The release folder, first by position (and Get-IstioRelease's Path from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ReleaseSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public override string ReleasePath { get => base.ReleasePath; set => base.ReleasePath = value; }

    /// <summary>
    /// Manifest files or folders, by name only: a path given first is a release, and Get-ChildItem's files bind to
    /// -LiteralPath by their PSPath (as with Remove-Item).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ManifestSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public override string[] ManifestPath { get => base.ManifestPath; set => base.ManifestPath = value; }

    [Parameter(Mandatory = true, ParameterSetName = ChartSet)]
    [ValidateNotNullOrEmpty]
    public string ChartPath { get; set; } = "";

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [Parameter(ParameterSetName = ChartSet)]
    public override string[] Set { get => base.Set; set => base.Set = value; }

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [Parameter(ParameterSetName = ChartSet)]
    public override string[] ValuesFile { get => base.ValuesFile; set => base.ValuesFile = value; }

    [Parameter(ParameterSetName = ChartSet)]
    [ValidateNotNullOrEmpty]
    public string ReleaseName { get; set; } = "istio";

    [Parameter(ParameterSetName = ChartSet)]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "istio-system";

    [Parameter(ParameterSetName = ChartSet)]
    public SwitchParameter IsUpgrade { get; set; }

    /// <summary>Writes one multi-document YAML string instead of objects.</summary>
    [Parameter]
    public SwitchParameter AsYaml { get; set; }

    /// <summary>Writes the YAML to this file instead of the pipeline.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>A release (or chart) is rendered for each input record, as given or piped (Get-IstioRelease | Export-IstioManifest).</summary>
    protected override async Task ProcessRecordAsync(CancellationToken ct)
    {
        await base.ProcessRecordAsync(ct).ConfigureAwait(false);
        if (!ReadsManifests) await ExportAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Manifest files are read together, once every pipeline record has named its paths.</summary>
    protected override Task EndProcessingAsync(CancellationToken ct) => ReadsManifests ? ExportAsync(ct) : Task.CompletedTask;

    private async Task ExportAsync(CancellationToken ct)
    {
        RenderedRelease rendered;
        if (ParameterSetName == ChartSet)
        {
            rendered = ReleaseManifests.RenderChart(new ChartRenderRequest
            {
                ChartPath = Resolve(ChartPath),
                ValuesFiles = ValuesFile.Select(Resolve).ToList(),
                Set = Set,
                ReleaseName = ReleaseName,
                Namespace = Namespace,
                IsUpgrade = IsUpgrade,
            });
        }
        else
        {
            // Under -WhatIf a release that would have to be downloaded is not (a what-if line says so), and nothing is rendered.
            if (await GetSourceAsync(null, ct).ConfigureAwait(false) is not { } source) return;
            rendered = InstallSources.Resolve(source, "nothing was exported", EmitVerbose);
        }

        foreach (var warning in rendered.Warnings) EmitWarning(warning);
        if (OutFile is not null)
        {
            var path = Resolve(OutFile);
            if (AskShouldProcess(path, $"Write {rendered.Entries.Count} objects"))
            {
                await File.WriteAllTextAsync(path, rendered.ToYaml(), ct).ConfigureAwait(false);
            }
        }
        else if (AsYaml)
        {
            Emit(rendered.ToYaml());
        }
        else
        {
            foreach (var entry in rendered.Entries) Emit(entry);
        }
    }

    private string Resolve(string path)
        => Ask(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)).GetAwaiter().GetResult();
}
