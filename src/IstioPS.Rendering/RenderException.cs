namespace IstioPS.Rendering;

/// <summary>The single error type of the renderer. <see cref="ErrorId"/> is a stable PascalCase identifier.</summary>
public sealed class RenderException : Exception
{
    public RenderException(string errorId, string message, string? file = null, int? line = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        File = file;
        Line = line;
    }

    /// <summary>Stable identifier: TemplateParseError, UnknownFunction, TemplateExecutionError, ChartNotFound,
    /// UnknownProfile, InvalidSetPath, InvalidSetValue, ValuesFileInvalid, RequiredValueMissing, ...</summary>
    public string ErrorId { get; }

    /// <summary>The template or input file the error points at, when known.</summary>
    public string? File { get; }

    /// <summary>1-based line in <see cref="File"/>, when known.</summary>
    public int? Line { get; }

    /// <summary>For template errors: the texts of the Go error chain this imitates (errors.Unwrap order, this one
    /// first), which Helm's error rewriting reads.</summary>
    internal IReadOnlyList<string>? GoChain { get; init; }
}

/// <summary>Stable error ids used by <see cref="RenderException"/>.</summary>
public static class RenderErrorIds
{
    public const string TemplateParseError = nameof(TemplateParseError);
    public const string UnknownFunction = nameof(UnknownFunction);
    public const string TemplateExecutionError = nameof(TemplateExecutionError);
    public const string ChartNotFound = nameof(ChartNotFound);
    public const string UnknownProfile = nameof(UnknownProfile);
    public const string InvalidSetPath = nameof(InvalidSetPath);
    public const string InvalidSetValue = nameof(InvalidSetValue);
    public const string ValuesFileInvalid = nameof(ValuesFileInvalid);
    public const string RequiredValueMissing = nameof(RequiredValueMissing);
    public const string ReleaseNotFound = nameof(ReleaseNotFound);
    public const string UnknownComponent = nameof(UnknownComponent);
}
