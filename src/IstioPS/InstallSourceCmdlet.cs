using System.Management.Automation;
using IstioPS.Engine.Install;
using IstioPS.Engine.Sources;

namespace IstioPS;

/// <summary>
/// The source parameters of <see cref="SourceCmdlet"/> against a cluster (Install-Istio, Compare-IstioInstallation,
/// Test-IstioInstallation, Test-IstioPrerequisite): -Kubeconfig, -Context, the install namespace, and the request the
/// sources make.
/// </summary>
public abstract class InstallSourceCmdlet : SourceCmdlet
{
    /// <summary>Path of the kubeconfig; default $env:KUBECONFIG, then ~/.kube/config, then the in-cluster service account.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public override string? Kubeconfig { get => base.Kubeconfig; set => base.Kubeconfig = value; }

    /// <summary>The kubeconfig context to use; default its current-context.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ContextCompleter))]
    public override string? Context { get => base.Context; set => base.Context = value; }

    /// <summary>The namespace Istio is installed into (and where namespaced objects without one go).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string Namespace { get; set; } = "istio-system";

    /// <summary>
    /// The install the parameters describe (sources read or rendered, warnings written); null under -WhatIf when
    /// the release would have to be downloaded. <paramref name="configure"/> sets what only the caller knows.
    /// </summary>
    protected async Task<InstallRequest?> GetRequestAsync(IProgress<Engine.Apply.OperationProgress>? progress, CancellationToken ct,
        Func<InstallRequest, InstallRequest>? configure = null)
    {
        if (await GetSourceAsync(progress, ct).ConfigureAwait(false) is not { } source) return null;
        // Discovery goes out while the input is rendered or read; a release's plan reads the same kinds whatever the
        // render gives, so its first lists go out too.
        var reads = Installer.ReadAhead(Api, Namespace, lists: source.ReleasePath is not null, ct);
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
            Reads = reads,
        };
        return configure is null ? request : configure(request);
    }

    /// <summary>
    /// The source's objects, rendered as `helm upgrade` renders them when the revision is installed already. The render
    /// as a first install goes on while the cluster is asked (most installs are first installs, and a render is as long
    /// as a round trip to a far cluster); an installed revision renders again as an upgrade, at once when the answer
    /// comes before that render ends (it is stopped). A failed render is made again after the answer, so a cluster
    /// that cannot be reached is reported first, as before.
    /// </summary>
    private async Task<SourceObjects> LoadAsync(InstallSource source, CancellationToken ct)
    {
        var asked = AsUpgradeWhenInstalledAsync(source, ct);
        var said = new List<string>();
        using var firstInstall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var speculative = Task.Run(() => InstallSources.Load(source, said.Add, firstInstall.Token), CancellationToken.None);
        await Task.WhenAny(asked, speculative).ConfigureAwait(false);
        if (asked.IsCompletedSuccessfully && asked.Result.IsUpgrade) firstInstall.Cancel();
        SourceObjects? loaded = null;
        try
        {
            loaded = await speculative.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // stopped: the revision is installed, and is rendered as an upgrade below
        }
        catch (Exception ex) when (ex is Engine.IstioPSException or IOException or UnauthorizedAccessException)
        {
            // made again below, once the cluster has answered
        }

        var answered = await asked.ConfigureAwait(false);
        if (loaded is null || answered.IsUpgrade) return InstallSources.Load(answered, EmitVerbose, ct);
        foreach (var line in said) EmitVerbose(line);
        return loaded;
    }

    /// <summary>A release source rendered as `helm upgrade` renders it when its revision is installed already.</summary>
    protected async Task<InstallSource> AsUpgradeWhenInstalledAsync(InstallSource source, CancellationToken ct) =>
        source.ReleasePath is not null && await Engine.Plan.UpgradeDetection.IsInstalledAsync(Api, Namespace, Revision, ct).ConfigureAwait(false)
            ? source with { IsUpgrade = true }
            : source;
}
