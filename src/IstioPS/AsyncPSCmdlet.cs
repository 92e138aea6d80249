using System.Collections.Concurrent;
using System.Management.Automation;
using IstioPS.Ci;
using IstioPS.Engine;

namespace IstioPS;

/// <summary>
/// Runs a cmdlet's work on a task while every Write*, ShouldProcess and progress call is marshalled
/// back to the pipeline thread; StopProcessing (Ctrl+C) cancels the token. Engine errors that escape
/// the work become terminating errors with their stable id. In CI (see <see cref="CiReporter"/>) every
/// error, warning and progress record is also written as the CI system's logging commands.
/// </summary>
public abstract partial class AsyncPSCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    // The queue of the Run call in progress: Run creates and disposes it; this field only lends it out.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2213", Justification = "Owned and disposed by Run.")]
    private BlockingCollection<Action>? _queue;
    private int _pipelineThread;
    private CiReporter? _ci;
    private bool _verboseAsDebug;

    /// <summary>CI logging for this call (Azure Pipelines, GitHub Actions, or plain status lines when not interactive).</summary>
    protected CiReporter Ci => _ci ??= new CiReporter(this);

    protected virtual Task BeginProcessingAsync(CancellationToken ct) => Task.CompletedTask;
    protected virtual Task ProcessRecordAsync(CancellationToken ct) => Task.CompletedTask;
    protected virtual Task EndProcessingAsync(CancellationToken ct) => Task.CompletedTask;

    protected sealed override void BeginProcessing()
    {
        _ = Ci;
        // -Debug alone makes PowerShell ask before each verbose message; the request trace would then stop at
        // every step. Without -Verbose, verbose text goes to the debug stream beside the trace instead.
        _verboseAsDebug = MyInvocation.BoundParameters.TryGetValue("Debug", out var debug) && debug is SwitchParameter { IsPresent: true }
                         && !MyInvocation.BoundParameters.ContainsKey("Verbose");
        Run(BeginProcessingAsync);
    }

    protected sealed override void ProcessRecord() => Run(ProcessRecordAsync);

    protected sealed override void EndProcessing()
    {
        Run(EndProcessingAsync);
        Ci.Finish(null);
    }

    protected override void StopProcessing() => _cancel.Cancel();

    private void Run(Func<CancellationToken, Task> work)
    {
        using var actions = new BlockingCollection<Action>();
        _queue = actions;
        _pipelineThread = Environment.CurrentManagedThreadId;
        var task = Task.Run(async () =>
        {
            try
            {
                await work(_cancel.Token).ConfigureAwait(false);
            }
            finally
            {
                actions.CompleteAdding();
            }
        });

        foreach (var action in actions.GetConsumingEnumerable())
        {
            action();
        }

        _queue = null;
        try
        {
            task.GetAwaiter().GetResult(); // already complete: the queue closes when it ends
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            Ci.Finish(null);
            throw new PipelineStoppedException();
        }
        catch (IstioPSException ex)
        {
            var record = ErrorRecords.From(ex);
            Ci.Error(record);
            Ci.Finish(record);
            ThrowTerminatingError(record);
        }
        catch (Exception ex) when (ex is IContainsErrorRecord withRecord && ex is not PipelineStoppedException)
        {
            Ci.Error(withRecord.ErrorRecord);
            Ci.Finish(withRecord.ErrorRecord);
            throw;
        }
    }

    /// <summary>Runs an action on the pipeline thread (directly when already there).</summary>
    protected void Post(Action action)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThread || _queue is null)
        {
            action();
        }
        else
        {
            _queue.Add(action);
        }
    }

    /// <summary>Like <see cref="Post"/>, but drops the action when no pipeline thread can take it (late traces of background requests).</summary>
    internal void TryPost(Action action)
    {
        try
        {
            if (Environment.CurrentManagedThreadId == _pipelineThread) action();
            else _queue?.Add(action);
        }
        catch (InvalidOperationException)
        {
            // the queue closed: the cmdlet's work is over
        }
    }

    /// <summary>Runs a function on the pipeline thread and waits for its answer (used for ShouldProcess).</summary>
    protected Task<T> Ask<T>(Func<T> question)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThread || _queue is null)
        {
            return Task.FromResult(question());
        }

        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try
            {
                answer.SetResult(question());
            }
            catch (Exception ex)
            {
                answer.SetException(ex);
            }
        });
        return answer.Task;
    }

    protected void Emit(object? value) => Post(() =>
    {
        Ci.Output(value);
        WriteObject(value);
    });

    protected void EmitError(ErrorRecord record) => Post(() =>
    {
        WriteError(record);
        Ci.Error(record);
    });

    protected void EmitError(IstioPSException ex) => EmitError(ErrorRecords.From(ex));
    protected void EmitVerbose(string text) => Post(() =>
    {
        if (_verboseAsDebug) WriteDebug(text);
        else WriteVerbose(text);
    });

    protected void EmitWarning(string text) => Post(() =>
    {
        WriteWarning(text);
        Ci.Warning(text);
    });

    protected void EmitDebug(string text) => TryPost(() => WriteDebug(text));

    protected void EmitProgress(ProgressRecord record) => Post(() =>
    {
        WriteProgress(record);
        Ci.Progress(record);
    });

    /// <summary>An output variable for later pipeline steps (in CI only; nothing otherwise).</summary>
    protected void SetCiOutput(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value)) Post(() => Ci.SetOutput(name, value));
    }

    /// <summary>Whether -WhatIf is on (the parameter, or $WhatIfPreference); asked on the pipeline thread.</summary>
    protected bool WhatIfRequested => Ask(() => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
        ? LanguagePrimitives.IsTrue(value)
        : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"))).GetAwaiter().GetResult();

    /// <summary>A ShouldProcess the engine can call from any thread.</summary>
    protected bool AskShouldProcess(string target, string action) => Ask(() => ShouldProcess(target, action)).GetAwaiter().GetResult();

    /// <summary>
    /// One question for a whole batch ("Remove revision default: 42 objects?"); under -WhatIf every target
    /// is still listed, one "What if" line each.
    /// </summary>
    protected bool AskShouldProcessAll(string summary, IReadOnlyList<string> targets) => Ask(() =>
    {
        if (ShouldProcess(summary, summary + "?", "Confirm", out var reason)) return true;
        if (reason == ShouldProcessReason.WhatIf)
        {
            foreach (var target in targets) ShouldProcess(target, "Delete");
        }

        return false;
    }).GetAwaiter().GetResult();

    /// <summary>PowerShell disposes a cmdlet when its pipeline ends, however it ends.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        // The client is closed with the cmdlet, for the cmdlets that do not run under WithProgressAsync too.
        DisposeApi();
        _ci?.Dispose();
        _cancel.Dispose();
    }
}
