using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IstioPS.Releases.Tests;

/// <summary>One request as the server saw it. Host shows whether it came through a proxy (absolute-form target).</summary>
public sealed record RequestRecord(string Scenario, string Method, string Host, string Path);

/// <summary>
/// A release mirror on 127.0.0.1 (Kestrel, port 0) with GitHub's layout, under a scenario prefix that keeps tests apart:
///   /&lt;scenario&gt;/&lt;version&gt;/istio-&lt;version&gt;-&lt;platform&gt;.tar.gz[.sha256]   the release files
///   /&lt;scenario&gt;/api/releases                                  GitHub's releases API answer
///   /_requests?scenario=&lt;scenario&gt;                               the request log (JSON), for Pester
/// A scenario whose name starts with "slow" sends archives in 16 chunks, 100 ms apart; "cut" cuts the first download of
/// each archive off half way (the connection is aborted after half of the announced bytes); "limited" answers the
/// releases API with 403, as GitHub does when its rate limit is used up.
/// It also answers proxy-style requests (GET http://host/path), which is how the proxy tests see a request pass through it.
/// </summary>
public sealed class ReleaseServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ReleaseCatalog _catalog;
    private readonly ConcurrentQueue<RequestRecord> _requests = new();
    private readonly ConcurrentDictionary<string, int> _cuts = new();

    private ReleaseServer(WebApplication app, ReleaseCatalog catalog)
    {
        _app = app;
        _catalog = catalog;
    }

    public Uri Address { get; private set; } = null!;

    public static async Task<ReleaseServer> StartAsync(ReleaseCatalog catalog)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ReleaseServer(app, catalog);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <summary>The mirror root of a scenario: pass it as BaseUri.</summary>
    public Uri BaseUri(string scenario) => new(Address, scenario + "/");

    public Uri ReleasesApi(string scenario) => new(Address, scenario + "/api/releases");

    public IReadOnlyList<RequestRecord> Requests(string scenario) => _requests.Where(r => r.Scenario == scenario).ToArray();

    /// <summary>How many times an archive (not its checksum) was asked for in a scenario.</summary>
    public int ArchiveDownloads(string scenario) => Requests(scenario).Count(r => r.Path.EndsWith(".tar.gz", StringComparison.Ordinal) || r.Path.EndsWith(".zip", StringComparison.Ordinal));

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var segments = path.Trim('/').Split('/');
        if (segments[0] == "_requests")
        {
            var scenario = context.Request.Query["scenario"].ToString();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(_requests.Where(r => scenario.Length == 0 || r.Scenario == scenario)));
            return;
        }

        // logged on arrival: a client may finish reading before the handler returns
        _requests.Enqueue(new RequestRecord(segments[0], context.Request.Method, context.Request.Host.Value ?? "", path));
        await ServeAsync(context, segments);
    }

    private async Task ServeAsync(HttpContext context, string[] segments)
    {
        var response = context.Response;
        if (segments.Length == 3 && segments[1] == "api" && segments[2] == "releases")
        {
            if (segments[0].StartsWith("limited", StringComparison.Ordinal))
            {
                response.StatusCode = 403; // what GitHub answers when the unauthenticated rate limit is used up
                await response.WriteAsync("""{"message":"API rate limit exceeded"}""");
                return;
            }

            response.ContentType = "application/json";
            await response.WriteAsync(ReleaseCatalog.ReleasesJson());
            return;
        }

        var bytes = segments.Length == 3 ? _catalog.Get(segments[1], segments[2]) : null;
        if (bytes is null)
        {
            response.StatusCode = 404;
            await response.WriteAsync("Not Found");
            return;
        }

        var scenario = segments[0];
        var isArchive = !segments[2].EndsWith(".sha256", StringComparison.Ordinal);
        response.ContentType = "application/octet-stream";
        response.ContentLength = bytes.Length;
        if (isArchive && scenario.StartsWith("cut", StringComparison.Ordinal) && _cuts.AddOrUpdate($"{scenario}/{segments[2]}", 1, (_, n) => n + 1) == 1)
        {
            await response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await response.Body.FlushAsync();
            await Task.Delay(50);
            context.Abort();
            return;
        }

        if (isArchive && scenario.StartsWith("slow", StringComparison.Ordinal))
        {
            // about 1.5 seconds for a small archive: long enough for a second caller to arrive while the first downloads
            var chunk = Math.Max(64, bytes.Length / 16);
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                await Task.Delay(100, context.RequestAborted);
                await response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)), context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }

            return;
        }

        await response.Body.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
