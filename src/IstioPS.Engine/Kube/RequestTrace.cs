namespace IstioPS.Engine.Kube;

/// <summary>
/// One HTTP attempt, for -Debug (like kubectl -v=6): verb, URL, status, duration, and whether it is
/// retried. Never holds headers or bodies (and the URL is shown without user info), so no credential can reach it.
/// </summary>
public sealed record RequestTrace(string Method, Uri Uri, int? Status, string? Reason, TimeSpan Duration, int Attempt, TimeSpan? RetryIn, string? Error)
{
    public override string ToString()
    {
        var outcome = Status is { } code ? $"{code} {Reason}".TrimEnd() : $"failed ({Error})";
        var retry = RetryIn is { } delay ? $", retry {Attempt + 1} in {delay.TotalMilliseconds:0} ms" : "";
        return $"{Method} {Uri.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped)} {outcome} in {Duration.TotalMilliseconds:0} ms{retry}";
    }
}
