namespace IstioPS.Engine.Apply;

/// <summary>What one write did to an object.</summary>
public enum ApplyAction
{
    Created,
    Configured,
    Unchanged,
    Deleted,
    NotFound,
    Restarted,
}

/// <summary>One object as applied (or deleted), for results and progress.</summary>
public sealed class AppliedObject
{
    public required string ApiVersion { get; init; }
    public required string Kind { get; init; }
    public string? Namespace { get; init; }
    public required string Name { get; init; }
    public required ApplyAction Action { get; init; }
    public string? Component { get; init; }
    public string? Source { get; init; }
    public string? ResourceVersion { get; init; }

    public override string ToString() => Namespace is null ? $"{Kind}/{Name} {Action.ToString().ToLowerInvariant()}" : $"{Kind}/{Namespace}/{Name} {Action.ToString().ToLowerInvariant()}";
}

/// <summary>Progress of a long operation, for a progress bar.</summary>
public sealed record OperationProgress(string Status, int PercentComplete, string? CurrentOperation = null);

/// <summary>How the engine talks back: permission per object, progress, verbose and warning text.</summary>
public sealed class OperationCallbacks
{
    /// <summary>Asked once per object before any write: (target, action) → go ahead?</summary>
    public Func<string, string, bool> ShouldProcess { get; init; } = (_, _) => true;
    /// <summary>
    /// Asked once for a whole batch: (summary, each target) → go ahead? The cmdlet asks the user once and,
    /// under -WhatIf, lists every target. When unset, <see cref="ShouldProcess"/> is asked about the summary.
    /// </summary>
    public Func<string, IReadOnlyList<string>, bool>? ShouldProcessAll { get; init; }
    public IProgress<OperationProgress>? Progress { get; init; }
    /// <summary>One item of a batch failed (the rest goes on); the error names the item as its target.</summary>
    public Action<IstioPSException>? Error { get; init; }
    public Action<string>? Verbose { get; init; }
    public Action<string>? Warning { get; init; }
    /// <summary>Each object as soon as it is written.</summary>
    public Action<AppliedObject>? Applied { get; init; }

    /// <summary>Asks once for the whole batch (see <see cref="ShouldProcessAll"/>).</summary>
    public bool ShouldProcessBatch(string summary, IReadOnlyList<string> targets)
        => ShouldProcessAll is { } all ? all(summary, targets) : ShouldProcess(summary, "Remove");
}
