using System.Management.Automation;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;

namespace IstioPS;

/// <summary>The parameters every cluster cmdlet shares (-Kubeconfig, -Context); the connection is <see cref="AsyncPSCmdlet"/>'s.</summary>
public abstract class KubeCmdlet : AsyncPSCmdlet
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
}

/// <summary>Turns engine progress into one ProgressRecord; <see cref="Complete"/> closes it.</summary>
public sealed class ProgressReporter : IProgress<OperationProgress>
{
    private readonly int _id;
    private readonly string _activity;
    private readonly Action<ProgressRecord> _write;
    private int _lastPercent;

    public ProgressReporter(int id, string activity, Action<ProgressRecord> write)
    {
        _id = id;
        _activity = activity;
        _write = write;
    }

    /// <summary>Within one phase, records closer together than this are left out: drawing each costs the host milliseconds.</summary>
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(150);
    private readonly System.Diagnostics.Stopwatch _sinceWritten = new();
    private string? _lastPhase;

    /// <summary>
    /// Writes the progress record, unless it is one more step of the phase just written (the same status but for its
    /// numbers) within <see cref="MinInterval"/>: a batch of 5,000 namespaces draws a few records a second, not 5,000.
    /// A new phase and 100 percent are always written.
    /// </summary>
    public void Report(OperationProgress value)
    {
        var percent = value.PercentComplete >= 0 ? Math.Clamp(value.PercentComplete, 0, 100) : _lastPercent;
        _lastPercent = percent;
        var phase = new string((value.Status ?? "").Where(c => !char.IsAsciiDigit(c)).ToArray());
        lock (_sinceWritten)
        {
            if (phase == _lastPhase && percent < 100 && _sinceWritten.IsRunning && _sinceWritten.Elapsed < MinInterval) return;
            _lastPhase = phase;
            _sinceWritten.Restart();
        }

        _write(new ProgressRecord(_id, _activity, string.IsNullOrEmpty(value.Status) ? _activity : value.Status)
        {
            PercentComplete = percent,
            CurrentOperation = value.CurrentOperation,
        });
    }

    public void Complete() => _write(new ProgressRecord(_id, _activity, "Done") { RecordType = ProgressRecordType.Completed });
}
