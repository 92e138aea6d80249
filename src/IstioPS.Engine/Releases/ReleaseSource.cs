using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using IstioPS.Engine.Apply;

namespace IstioPS.Engine.Releases;

/// <summary>
/// Gets Istio releases: from the cache when it has them, otherwise downloads the archive named the way Istio's
/// download script names it, checks it against the .sha256 published beside it, extracts it safely into a work
/// folder inside the cache and renames that into place. The one place (with the Kubernetes client) that talks to the network.
/// </summary>
public sealed class ReleaseSource
{
    public const string DefaultBaseUri = "https://github.com/istio/istio/releases/download/";
    public const string DefaultReleasesApiUri = "https://api.github.com/repos/istio/istio/releases";
    public const string BaseUriVariable = "ISTIOPS_RELEASE_BASE_URI";
    public const string ReleasesApiVariable = "ISTIOPS_RELEASES_API_URI";

    // One client per process: SocketsHttpHandler with its defaults keeps the system proxy and HTTP(S)_PROXY/NO_PROXY.
    private static readonly Lazy<HttpClient> SharedClient = new(CreateClient);

    private readonly HttpClient _http;

    /// <param name="cache">The cache to use when a request names no Destination; default the per-user cache.</param>
    /// <param name="http">An HttpClient to use instead of the shared one (tests).</param>
    public ReleaseSource(ReleaseCache? cache = null, HttpClient? http = null)
    {
        Cache = cache ?? new ReleaseCache();
        _http = http ?? SharedClient.Value;
    }

    public ReleaseCache Cache { get; }

    /// <summary>How long to wait for response headers, and for each read of a body, before giving up.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(60);

    private static HttpClient CreateClient()
    {
#pragma warning disable CA2000 // the client owns the handler (disposeHandler: true) and lives for the process
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None, // a .tar.gz must arrive as published, to match its checksum
        };
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000
        var version = typeof(ReleaseSource).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("IstioPS", version));
        return client;
    }

    /// <summary>
    /// The release of the request's version: the cached copy (Source = Cache) unless Force, else downloaded,
    /// verified and extracted into the cache (Source = Download). Null only when request.ShouldProcess said no.
    /// Errors: InvalidVersion, UnknownPlatform, ReleaseNotFound, NetworkUnavailable, ChecksumMissing, ChecksumMismatch,
    /// ArchiveTruncated, ArchiveCorrupt, UnsafeArchiveEntry, ArchiveLayoutInvalid, ArchiveExtractFailed, DownloadFailed,
    /// LatestVersionUnavailable, InvalidBaseUri, CacheLocked, CacheWriteFailed. Cancellation throws OperationCanceledException.
    /// </summary>
    public async Task<IstioRelease?> GetOrDownloadAsync(ReleaseRequest request, IProgress<OperationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cache = request.Destination is null ? Cache : new ReleaseCache(request.Destination);
        var platform = ReleasePlatform.Normalize(request.Platform);
        var explicitPlatform = string.IsNullOrWhiteSpace(request.Platform) ? null : platform;
        var version = await ResolveVersionAsync(request, cache, ct).ConfigureAwait(false);

        if (!request.Force && cache.Find(version, explicitPlatform) is { } cached)
        {
            request.Verbose?.Invoke($"Istio {version} ({cached.Platform}) is in the cache at {cached.Path}.");
            return cached;
        }

        var baseUri = ResolveBaseUri(request.BaseUri);
        var archiveName = ReleasePlatform.ArchiveName(version, platform);
        var archiveUri = new Uri(baseUri, $"{Uri.EscapeDataString(version)}/{archiveName}");
        if (request.ShouldProcess is not null && !request.ShouldProcess(cache.VersionFolder(version), $"Download Istio {version} for {platform} from {archiveUri}"))
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(cache.Root);
            using (await cache.LockAsync(version, request.Verbose, ct).ConfigureAwait(false))
            {
                cache.RemoveLeftovers(version);
                if (!request.Force && cache.Find(version, explicitPlatform) is { } other)
                {
                    request.Verbose?.Invoke($"Another process saved Istio {version} into the cache meanwhile: {other.Path}.");
                    return other;
                }

                var work = cache.NewPartialFolder(version);
                try
                {
                    return await DownloadIntoAsync(cache, work, version, platform, archiveUri, archiveName, request, progress, ct).ConfigureAwait(false);
                }
                finally
                {
                    ReleaseCache.DeleteQuietly(work);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // network and archive failures arrive as IstioPSException; what is left is the cache folder itself
            throw new IstioPSException("CacheWriteFailed", ErrorKind.WriteError,
                $"Cannot save Istio {version} into the cache {cache.Root}: {ex.Message}", cache.Root, ex);
        }
    }

    /// <summary>The version the request means: its own (validated) or, for "latest", the newest stable release on GitHub.</summary>
    public Task<string> ResolveVersionAsync(ReleaseRequest request, CancellationToken ct = default) =>
        ResolveVersionAsync(request, request.Destination is null ? Cache : new ReleaseCache(request.Destination), ct);

    private async Task<string> ResolveVersionAsync(ReleaseRequest request, ReleaseCache cache, CancellationToken ct)
    {
        if (!string.Equals(request.Version?.Trim(), "latest", StringComparison.OrdinalIgnoreCase))
        {
            return ReleaseVersion.Parse(request.Version).Text;
        }

        var apiUri = request.ReleasesApiUri ?? UriFromEnvironment(ReleasesApiVariable) ?? new Uri(DefaultReleasesApiUri);
        var latest = await GetLatestStableAsync(apiUri, cache, ct).ConfigureAwait(false);
        request.Verbose?.Invoke($"The newest stable Istio release is {latest} (from {apiUri}).");
        return latest;
    }

    /// <summary>The newest version GitHub lists that is neither a draft nor a pre-release.</summary>
    private async Task<string> GetLatestStableAsync(Uri apiUri, ReleaseCache cache, CancellationToken ct)
    {
        var uri = string.IsNullOrEmpty(apiUri.Query) ? new Uri(apiUri + "?per_page=100") : apiUri;
        using var message = new HttpRequestMessage(HttpMethod.Get, uri);
        message.Headers.Accept.ParseAdd("application/vnd.github+json");
        message.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        using var response = await SendAsync(message, "latest", cache, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new IstioPSException("LatestVersionUnavailable", response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized ? ErrorKind.PermissionDenied : ErrorKind.ConnectionError,
                $"Cannot find the newest Istio release: {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}. Name a version instead of 'latest'.", "latest");
        }

        JsonDocument document;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            document = await JsonDocument.ParseAsync(body, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new IstioPSException("LatestVersionUnavailable", ErrorKind.InvalidData, $"Cannot find the newest Istio release: {uri} did not answer with JSON ({ex.Message}).", "latest", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new IstioPSException("LatestVersionUnavailable", ErrorKind.ConnectionError, $"Cannot find the newest Istio release: reading {uri} failed ({ex.Message}).", "latest", ex);
        }

        using (document)
        {
            ReleaseVersion? best = null;
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var release in document.RootElement.EnumerateArray())
                {
                    if (release.ValueKind != JsonValueKind.Object || Flag(release, "draft") || Flag(release, "prerelease") ||
                        !release.TryGetProperty("tag_name", out var tag) || tag.ValueKind != JsonValueKind.String ||
                        !ReleaseVersion.TryParse(tag.GetString(), out var version) || !version.IsStable)
                    {
                        continue;
                    }

                    if (best is null || version.CompareTo(best) > 0)
                    {
                        best = version;
                    }
                }
            }

            return best?.Text ?? throw new IstioPSException("LatestVersionUnavailable", ErrorKind.ObjectNotFound,
                $"Cannot find the newest Istio release: {uri} lists no stable release.", "latest");
        }

        static bool Flag(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
    }

    private async Task<IstioRelease> DownloadIntoAsync(ReleaseCache cache, string work, string version, string platform, Uri archiveUri, string archiveName,
        ReleaseRequest request, IProgress<OperationProgress>? progress, CancellationToken ct)
    {
        var checksumUri = new Uri(archiveUri + ".sha256");
        request.Verbose?.Invoke($"Downloading {archiveUri}.");
        progress?.Report(new OperationProgress($"Downloading {archiveName}", 0, archiveUri.ToString()));
        using var archiveResponse = await SendAsync(new HttpRequestMessage(HttpMethod.Get, archiveUri), version, cache, ct).ConfigureAwait(false);
        if (archiveResponse.StatusCode == HttpStatusCode.NotFound)
        {
            throw new IstioPSException("ReleaseNotFound", ErrorKind.ObjectNotFound,
                $"Istio {version} does not exist for {platform}: {archiveUri} answered 404 Not Found. Check the version (Istio versions look like 1.30.3), or use 'latest'.", version);
        }

        EnsureSuccess(archiveResponse, archiveUri, version);
        var expected = await GetChecksumAsync(checksumUri, archiveName, version, cache, ct).ConfigureAwait(false);

        var archivePath = Path.Combine(work, archiveName);
        var actual = await SaveBodyAsync(archiveResponse, archivePath, archiveName, progress, ct).ConfigureAwait(false);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new IstioPSException("ChecksumMismatch", ErrorKind.SecurityError,
                $"The archive {archiveUri} does not match its published checksum: {checksumUri} says {expected}, the download hashes to {actual}. Nothing was saved.", archiveUri.ToString());
        }

        progress?.Report(new OperationProgress($"Extracting {archiveName}", 100, work));
        var tree = Path.Combine(work, "release");
        await ReleaseArchive.ExtractAsync(archivePath, tree, archiveName, request.Limits, ct).ConfigureAwait(false);
        File.Delete(archivePath);
        if (!Directory.Exists(Path.Combine(tree, $"istio-{version}")))
        {
            throw new IstioPSException("ArchiveLayoutInvalid", ErrorKind.InvalidData,
                $"The archive {archiveName} does not hold the folder istio-{version}/ that every Istio release has. Nothing was saved.", archiveUri.ToString());
        }

        var release = cache.Commit(tree, new ReleaseMetadata
        {
            Version = version,
            Platform = platform,
            Uri = archiveUri,
            Sha256 = actual,
            SavedAt = DateTimeOffset.UtcNow,
        });
        request.Verbose?.Invoke($"Saved Istio {version} ({platform}) at {release.Path}.");
        return release with { Source = ReleaseSourceKind.Download };
    }

    /// <summary>The hex digest from "&lt;hex&gt;  &lt;file name&gt;" (or a bare digest).</summary>
    private async Task<string> GetChecksumAsync(Uri checksumUri, string archiveName, string version, ReleaseCache cache, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, checksumUri), version, cache, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new IstioPSException("ChecksumMissing", ErrorKind.SecurityError,
                $"No checksum is published for {archiveName}: {checksumUri} answered 404 Not Found. An archive that cannot be verified is not used; nothing was saved.", checksumUri.ToString());
        }

        EnsureSuccess(response, checksumUri, version);
        string text;
        try
        {
            text = await ReadSmallAsync(response, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw Unavailable(version, checksumUri, cache, ex);
        }

        var first = text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        if (first.Length != 64 || !first.All(Uri.IsHexDigit))
        {
            throw new IstioPSException("ChecksumMissing", ErrorKind.SecurityError,
                $"{checksumUri} holds no SHA-256 digest (expected '<64 hex digits>  {archiveName}'). Nothing was saved.", checksumUri.ToString());
        }

        return first.ToLowerInvariant();
    }

    private async Task<string> ReadSmallAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(NetworkTimeout);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        var buffer = new byte[4096];
        var total = 0;
        int n;
        while (total < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(total), timeout.Token).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        return System.Text.Encoding.ASCII.GetString(buffer, 0, total);
    }

    /// <summary>Streams the body to a file, hashing as it goes, reporting bytes and percentage; returns the SHA-256 (hex).</summary>
    private async Task<string> SaveBodyAsync(HttpResponseMessage response, string path, string archiveName, IProgress<OperationProgress>? progress, CancellationToken ct)
    {
        var length = response.Content.Headers.ContentLength;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        var lastPercent = -1;
        var lastReport = DateTime.UtcNow;
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        var buffer = new byte[81920];
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        while (true)
        {
            idle.CancelAfter(NetworkTimeout);
            int n;
            try
            {
                n = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw ReleaseArchive.Truncated(archiveName, $"the server sent nothing for {NetworkTimeout.TotalSeconds:0} seconds after {received} bytes", null);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw ReleaseArchive.Truncated(archiveName, $"the download was cut off after {received} bytes{(length > 0 ? $" of {length}" : "")} ({ex.Message})", ex);
            }

            if (n == 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, n);
            try
            {
                await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new IstioPSException("CacheWriteFailed", ErrorKind.WriteError, $"Cannot write the download to {path}: {ex.Message}", path, ex);
            }

            received += n;
            var percent = length > 0 ? (int)(received * 100 / length.Value) : -1;
            if (progress is not null && (percent != lastPercent || DateTime.UtcNow - lastReport > TimeSpan.FromMilliseconds(250)))
            {
                lastPercent = percent;
                lastReport = DateTime.UtcNow;
                var of = length > 0 ? $"{FormatBytes(received)} of {FormatBytes(length.Value)} ({percent}%)" : FormatBytes(received);
                progress.Report(new OperationProgress($"Downloading {archiveName}: {of}", percent, response.RequestMessage?.RequestUri?.ToString()));
            }
        }

        if (length is not null && received != length)
        {
            throw ReleaseArchive.Truncated(archiveName, $"{received} bytes arrived of the {length} announced", null);
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, string version, ReleaseCache cache, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(NetworkTimeout);
        try
        {
            return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Unavailable(version, message.RequestUri!, cache, ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw Unavailable(version, message.RequestUri!, cache, ex);
        }
        finally
        {
            message.Dispose();
        }
    }

    private static IstioPSException Unavailable(string version, Uri uri, ReleaseCache cache, Exception ex)
    {
        var cached = cache.CachedVersions();
        var inCache = cached.Count == 0
            ? $"The cache ({cache.Root}) holds no release."
            : $"The cache ({cache.Root}) holds: {string.Join(", ", cached)}.";
        var why = ex is OperationCanceledException ? "it did not answer in time" : ex.Message;
        var what = version == "latest" ? "the newest Istio version" : $"Istio {version}";
        return new IstioPSException("NetworkUnavailable", ErrorKind.ConnectionError,
            $"Cannot download {what}: the network is unavailable or {uri.GetLeftPart(UriPartial.Authority)} cannot be reached ({why}). {inCache}", version, ex);
    }

    private static void EnsureSuccess(HttpResponseMessage response, Uri uri, string version)
    {
        if (!response.IsSuccessStatusCode)
        {
            var kind = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ErrorKind.PermissionDenied : ErrorKind.ConnectionError;
            throw new IstioPSException("DownloadFailed", kind,
                $"Cannot download Istio {version}: {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.", uri.ToString());
        }
    }

    private static Uri ResolveBaseUri(Uri? given)
    {
        var uri = given ?? UriFromEnvironment(BaseUriVariable) ?? new Uri(DefaultBaseUri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new IstioPSException("InvalidBaseUri", ErrorKind.InvalidArgument, $"'{uri}' is not an http(s) address of a release mirror.", uri.ToString());
        }

        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    private static Uri? UriFromEnvironment(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            ? uri
            : throw new IstioPSException("InvalidBaseUri", ErrorKind.InvalidArgument, $"${variable} ('{value}') is not an absolute http(s) address.", value);
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        >= 1 << 20 => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
