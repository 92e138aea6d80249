using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Exceptions;

namespace IstioPS.Engine.Kube;

/// <summary>One event of a watch.</summary>
public readonly record struct WatchEvent(string Type, JsonObject Object);

/// <summary>
/// The engine's only way to the API server: raw JSON requests through KubernetesClient's configured
/// HttpClient and credentials (TLS, tokens, client certificates, exec plugins), with retries for
/// transient failures and errors mapped to <see cref="IstioPSException"/>. Credentials never appear in
/// messages: only the server URL, the context name and the request path do.
/// </summary>
public sealed class KubeApi : IDisposable
{
    public const string ApplyPatch = "application/apply-patch+yaml";
    public const string MergePatch = "application/merge-patch+json";

    /// <summary>Bodies as deep as the manifest readers allow (System.Text.Json's defaults stop at 64 levels).</summary>
    private static readonly JsonSerializerOptions BodyOptions = new() { MaxDepth = Manifests.ObjectValidator.MaxJsonDepth };
    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = Manifests.ObjectValidator.MaxJsonDepth };

    private readonly Kubernetes _client;
    private readonly RetryHandler _retry;
    private readonly TimeSpan _requestTimeout;
    private long _requestCount;

    private static readonly TimeSpan DeadlineGrace = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LateRequestTime = TimeSpan.FromSeconds(1);
    private readonly Uri _baseUri;
    private readonly TimeSpan? _callTimeout;
    private readonly DateTimeOffset? _deadline;
    private volatile bool _deadlineMissed;

    private KubeApi(Kubernetes client, RetryHandler retry, Uri server, string? context, string? kubeconfigPath, KubeConnectionOptions options)
    {
        _client = client;
        _retry = retry;
        _baseUri = server;
        Server = KubeCredentials.Redact(server);
        Context = context;
        KubeconfigPath = kubeconfigPath;
        _requestTimeout = options.RequestTimeout;
        _callTimeout = options.CallTimeout;
        _deadline = options.CallTimeout is { } t ? DateTimeOffset.UtcNow + t + DeadlineGrace : null;
    }

    /// <summary>The API server's URL as it may be shown (without a user or password written in it).</summary>
    public Uri Server { get; }
    public string? Context { get; }
    public string? KubeconfigPath { get; }

    /// <summary>Requests sent (retries not counted), for benchmarks and verbose output.</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);
    public int RetryCount => _retry.Retries;

    /// <summary>Told of every HTTP attempt: verb, URL, status, duration, retry (no headers, so no credentials).</summary>
    public Action<RequestTrace>? Trace
    {
        get => _retry.Trace;
        set => _retry.Trace = value;
    }

    public static KubeApi Connect(KubeConnectionOptions options)
    {
        var (config, path, context) = KubeconfigResolver.Resolve(options);
        var retry = new RetryHandler(options.MaxRetries);
        Kubernetes client;
        try
        {
            client = new Kubernetes(config, retry);
        }
        catch (KubeConfigException ex)
        {
            throw new IstioPSException("KubeconfigInvalid", ErrorKind.InvalidData,
                $"The kubeconfig '{path}' cannot be used: {KubeCredentials.Redact(ex.Message)}", path, ex);
        }

        return new KubeApi(client, retry, client.BaseUri, context, path, options);
    }

    public void Dispose() => _client.Dispose();

    public async Task<JsonObject> GetAsync(string path, CancellationToken ct, object? target = null)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, null, target, ct).ConfigureAwait(false);
        return await ReadObjectAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>GET that answers null for 404.</summary>
    public async Task<JsonObject?> TryGetAsync(string path, CancellationToken ct)
    {
        try
        {
            return await GetAsync(path, ct).ConfigureAwait(false);
        }
        catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Sends a JSON body (or none) and returns the answer's status and object.</summary>
    public async Task<(HttpStatusCode Status, JsonObject Body)> WriteAsync(HttpMethod method, string path, JsonNode? body, string? contentType, CancellationToken ct, object? target = null)
    {
        using var response = await SendBodyAsync(method, path, body, contentType, target, ct).ConfigureAwait(false);
        return (response.StatusCode, await ReadObjectAsync(response, ct).ConfigureAwait(false));
    }

    /// <summary>
    /// The same write, answering the object without its status, its managedFields and the top-level fields named in
    /// <paramref name="omit"/>, read straight from the answer's bytes (<see cref="JsonProjection"/>).
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonObject Body)> WriteProjectedAsync(HttpMethod method, string path, JsonNode? body, string? contentType, IReadOnlyCollection<string> omit, CancellationToken ct, object? target = null)
    {
        using var response = await SendBodyAsync(method, path, body, contentType, target, ct).ConfigureAwait(false);
        return (response.StatusCode, JsonProjection.Parse(await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), omit));
    }

    /// <summary>
    /// The same write, answering only the status and the written object's resourceVersion: the answer is scanned up to
    /// its metadata, not parsed (a CustomResourceDefinition comes back as hundreds of kilobytes with its managedFields).
    /// </summary>
    public async Task<(HttpStatusCode Status, string? ResourceVersion)> WriteForVersionAsync(HttpMethod method, string path, JsonNode? body, string? contentType, CancellationToken ct, object? target = null)
    {
        using var response = await SendBodyAsync(method, path, body, contentType, target, ct).ConfigureAwait(false);
        return (response.StatusCode, MetadataOf(await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false)).ResourceVersion);
    }

    private async Task<HttpResponseMessage> SendBodyAsync(HttpMethod method, string path, JsonNode? body, string? contentType, object? target, CancellationToken ct)
    {
        using var content = body is null ? null : new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, BodyOptions));
        if (content is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        return await SendAsync(method, path, content, null, target, ct).ConfigureAwait(false);
    }

    /// <summary>What a metadata-only list asks for: kube-apiserver answers each item's metadata and nothing else.</summary>
    public const string MetadataListAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

    /// <summary>
    /// Every item of a list, following <c>continue</c> tokens; also returns the list's resourceVersion. Without
    /// <paramref name="managedFields"/> the items are read without them (<see cref="JsonProjection"/>).
    /// </summary>
    public async Task<(List<JsonObject> Items, string? ResourceVersion)> ListAsync(string path, string? labelSelector, CancellationToken ct, int pageSize = 500, string? fieldSelector = null,
        bool managedFields = true)
    {
        var items = new List<JsonObject>();
        var rv = await ListPagesAsync(path, labelSelector, fieldSelector, pageSize, null, bytes =>
        {
            if (!managedFields)
            {
                items.AddRange(JsonProjection.Items(bytes, null));
                return;
            }

            var list = Parse(bytes);
            if (list["items"] is JsonArray array)
            {
                foreach (var item in array)
                {
                    if (item is JsonObject o) items.Add(o);
                }
            }
        }, items.Clear, ct).ConfigureAwait(false);
        return (items, rv);
    }

    /// <summary>
    /// The metadata of every object of a collection (a metadata-only list: no specs, no status), paged; each
    /// item's <c>metadata</c> is handed to <paramref name="project"/> as its page arrives and only what it returns
    /// (skipped when null) is kept, so scanning a big cluster holds little more than the projections.
    /// </summary>
    public async Task<(List<T> Items, string? ResourceVersion)> ListMetadataAsync<T>(string path, Func<JsonElement, T?> project, CancellationToken ct,
        string? labelSelector = null, string? fieldSelector = null, int pageSize = 5000)
        where T : class
    {
        var items = new List<T>();
        var rv = await ListPagesAsync(path, labelSelector, fieldSelector, pageSize, MetadataListAccept, bytes =>
        {
            using var page = JsonDocument.Parse(bytes);
            if (page.RootElement.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object
                        && project(meta) is { } kept)
                    {
                        items.Add(kept);
                    }
                }
            }
        }, items.Clear, ct).ConfigureAwait(false);
        return (items, rv);
    }

    /// <summary>A string property of a JSON object element, or null.</summary>
    public static string? StringProperty(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>
    /// Requests every page of a list and hands each page's bytes to <paramref name="readPage"/>. The next page is asked
    /// for as soon as a page's <c>continue</c> token is read (the list's metadata comes before its items), so the server
    /// prepares and sends it while this one is parsed. A continue token the server no longer honours (410 Expired, after
    /// etcd compacted its resourceVersion) restarts the list from the first page, as client-go's pager does.
    /// </summary>
    private async Task<string?> ListPagesAsync(string path, string? labelSelector, string? fieldSelector, int pageSize, string? accept,
        Action<byte[]> readPage, Action restart, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            string? cont = null;
            string? rv = null;
            using var pages = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task<byte[]>? pending = null;
            try
            {
                pending = PageAsync(null);
                while (pending is not null)
                {
                    var bytes = await pending.ConfigureAwait(false);
                    pending = null;
                    var (pageRv, next) = MetadataOf(bytes);
                    rv = pageRv ?? rv;
                    cont = string.IsNullOrEmpty(next) ? null : next;
                    if (cont is not null) pending = PageAsync(cont);
                    readPage(bytes);
                }

                return rv;
            }
            catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.Gone && cont is not null && attempt < MaxListRestarts)
            {
                restart();
            }
            finally
            {
                if (pending is not null)
                {
                    // Reading this page failed: the next one is not wanted.
                    pages.Cancel();
                    await pending.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                }
            }

            async Task<byte[]> PageAsync(string? token)
            {
                var query = new StringBuilder($"?limit={pageSize}");
                if (!string.IsNullOrEmpty(labelSelector)) query.Append("&labelSelector=").Append(Uri.EscapeDataString(labelSelector));
                if (!string.IsNullOrEmpty(fieldSelector)) query.Append("&fieldSelector=").Append(Uri.EscapeDataString(fieldSelector));
                if (token is not null) query.Append("&continue=").Append(Uri.EscapeDataString(token));
                using var response = await SendAsync(HttpMethod.Get, path + query, null, accept, null, pages.Token).ConfigureAwait(false);
                return await response.Content.ReadAsByteArrayAsync(pages.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A list's or an object's resourceVersion (and a list's continue token), read from its metadata without parsing the rest.</summary>
    private static (string? ResourceVersion, string? Continue) MetadataOf(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes, JsonProjection.Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return (null, null);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (!isMetadata || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string? rv = null, cont = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && name == "resourceVersion") rv = reader.GetString();
                else if (reader.TokenType == JsonTokenType.String && name == "continue") cont = reader.GetString();
                else reader.Skip();
            }

            return (rv, cont);
        }

        return (null, null);
    }

    private const int MaxListRestarts = 5;

    /// <summary>
    /// Watches a collection. Without a resourceVersion the server first sends an ADDED event for each
    /// existing object, so one request both lists and watches; with one, it sends what changed after it.
    /// Bookmarks are asked for (BOOKMARK events carry only a newer resourceVersion to resume from). The
    /// enumeration ends when the server closes the watch (servers do after a few minutes); a resourceVersion
    /// the server has compacted away throws <see cref="KubeApiException"/> 410 (<c>Expired</c>): list again.
    /// Events are read as the waits need them (<see cref="WatchEvents"/>): no managedFields, and none of the object's
    /// top-level fields named in <paramref name="omit"/> (a CRD's spec, its schemas, when only its conditions matter).
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string path, string? labelSelector, string? fieldSelector, [EnumeratorCancellation] CancellationToken ct, string? resourceVersion = null,
        IReadOnlyCollection<string>? omit = null)
    {
        var query = new StringBuilder("?watch=1&allowWatchBookmarks=true");
        if (!string.IsNullOrEmpty(labelSelector)) query.Append("&labelSelector=").Append(Uri.EscapeDataString(labelSelector));
        if (!string.IsNullOrEmpty(fieldSelector)) query.Append("&fieldSelector=").Append(Uri.EscapeDataString(fieldSelector));
        if (!string.IsNullOrEmpty(resourceVersion)) query.Append("&resourceVersion=").Append(Uri.EscapeDataString(resourceVersion));
        using var response = await SendAsync(HttpMethod.Get, path + query, null, null, null, ct, streaming: true).ConfigureAwait(false);
        using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        // One event a line, read as UTF-8 bytes (a CRD's event is hundreds of kilobytes: never turned into a string).
        var buffer = new byte[64 * 1024];
        int start = 0, end = 0, scanned = 0;
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', scanned, end - scanned);
            if (newline < 0)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                scanned = end;
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                int read;
                try
                {
                    read = await stream.ReadAsync(buffer.AsMemory(end), ct).ConfigureAwait(false);
                }
                catch (IOException) when (!ct.IsCancellationRequested)
                {
                    yield break; // the server closed the watch; callers start another
                }

                if (read == 0) yield break;
                end += read;
                continue;
            }

            var line = buffer.AsMemory(start, newline - start);
            start = scanned = newline + 1;
            if (WatchEvents.Parse(line.Span, omit) is not var (type, obj)) continue;
            if (type == "ERROR")
            {
                if ((int?)obj["code"] == (int)HttpStatusCode.Gone)
                {
                    throw KubeApiException.FromResponse(HttpStatusCode.Gone, obj.ToJsonString(), "GET", path, path);
                }

                yield break;
            }

            yield return new WatchEvent(type, obj);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? accept, object? target, CancellationToken ct, bool streaming = false)
    {
        var uri = new Uri(_baseUri, path);
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Accept.ParseAdd(accept ?? "application/json");
        Interlocked.Increment(ref _requestCount);
        var limit = TimeLimit();
        if (limit <= TimeSpan.Zero)
        {
            throw CallTimedOut(method, uri, null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        var token = timeout.Token;
        HttpResponseMessage response;
        try
        {
            if (_client.Credentials is not null)
            {
                await _client.Credentials.ProcessHttpRequestAsync(request, token).ConfigureAwait(false);
            }

            response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            if (streaming) timeout.CancelAfter(Timeout.InfiniteTimeSpan); // a watch runs as long as its caller wants once it has started
        }
        catch (HttpRequestException ex) when (ex.InnerException is AuthenticationException || ex.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new IstioPSException("TlsHandshakeFailed", ErrorKind.SecurityError,
                $"The API server {Server} could not be trusted or the TLS handshake failed{ContextText}: {KubeCredentials.Redact(ex.InnerException?.Message ?? ex.Message)}", Server.ToString(), ex);
        }
        catch (HttpRequestException ex)
        {
            throw new IstioPSException("ClusterUnreachable", ErrorKind.ConnectionError,
                $"Cannot reach the Kubernetes API server {Server}{ContextText}: {KubeCredentials.Redact(ex.Message)}", Server.ToString(), ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            if (_deadline is { } d && DateTimeOffset.UtcNow >= d - DeadlineGrace)
            {
                _deadlineMissed = true;
                throw CallTimedOut(method, uri, ex);
            }

            throw new IstioPSException("RequestTimeout", ErrorKind.OperationTimeout,
                $"The API server {Server} did not answer {method} {uri.AbsolutePath} within {FormatSeconds(limit)}.", Server.ToString(), ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                response.Dispose();
            }

            throw AuthFailure.Explain(KubeApiException.FromResponse(response.StatusCode, body, method.Method, uri.AbsolutePath, target ?? uri.AbsolutePath),
                Server, Context, KubeconfigPath);
        }

        return response;
    }

    /// <summary>The one way to say that a namespace does not exist (stable id NamespaceNotFound, the name as target).</summary>
    public IstioPSException NamespaceNotFound(string ns, Exception? inner = null)
        => new("NamespaceNotFound", ErrorKind.ObjectNotFound, $"The namespace '{ns}' does not exist on {Server}.", ns, inner);

    private string ContextText => Context is null ? "" : $" (context '{Context}')";

    /// <summary>
    /// How long the next request may take: the per-request limit, within what is left of the call's. Past the call's
    /// deadline a request still gets a second (to explain a timeout, say), unless one has already gone unanswered by
    /// the deadline: then none is sent (zero).
    /// </summary>
    private TimeSpan TimeLimit()
    {
        if (_deadline is not { } d) return _requestTimeout;
        var left = d - DateTimeOffset.UtcNow;
        if (left < LateRequestTime) return _deadlineMissed ? TimeSpan.Zero : LateRequestTime;
        return left < _requestTimeout ? left : _requestTimeout;
    }

    private IstioPSException CallTimedOut(HttpMethod method, Uri uri, Exception? inner) => new("RequestTimeout", ErrorKind.OperationTimeout,
        $"The API server {Server} did not answer {method} {uri.AbsolutePath} within the call's time limit of {FormatSeconds(_callTimeout!.Value)} (-Timeout).", Server.ToString(), inner);

    private static string FormatSeconds(TimeSpan t) => t.TotalSeconds < 10 ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalSeconds:0} s";

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct)
        => Parse(await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));

    private static JsonObject Parse(byte[] bytes)
        => bytes.Length == 0 ? new JsonObject() : JsonNode.Parse(bytes, documentOptions: ReadOptions) as JsonObject ?? new JsonObject();
}
