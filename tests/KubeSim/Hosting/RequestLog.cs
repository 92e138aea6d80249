namespace KubeSim;

/// <summary>One request the API answered (control requests under /_sim are not logged), with the user it was authenticated as.</summary>
public sealed record RequestLogEntry(string Method, string Path, string Query, string? ContentType, int Status, string? UserAgent, string? User = null)
{
    /// <summary>
    /// Whether the request could change state (POST, PUT, PATCH, DELETE that is not a dry run). Access and token
    /// reviews (POSTed, answered, stored nowhere) are not writes either.
    /// </summary>
    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE" && !IsDryRun && !IsReview;

    /// <summary>A SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview, TokenReview or SelfSubjectReview: a question, stored nowhere.</summary>
    public bool IsReview => System.Text.RegularExpressions.Regex.IsMatch(Path, "^/apis/(authorization|authentication)\\.k8s\\.io/v1/(namespaces/[^/]+/)?[a-z]*reviews$");

    /// <summary>Whether the request asked for dryRun=All (the server validates and answers, and stores nothing).</summary>
    public bool IsDryRun => Query.Split('&', '?').Contains("dryRun=All");

    /// <summary>The Accept header as sent (a metadata-only list asks for as=PartialObjectMetadataList).</summary>
    public string? Accept { get; init; }

    /// <summary>
    /// When the request arrived and when its answer started, before its first byte was sent (milliseconds since the
    /// server started): a request whose StartedMs is after another's AnsweredMs was sent after that one was answered.
    /// </summary>
    public double StartedMs { get; init; }
    public double AnsweredMs { get; init; }

    /// <summary>Discovery: /api, /apis and their group and group-version documents, /version and OpenAPI.</summary>
    public bool IsDiscovery => System.Text.RegularExpressions.Regex.IsMatch(Path, "^/api(/[^/]+)?/?$|^/apis(/[^/]+){0,2}/?$|^/(version|openapi)(/|$)");
}

/// <summary>A thread-safe append-only log of answered requests.</summary>
public sealed class RequestLog
{
    readonly object _gate = new();
    readonly List<RequestLogEntry> _entries = [];

    public void Add(RequestLogEntry e)
    {
        lock (_gate) _entries.Add(e);
    }

    public IReadOnlyList<RequestLogEntry> Snapshot()
    {
        lock (_gate) return [.. _entries];
    }

    public void Clear()
    {
        lock (_gate) _entries.Clear();
    }
}
