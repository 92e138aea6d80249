using System.Management.Automation;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;

namespace IstioPS;

/// <summary>The parameters every cluster cmdlet shares (-Kubeconfig, -Context) and one connection per call.</summary>
public abstract class KubeCmdlet : AsyncPSCmdlet
{
    private KubeApi? api;

    /// <summary>Path of the kubeconfig; default $env:KUBECONFIG, then ~/.kube/config, then the in-cluster service account.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context to use; default its current-context.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    /// <summary>The API client, created on first use (errors here terminate the cmdlet).</summary>
    protected KubeApi Api
    {
        get
        {
            if (api is null)
            {
                var path = Kubeconfig is null ? null : Ask(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(Kubeconfig)).GetAwaiter().GetResult();
                api = KubeApi.Connect(new KubeConnectionOptions(path, Context) { CallTimeout = CallTimeout });
                var where = api.Context is null ? "in-cluster configuration" : $"context '{api.Context}'";
                EmitVerbose($"Using the API server {api.Server} ({where}).");
            }

            return api;
        }
    }

    /// <summary>The cmdlet's -Timeout, when it has one: it bounds every request of the call, discovery included.</summary>
    protected virtual TimeSpan? CallTimeout => null;

    /// <summary>Callbacks that route the engine's questions and messages through the pipeline thread.</summary>
    protected OperationCallbacks Callbacks(ProgressReporter? progress = null, Action<AppliedObject>? applied = null) => new()
    {
        ShouldProcess = AskShouldProcess,
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

    protected void DisposeApi()
    {
        api?.Dispose();
        api = null;
    }
}

/// <summary>Turns engine progress into one ProgressRecord; <see cref="Complete"/> closes it.</summary>
public sealed class ProgressReporter : IProgress<OperationProgress>
{
    private readonly int id;
    private readonly string activity;
    private readonly Action<ProgressRecord> write;
    private int lastPercent;

    public ProgressReporter(int id, string activity, Action<ProgressRecord> write)
    {
        this.id = id;
        this.activity = activity;
        this.write = write;
    }

    public void Report(OperationProgress value)
    {
        var percent = value.PercentComplete >= 0 ? Math.Clamp(value.PercentComplete, 0, 100) : lastPercent;
        lastPercent = percent;
        write(new ProgressRecord(id, activity, string.IsNullOrEmpty(value.Status) ? activity : value.Status)
        {
            PercentComplete = percent,
            CurrentOperation = value.CurrentOperation,
        });
    }

    public void Complete() => write(new ProgressRecord(id, activity, "Done") { RecordType = ProgressRecordType.Completed });
}
