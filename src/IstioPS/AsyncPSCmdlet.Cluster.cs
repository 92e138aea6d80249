using System.Management.Automation;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;

namespace IstioPS;

/// <summary>
/// One connection to the cluster per call, and the callbacks that carry the engine's questions and messages.
/// <see cref="Kubeconfig"/> and <see cref="Context"/> become parameters only where a cmdlet declares them (overrides
/// with [Parameter] in <see cref="KubeCmdlet"/> and <see cref="InstallSourceCmdlet"/>): a cmdlet that renders or reads
/// files only never connects.
/// </summary>
public abstract partial class AsyncPSCmdlet
{
    private KubeApi? _api;

    /// <summary>The kubeconfig path (a parameter of the cluster cmdlets).</summary>
    public virtual string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context (a parameter of the cluster cmdlets).</summary>
    public virtual string? Context { get; set; }

    /// <summary>The API client, created on first use (errors here terminate the cmdlet).</summary>
    protected KubeApi Api
    {
        get
        {
            if (_api is null)
            {
                var path = Kubeconfig is null ? null : Ask(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(Kubeconfig)).GetAwaiter().GetResult();
                _api = KubeApi.Connect(new KubeConnectionOptions(path, Context) { CallTimeout = CallTimeout });
                if (Ask(DebugEnabled).GetAwaiter().GetResult())
                {
                    _api.Trace = t => EmitDebug(t.ToString());
                }

                var where = _api.Context is null ? "in-cluster configuration" : $"context '{_api.Context}'";
                EmitVerbose($"Using the API server {_api.Server} ({where}).");
            }

            return _api;
        }
    }

    /// <summary>-Debug given, or $DebugPreference asks for debug output: requests are traced like kubectl -v=6.</summary>
    private bool DebugEnabled()
    {
        if (MyInvocation.BoundParameters.TryGetValue("Debug", out var debug) && debug is SwitchParameter { IsPresent: true }) return true;
        return GetVariableValue("DebugPreference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
    }

    /// <summary>The cmdlet's -Timeout, when it has one: it bounds every request of the call, discovery included.</summary>
    protected virtual TimeSpan? CallTimeout => null;

    /// <summary>Callbacks that route the engine's questions and messages through the pipeline thread.</summary>
    protected OperationCallbacks Callbacks(ProgressReporter? progress = null, Action<AppliedObject>? applied = null) => new()
    {
        ShouldProcess = AskShouldProcess,
        WhatIf = WhatIfRequested,
        ShouldProcessAll = AskShouldProcessAll,
        Progress = progress,
        Error = EmitError,
        Verbose = EmitVerbose,
        Warning = EmitWarning,
        Applied = applied,
    };

    /// <summary>A progress bar with a stable activity id, always completed.</summary>
    protected ProgressReporter NewProgress(int activityId, string activity) => new(activityId, activity, EmitProgress);

    /// <summary>Runs the cmdlet's work under one progress activity, always completed, and closes the connection after.</summary>
    protected async Task WithProgressAsync(int activityId, string activity, Func<ProgressReporter, Task> work)
    {
        var progress = NewProgress(activityId, activity);
        try
        {
            await work(progress).ConfigureAwait(false);
        }
        finally
        {
            progress.Complete();
            DisposeApi();
        }
    }

    /// <summary>In CI: the revision, its istiod version and the ingress gateway's address as output variables (IstioRevision, IstioVersion, IstioIngressAddress).</summary>
    protected async Task SetCiOutputsAsync(string ns, string revision, CancellationToken ct)
    {
        if (Ci.Log is null) return;
        var mesh = await Engine.Components.MeshSummary.ReadAsync(Api, ns, revision, ct).ConfigureAwait(false);
        SetCiOutput("IstioRevision", mesh.Revision);
        SetCiOutput("IstioVersion", mesh.Version);
        SetCiOutput("IstioIngressAddress", mesh.IngressAddress);
    }

    protected void DisposeApi()
    {
        _api?.Dispose();
        _api = null;
    }
}
