namespace IstioPS.Engine;

/// <summary>What kind of failure an engine error is; the cmdlet layer maps it onto PowerShell's ErrorCategory.</summary>
public enum ErrorKind
{
    InvalidArgument,
    InvalidData,
    ObjectNotFound,
    PermissionDenied,
    ResourceExists,
    ConnectionError,
    OperationTimeout,
    ResourceUnavailable,
    NotImplemented,
    OperationStopped,
    InvalidOperation,
    SecurityError,
    ReadError,
    WriteError,
}

/// <summary>
/// The one exception type the engine lets out. <see cref="ErrorId"/> is stable (PascalCase) and
/// becomes the FullyQualifiedErrorId; <see cref="Target"/> is the offending input.
/// </summary>
public class IstioPSException : Exception
{
    public IstioPSException(string errorId, ErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }
    public ErrorKind Kind { get; }
    public object? Target { get; }
}

/// <summary>Several problems found at once (for example every invalid document of a manifest).</summary>
public sealed class IstioPSAggregateException : IstioPSException
{
    public IstioPSAggregateException(string errorId, ErrorKind kind, string message, IReadOnlyList<IstioPSException> errors, object? target = null)
        : base(errorId, kind, message, target)
    {
        Errors = errors;
    }

    public IReadOnlyList<IstioPSException> Errors { get; }
}
