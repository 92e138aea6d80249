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
        var loaded = await InstallSources.LoadAsync(source, t => Engine.Plan.UpgradeDetection.IsInstalledAsync(Api, Namespace, Revision, t), EmitVerbose, ct).ConfigureAwait(false);
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
}
