using System.Management.Automation;
using IstioPS.Engine.Install;
using IstioPS.Engine.Manifests;
using IstioPS.Engine.Rendering;

namespace IstioPS.Commands;

/// <summary>Install-Istio: namespace, CRDs, components in order, then waits until they are ready.</summary>
[Cmdlet(VerbsLifecycle.Install, "Istio", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ManifestSet)]
[OutputType(typeof(InstallResult))]
public sealed class InstallIstioCommand : KubeCmdlet
{
    private const string ManifestSet = "Manifest";
    private const string ReleaseSet = "Release";
    private readonly List<string> paths = new();

    /// <summary>Files or folders of pre-rendered YAML; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ManifestSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "Path")]
    [ValidateNotNullOrEmpty]
    public string[] ManifestPath { get; set; } = Array.Empty<string>();

    /// <summary>An extracted Istio release (or the legacy 1.5 layout) to render natively.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ReleaseSet)]
    [ValidateNotNullOrEmpty]
    public string ReleasePath { get; set; } = "";

    [Parameter(ParameterSetName = ReleaseSet)]
    [ValidateNotNullOrEmpty]
    public string Profile { get; set; } = "default";

    [Parameter(ParameterSetName = ReleaseSet)]
    public string[] Set { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ReleaseSet)]
    public string[] ValuesFile { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = ReleaseSet)]
    [ValidateNotNullOrEmpty]
    public string? Revision { get; set; }

    [Parameter(ParameterSetName = ReleaseSet)]
    [ValidateSet("Base", "Pilot", "IngressGateways", "EgressGateways", "Cni", "Ztunnel")]
    public string[]? Component { get; set; }

    /// <summary>Addons from the release's samples/addons, installed after Istio (alone when no -Profile, -Set or -ValuesFile is given).</summary>
    [Parameter(ParameterSetName = ReleaseSet)]
    [ValidateSet("Prometheus", "Grafana", "Jaeger", "Kiali", "Loki")]
    public string[]? Addon { get; set; }

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
        if (ParameterSetName != ManifestSet) return Task.CompletedTask;
        foreach (var path in ManifestPath)
        {
            var resolved = Ask(() => ResolvePath(path)).GetAwaiter().GetResult();
            paths.AddRange(resolved);
        }

        return Task.CompletedTask;
    }

    /// <summary>Renders the release (and addons) into objects grouped by component, in istioctl's order.</summary>
    private InstallRequest RenderRelease(ProgressReporter progress)
    {
        var release = Ask(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(ReleasePath)).GetAwaiter().GetResult();
        var valuesFiles = Ask(() => ValuesFile.Select(v => SessionState.Path.GetUnresolvedProviderPathFromPSPath(v)).ToList()).GetAwaiter().GetResult();
        var bound = MyInvocation.BoundParameters;
        var addonsOnly = Addon is { Length: > 0 } && !bound.ContainsKey(nameof(Profile)) && !bound.ContainsKey(nameof(Set))
                         && !bound.ContainsKey(nameof(ValuesFile)) && !bound.ContainsKey(nameof(Component));
        var objects = new List<ManifestObject>();
        var order = new List<string>();
        if (!addonsOnly)
        {
            progress.Report(new Engine.Apply.OperationProgress($"Rendering Istio ({Profile} profile)", 1));
            var rendered = ReleaseManifests.Render(new ReleaseRenderRequest
            {
                ReleasePath = release,
                Profile = Profile,
                Set = Set,
                ValuesFiles = valuesFiles,
                Revision = Revision,
                Components = Component,
            });
            foreach (var warning in rendered.Warnings) EmitWarning(warning);
            EmitVerbose($"Rendered {rendered.Objects.Count} objects: {string.Join(", ", rendered.ComponentOrder)}.");
            objects.AddRange(rendered.Objects);
            order.AddRange(rendered.ComponentOrder);
        }

        if (Addon is { Length: > 0 })
        {
            var addons = ReleaseManifests.Addons(release, Addon);
            objects.AddRange(addons.Objects);
            order.AddRange(addons.ComponentOrder);
        }

        return new InstallRequest { Objects = objects, ComponentOrder = order, Revision = Revision ?? "default" };
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
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var progress = NewProgress(1, $"Installing Istio into {Namespace}");
        try
        {
            var request = ParameterSetName == ReleaseSet ? RenderRelease(progress) : new InstallRequest { ManifestPaths = paths };
            request = new InstallRequest
            {
                ManifestPaths = request.ManifestPaths,
                Objects = request.Objects,
                ComponentOrder = request.ComponentOrder,
                Revision = request.Revision,
                Namespace = Namespace,
                Timeout = Timeout,
                NoWait = NoWait,
                Concurrency = Concurrency,
                Clock = clock,
            };
            var installer = new Installer(Api);
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
