using System.Management.Automation;
using IstioPS.Engine.Releases;

namespace IstioPS.Commands;

/// <summary>
/// Save-IstioRelease: downloads an Istio release archive, checks it against its published SHA-256, extracts it safely
/// into the per-user cache and emits the release; a cached version is emitted without any download.
/// </summary>
[Cmdlet(VerbsData.Save, "IstioRelease", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(IstioRelease))]
public sealed class SaveIstioReleaseCommand : AsyncPSCmdlet
{
    private const int ProgressActivityId = 51;

    /// <summary>x.y.z or latest.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CachedVersionCompleter))]
    [ValidateNotNullOrEmpty]
    public string Version { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet(ReleasePlatform.LinuxAmd64, ReleasePlatform.LinuxArm64, ReleasePlatform.Osx, ReleasePlatform.OsxArm64, ReleasePlatform.Windows, IgnoreCase = true)]
    public string? Platform { get; set; }

    /// <summary>A cache folder to save into instead of ~/.istiops/releases ($env:ISTIOPS_CACHE).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri? BaseUri { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The most the archive may unpack to, in bytes (default 2GB); larger archives are refused.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxExtractedSize { get; set; } = ArchiveLimits.DefaultMaxBytes;

    /// <summary>The most files, folders and links the archive may hold (default 100,000).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxExtractedFileCount { get; set; } = ArchiveLimits.DefaultMaxEntries;

    protected override async Task ProcessRecordAsync(CancellationToken ct)
    {
        var destination = Destination is null ? null : await Ask(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination)).ConfigureAwait(false);
        var progress = new ProgressReporter(ProgressActivityId, $"Saving Istio {Version}", EmitProgress);
        try
        {
            var source = new ReleaseSource();
            var release = await source.GetOrDownloadAsync(new ReleaseRequest
            {
                Version = Version,
                Platform = Platform,
                BaseUri = BaseUri,
                Destination = destination,
                Force = Force,
                Limits = new ArchiveLimits { MaxBytes = MaxExtractedSize, MaxEntries = MaxExtractedFileCount },
                ShouldProcess = AskShouldProcess,
                Verbose = EmitVerbose,
            }, progress, ct).ConfigureAwait(false);
            if (release is not null)
            {
                Emit(release);
            }
        }
        finally
        {
            progress.Complete();
        }
    }
}
