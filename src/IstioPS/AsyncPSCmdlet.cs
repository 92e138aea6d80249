using System.Collections.Concurrent;
using System.Management.Automation;
using IstioPS.Engine;

namespace IstioPS;

/// <summary>
/// Runs a cmdlet's work on a task while every Write*, ShouldProcess and progress call is marshalled
/// back to the pipeline thread; StopProcessing (Ctrl+C) cancels the token. Engine errors that escape
/// the work become terminating errors with their stable id.
/// </summary>
public abstract class AsyncPSCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource cancel = new();
    private BlockingCollection<Action>? queue;
    private int pipelineThread;

    protected CancellationToken CancelToken => cancel.Token;

    protected virtual Task BeginProcessingAsync(CancellationToken ct) => Task.CompletedTask;
    protected virtual Task ProcessRecordAsync(CancellationToken ct) => Task.CompletedTask;
    protected virtual Task EndProcessingAsync(CancellationToken ct) => Task.CompletedTask;

    protected sealed override void BeginProcessing() => Run(BeginProcessingAsync);
    protected sealed override void ProcessRecord() => Run(ProcessRecordAsync);
    protected sealed override void EndProcessing() => Run(EndProcessingAsync);
    protected override void StopProcessing() => cancel.Cancel();

    private void Run(Func<CancellationToken, Task> work)
    {
        using var actions = new BlockingCollection<Action>();
        queue = actions;
        pipelineThread = Environment.CurrentManagedThreadId;
        var task = Task.Run(async () =>
        {
            try
            {
                await work(cancel.Token).ConfigureAwait(false);
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

        queue = null;
        try
        {
            task.GetAwaiter().GetResult(); // already complete: the queue closes when it ends
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (IstioPSException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }
    }

    /// <summary>Runs an action on the pipeline thread (directly when already there).</summary>
    protected void Post(Action action)
    {
        if (Environment.CurrentManagedThreadId == pipelineThread || queue is null)
        {
            action();
        }
        else
        {
            queue.Add(action);
        }
    }

    /// <summary>Runs a function on the pipeline thread and waits for its answer (used for ShouldProcess).</summary>
    protected Task<T> Ask<T>(Func<T> question)
    {
        if (Environment.CurrentManagedThreadId == pipelineThread || queue is null)
        {
            return Task.FromResult(question());
        }

        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Add(() =>
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

    protected void Emit(object? value) => Post(() => WriteObject(value));
    protected void EmitError(ErrorRecord record) => Post(() => WriteError(record));
    protected void EmitError(IstioPSException ex) => EmitError(ErrorRecords.From(ex));
    protected void EmitVerbose(string text) => Post(() => WriteVerbose(text));
    protected void EmitWarning(string text) => Post(() => WriteWarning(text));
    protected void EmitProgress(ProgressRecord record) => Post(() => WriteProgress(record));

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

    public void Dispose()
    {
        cancel.Dispose();
        GC.SuppressFinalize(this);
    }
}
