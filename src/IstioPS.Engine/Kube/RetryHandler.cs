using System.Net;
using System.Net.Sockets;

namespace IstioPS.Engine.Kube;

/// <summary>
/// Retries 429 (honouring Retry-After), 500, 502, 503, 504 and dropped connections with bounded,
/// jittered exponential backoff; not the 500 of an applied configuration that does not fit the kind's schema.
/// Watches are retried only before their response starts.
/// </summary>
internal sealed class RetryHandler : DelegatingHandler
{
    private readonly int _maxRetries;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;

    public RetryHandler(int maxRetries, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
    {
        _maxRetries = maxRetries;
        _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(100);
        _maxDelay = maxDelay ?? TimeSpan.FromSeconds(5);
    }

    /// <summary>Counts retries, for verbose output and tests.</summary>
    public int Retries;

    /// <summary>Told of every attempt (-Debug).</summary>
    public Action<RequestTrace>? Trace;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < _maxRetries && IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref Retries);
                var backoff = Backoff(attempt);
                Trace?.Invoke(new RequestTrace(request.Method.Method, request.RequestUri!, null, null, System.Diagnostics.Stopwatch.GetElapsedTime(started), attempt, backoff, ex.Message));
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception ex) when (Trace is not null && ex is not OperationCanceledException)
            {
                Trace(new RequestTrace(request.Method.Method, request.RequestUri!, null, null, System.Diagnostics.Stopwatch.GetElapsedTime(started), attempt, null, ex.Message));
                throw;
            }

            if (attempt >= _maxRetries || !IsRetryable(response.StatusCode) || await IsPermanentAsync(response, cancellationToken).ConfigureAwait(false))
            {
                Trace?.Invoke(new RequestTrace(request.Method.Method, request.RequestUri!, (int)response.StatusCode, response.ReasonPhrase, System.Diagnostics.Stopwatch.GetElapsedTime(started), attempt, null, null));
                return response;
            }

            var delay = RetryAfter(response) ?? Backoff(attempt);
            Trace?.Invoke(new RequestTrace(request.Method.Method, request.RequestUri!, (int)response.StatusCode, response.ReasonPhrase, System.Diagnostics.Stopwatch.GetElapsedTime(started), attempt, delay, null));
            response.Dispose();
            Interlocked.Increment(ref Retries);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A 500 that says the applied configuration does not fit the schema: the same request gets the same answer.</summary>
    private static async Task<bool> IsPermanentAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.StatusCode != HttpStatusCode.InternalServerError) return false;
        await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return body.Contains(KubeApiException.TypedPatchFailure, StringComparison.Ordinal);
    }

    private static bool IsRetryable(HttpStatusCode code) => code is HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static bool IsTransient(Exception ex) => ex switch
    {
        HttpRequestException h => h.InnerException is not System.Security.Authentication.AuthenticationException
                                  && h.HttpRequestError is not HttpRequestError.SecureConnectionError
                                  && h.HttpRequestError is not HttpRequestError.NameResolutionError,
        IOException => true,
        SocketException => true,
        _ => false,
    };

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta > _maxDelay ? _maxDelay : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > _maxDelay ? _maxDelay : wait;
        }

        return null;
    }

    private TimeSpan Backoff(int attempt)
    {
        var ms = _baseDelay.TotalMilliseconds * Math.Pow(2, attempt);
        ms = Math.Min(ms, _maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.8 + Random.Shared.NextDouble() * 0.4));
    }
}
