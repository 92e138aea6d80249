using System.Management.Automation;
using IstioPS.Engine.Install;

namespace IstioPS.Commands;

/// <summary>Install-Istio: namespace, CRDs, components in order, then waits until they are ready.</summary>
[Cmdlet(VerbsLifecycle.Install, "Istio", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ManifestSet)]
[OutputType(typeof(InstallResult))]
public sealed class InstallIstioCommand : KubeCmdlet
{
    private const string ManifestSet = "Manifest";
    private readonly List<string> paths = new();

    /// <summary>Files or folders of pre-rendered YAML; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ManifestSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "Path")]
    [ValidateNotNullOrEmpty]
    public string[] ManifestPath { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Namespace { get; set; } = "istio-system";

    [Parameter]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int Concurrency { get; set; } = 8;

    protected override Task ProcessRecordAsync(CancellationToken ct)
    {
        foreach (var path in ManifestPath)
        {
            var resolved = Ask(() => ResolvePath(path)).GetAwaiter().GetResult();
            paths.AddRange(resolved);
        }

        return Task.CompletedTask;
    }

    private IEnumerable<string> ResolvePath(string path)
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

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        var progress = NewProgress(1, $"Installing Istio into {Namespace}");
        try
        {
            var installer = new Installer(Api);
            var request = new InstallRequest
            {
                ManifestPaths = paths,
                Namespace = Namespace,
                Timeout = Timeout,
                NoWait = NoWait,
                Concurrency = Concurrency,
            };
            var result = await installer.InstallAsync(request, Callbacks(progress), ct).ConfigureAwait(false);
            if (result is not null)
            {
                Emit(result);
            }
        }
        finally
        {
            progress.Complete();
            DisposeApi();
        }
    }
}
