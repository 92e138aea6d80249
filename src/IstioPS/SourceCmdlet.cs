using System.Management.Automation;
using IstioPS.Engine.Sources;

namespace IstioPS;

/// <summary>
/// The parameters that say what Istio should be, one resolver for every cmdlet that takes them (Install-Istio,
/// Compare-IstioInstallation, Test-IstioInstallation, Test-IstioPrerequisite, Export-IstioManifest): a release
/// (-ReleasePath or -Version) with a profile, -Set, -ValuesFile, -Revision, -Component and -Addon, or manifest files.
/// A cmdlet may override <see cref="ReleasePath"/>, <see cref="ManifestPath"/>, <see cref="Set"/>,
/// <see cref="ValuesFile"/> and <see cref="Revision"/> to change their position, aliases or parameter sets
/// (Export-IstioManifest's -ChartPath, Uninstall-Istio's positional -Revision).
/// </summary>
public abstract class SourceCmdlet : AsyncPSCmdlet
{
    protected const string ManifestSet = "Manifest";
    protected const string ReleaseSet = "Release";
    protected const string VersionSet = "Version";
    protected const string LiteralManifestSet = "LiteralManifest";
    private readonly List<string> _paths = new();

    /// <summary>Files or folders of pre-rendered YAML; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ManifestSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "Path")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public virtual string[] ManifestPath { get; set; } = Array.Empty<string>();

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
    public virtual string ReleasePath { get; set; } = "";

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
    public virtual string[] Set { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    public virtual string[] ValuesFile { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    public virtual string? Revision { get; set; }

    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateSet("Base", "Pilot", "IngressGateways", "EgressGateways", "Cni", "Ztunnel")]
    public string[]? Component { get; set; }

    /// <summary>Addons from the release's samples/addons (alone when no -Profile, -Set, -ValuesFile or -Component is given).</summary>
    [Parameter(ParameterSetName = ReleaseSet)]
    [Parameter(ParameterSetName = VersionSet)]
    [ValidateSet("Prometheus", "Grafana", "Jaeger", "Kiali", "Loki")]
    public string[]? Addon { get; set; }

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
        var source = Ask(BuildSource).GetAwaiter().GetResult();
        if (ParameterSetName == VersionSet)
        {
            var limits = new Engine.Releases.ArchiveLimits { MaxBytes = MaxExtractedSize, MaxEntries = MaxExtractedFileCount };
            var release = await ReleaseResolver.GetAsync(Version, EmitVerbose, progress, ct, AskShouldProcess, limits).ConfigureAwait(false);
            if (release is null) return null;
            // The same source with the cached release (IsUpgrade is decided later, from the cluster).
            source = source with { ReleasePath = release };
        }

        return source;
    }

    /// <summary>The input is manifest files (-ManifestPath or -LiteralPath), gathered from every pipeline record.</summary>
    protected bool ReadsManifests => ParameterSetName is ManifestSet or LiteralManifestSet;

    protected string RevisionOrDefault => Revision is null or "" ? "default" : Revision;

    private InstallSource BuildSource()
    {
        if (ReadsManifests)
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
