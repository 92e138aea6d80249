using System.Management.Automation;
using IstioPS.Engine.Install;
using IstioPS.Engine.Sources;

namespace IstioPS;

/// <summary>
/// The parameters that say what Istio should be (Install-Istio, Compare-IstioInstallation, Test-IstioInstallation):
/// a release with a profile, -Set, -ValuesFile, -Revision, -Component and -Addon, or manifest files.
/// </summary>
public abstract class InstallSourceCmdlet : KubeCmdlet
{
    protected const string ManifestSet = "Manifest";
    protected const string ReleaseSet = "Release";
    protected const string VersionSet = "Version";
    protected const string LiteralManifestSet = "LiteralManifest";
    private readonly List<string> _paths = new();
    private InstallSource? _source;

    /// <summary>Files or folders of pre-rendered YAML; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ManifestSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "Path")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] ManifestPath { get; set; } = Array.Empty<string>();

    /// <summary>Files or folders taken exactly as written (no wildcards); what Get-ChildItem pipes by PSPath.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralManifestSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Folders of -ManifestPath/-LiteralPath are read with their subfolders (as Get-ChildItem -Recurse).</summary>
    [Parameter(ParameterSetName = ManifestSet)]
    [Parameter(ParameterSetName = LiteralManifestSet)]
    public SwitchParameter Recurse { get; set; }

    /// <summary>An extracted Istio release (or the legacy 1.5 layout) to render natively.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReleaseSet)]
    [ValidateNotNullOrEmpty]
    public string ReleasePath { get; set; } = "";

    /// <summary>An Istio version (x.y.z or latest): taken from the release cache, downloaded when missing.</summary>
    [Parameter(Mandatory = true, ParameterSetName = VersionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public string Version { get; set; } = "";

    /// <summary>With -Version: the most a downloaded archive may unpack to, in bytes (default 2GB).</summary>
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateRange(1, long.MaxValue)]
    public long MaxExtractedSize { get; set; } = Engine.Releases.ArchiveLimits.DefaultMaxBytes;

    /// <summary>With -Version: the most files, folders and links a downloaded archive may hold (default 100,000).</summary>
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateRange(1, int.MaxValue)]
    public int MaxExtractedFileCount { get; set; } = Engine.Releases.ArchiveLimits.DefaultMaxEntries;

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    public string Profile { get; set; } = "default";

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    public string[] Set { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    public string[] ValuesFile { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public string? Revision { get; set; }

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateSet("Base", "Pilot", "IngressGateways", "EgressGateways", "Cni", "Ztunnel")]
    public string[]? Component { get; set; }

    /// <summary>Addons from the release's samples/addons (alone when no -Profile, -Set, -ValuesFile or -Component is given).</summary>
    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateSet("Prometheus", "Grafana", "Jaeger", "Kiali", "Loki")]
    public string[]? Addon { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string Namespace { get; set; } = "istio-system";

    /// <summary>Collects manifest paths from the pipeline and, once, resolves every path on the pipeline thread.</summary>
    protected override Task ProcessRecordAsync(CancellationToken ct)
    {
        if (ParameterSetName == ManifestSet)
        {
            foreach (var path in ManifestPath)
            {
                _paths.AddRange(Ask(() => ResolveExisting(path)).GetAwaiter().GetResult());
            }
        }
        else if (ParameterSetName == LiteralManifestSet)
        {
            foreach (var path in LiteralPath)
            {
                _paths.Add(Ask(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)).GetAwaiter().GetResult());
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// What the parameters ask for, with every path resolved and, for -Version, the release in the cache
    /// (downloaded when missing, after ShouldProcess: null under -WhatIf when it would have to be downloaded).
    /// </summary>
    protected async Task<InstallSource?> GetSourceAsync(IProgress<Engine.Apply.OperationProgress>? progress, CancellationToken ct)
    {
        _source ??= Ask(BuildSource).GetAwaiter().GetResult();
        if (ParameterSetName == VersionSet && _source.ReleasePath is null)
        {
            var limits = new Engine.Releases.ArchiveLimits { MaxBytes = MaxExtractedSize, MaxEntries = MaxExtractedFileCount };
            var release = await ReleaseResolver.GetAsync(Version, EmitVerbose, progress, ct, AskShouldProcess, limits).ConfigureAwait(false);
            if (release is null) return null;
            // The same source with the cached release (IsUpgrade is decided later, from the cluster).
            _source = _source with { ReleasePath = release };
        }

        return _source;
    }

    protected string RevisionOrDefault => Revision is null or "" ? "default" : Revision;

    /// <summary>
    /// The install the parameters describe (sources read or rendered, warnings written); null under -WhatIf when
    /// the release would have to be downloaded. <paramref name="configure"/> sets what only the caller knows.
    /// </summary>
    protected async Task<InstallRequest?> GetRequestAsync(IProgress<Engine.Apply.OperationProgress>? progress, CancellationToken ct,
        Func<InstallRequest, InstallRequest>? configure = null)
    {
        if (await GetSourceAsync(progress, ct).ConfigureAwait(false) is not { } source) return null;
        Installer.PrefetchDiscovery(Api, ct);
        var loaded = await LoadAsync(source, ct).ConfigureAwait(false);
        foreach (var warning in loaded.Warnings) EmitWarning(warning);
        var request = new InstallRequest
        {
            ManifestPaths = loaded.ManifestPaths,
            Recurse = loaded.Recurse,
            Objects = loaded.Objects,
            ComponentOrder = loaded.ComponentOrder,
            Prune = loaded.Prune,
            ReleaseVersion = loaded.ReleaseVersion,
            ReleasePath = source.ReleasePath,
            Revision = RevisionOrDefault,
            Namespace = Namespace,
        };
        return configure is null ? request : configure(request);
    }

    /// <summary>
    /// The source's objects, rendered as `helm upgrade` renders them when the revision is installed already. The render
    /// as a first install goes on while the cluster is asked (most installs are first installs, and a render is as long
    /// as a round trip to a far cluster); an installed revision renders again as an upgrade. A failed render is made
    /// again after the answer, so a cluster that cannot be reached is reported first, as before.
    /// </summary>
    private async Task<SourceObjects> LoadAsync(InstallSource source, CancellationToken ct)
    {
        var asked = AsUpgradeWhenInstalledAsync(source, ct);
        var said = new List<string>();
        SourceObjects? loaded = null;
        try
        {
            loaded = InstallSources.Load(source, said.Add);
        }
        catch (Exception ex) when (ex is Engine.IstioPSException or IOException or UnauthorizedAccessException)
        {
            // made again below, once the cluster has answered
        }

        var answered = await asked.ConfigureAwait(false);
        if (loaded is null || answered.IsUpgrade) return InstallSources.Load(answered, EmitVerbose);
        foreach (var line in said) EmitVerbose(line);
        return loaded;
    }

    /// <summary>A release source rendered as `helm upgrade` renders it when its revision is installed already.</summary>
    protected async Task<InstallSource> AsUpgradeWhenInstalledAsync(InstallSource source, CancellationToken ct) =>
        source.ReleasePath is not null && await Engine.Plan.UpgradeDetection.IsInstalledAsync(Api, Namespace, Revision, ct).ConfigureAwait(false)
            ? source with { IsUpgrade = true }
            : source;

    private InstallSource BuildSource()
    {
        if (ParameterSetName is ManifestSet or LiteralManifestSet)
        {
            return new InstallSource { ManifestPaths = _paths.ToList(), Revision = Revision, Recurse = Recurse };
        }

        var bound = MyInvocation.BoundParameters;
        var addonsOnly = Addon is { Length: > 0 } && !bound.ContainsKey(nameof(Profile)) && !bound.ContainsKey(nameof(Set))
                         && !bound.ContainsKey(nameof(ValuesFile)) && !bound.ContainsKey(nameof(Component));
        return new InstallSource
        {
            ReleasePath = ParameterSetName == VersionSet ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ReleasePath),
            Profile = Profile,
            Set = Set,
            ValuesFiles = ValuesFile.Select(v => SessionState.Path.GetUnresolvedProviderPathFromPSPath(v)).ToList(),
            Revision = Revision,
            Components = Component,
            Addons = Addon,
            AddonsOnly = addonsOnly,
        };
    }

    private IEnumerable<string> ResolveExisting(string path)
    {
        try
        {
            return GetResolvedProviderPathFromPSPath(path, out _);
        }
        catch (ItemNotFoundException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ManifestPathNotFound", ErrorCategory.ObjectNotFound, path));
            throw;
        }
    }
}
