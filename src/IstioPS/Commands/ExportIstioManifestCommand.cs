using System.Management.Automation;
using IstioPS.Engine.Sources;

namespace IstioPS.Commands;

/// <summary>Export-IstioManifest: what `istioctl manifest generate` (or `helm template` for one chart) prints, rendered natively.</summary>
[Cmdlet(VerbsData.Export, "IstioManifest", DefaultParameterSetName = ReleaseSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ManifestEntry), typeof(string))]
public sealed class ExportIstioManifestCommand : AsyncPSCmdlet
{
    private const string ReleaseSet = "Release";
    private const string ChartSet = "Chart";
    private const string VersionSet = "Version";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ReleaseSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string ReleasePath { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ChartSet)]
    [ValidateNotNullOrEmpty]
    public string ChartPath { get; set; } = "";

    /// <summary>An Istio version (x.y.z or latest): taken from the release cache, downloaded when missing.</summary>
    [Parameter(Mandatory = true, ParameterSetName = VersionSet)]
    [ValidateNotNullOrEmpty]
    public string Version { get; set; } = "";

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    public string Profile { get; set; } = "default";

    [Parameter]
    public string[] Set { get; set; } = Array.Empty<string>();

    [Parameter]
    public string[] ValuesFile { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateNotNullOrEmpty]
    public string? Revision { get; set; }

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateSet("Base", "Pilot", "IngressGateways", "EgressGateways", "Cni", "Ztunnel")]
    public string[]? Component { get; set; }

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

    protected override async Task ProcessRecordAsync(CancellationToken ct)
    {
        var values = ValuesFile.Select(Resolve).ToList();
        var releasePath = ParameterSetName switch
        {
            // Under -WhatIf the download is declined (and nothing is rendered): a what-if line says what would be fetched.
            VersionSet => await ReleaseResolver.GetAsync(Version, EmitVerbose, null, ct, AskShouldProcess).ConfigureAwait(false),
            ReleaseSet => Resolve(ReleasePath),
            _ => null,
        };
        if (ParameterSetName == VersionSet && releasePath is null) return;
        var rendered = ParameterSetName == ChartSet
            ? ReleaseManifests.RenderChart(new ChartRenderRequest
            {
                ChartPath = Resolve(ChartPath),
                ValuesFiles = values,
                Set = Set,
                ReleaseName = ReleaseName,
                Namespace = Namespace,
                IsUpgrade = IsUpgrade,
            })
            : ReleaseManifests.Render(new ReleaseRenderRequest
            {
                ReleasePath = releasePath!,
                Profile = Profile,
                Set = Set,
                ValuesFiles = values,
                Revision = Revision,
                Components = Component,
            });
        foreach (var warning in rendered.Warnings) EmitWarning(warning);

        if (OutFile is not null)
        {
            var path = Resolve(OutFile);
            if (Ask(() => ShouldProcess(path, $"Write {rendered.Entries.Count} objects")).GetAwaiter().GetResult())
            {
                File.WriteAllText(path, rendered.ToYaml());
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
