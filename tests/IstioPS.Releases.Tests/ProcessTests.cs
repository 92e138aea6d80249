using System.Net;
using System.Net.Sockets;
using IstioPS.Engine.Releases;
using Xunit;

namespace IstioPS.Releases.Tests;

/// <summary>Behaviour that needs separate processes: proxy variables (read once per process) and two processes at once.</summary>
[Collection(ServerCollection.Name)]
public sealed class ProcessTests : IDisposable
{
    private readonly ServerFixture _fixture;
    private readonly TempCache _cache = new();

    public ProcessTests(ServerFixture fixture) => _fixture = fixture;

    private ReleaseServer Server => _fixture.Server;

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task Two_processes_asking_for_the_same_version_end_with_one_good_copy()
    {
        var scenario = $"slow-{Guid.NewGuid():N}";
        var env = new Dictionary<string, string?>();
        var args = new[] { "--version", ReleaseCatalog.Small, "--cache", _cache.Root, "--base-uri", Server.BaseUri(scenario).ToString() };
        var first = ChildProcess.StartFetch(env, args);
        var second = ChildProcess.StartFetch(env, args);
        var outputs = await Task.WhenAll(ChildProcess.OutputAsync(first), ChildProcess.OutputAsync(second));

        Assert.All(outputs, o => Assert.StartsWith("OK ", o));
        Assert.Equal(new[] { "OK Cache", "OK Download" }, outputs.Select(o => string.Join(' ', o.Split(' ').Take(2))).Order());
        Assert.Equal(1, Server.ArchiveDownloads(scenario));
        Assert.Equal(new[] { "1.29.0" }, _cache.Contents());
        Assert.Equal(new[] { "default", "demo", "minimal" }, Assert.Single(new ReleaseCache(_cache.Root).ListCached()).Profiles);
    }

    [Fact]
    public async Task A_process_killed_mid_download_leaves_no_release_and_the_next_call_starts_clean()
    {
        var scenario = $"slow-{Guid.NewGuid():N}";
        var env = new Dictionary<string, string?>();
        var args = new[] { "--version", ReleaseCatalog.Small, "--cache", _cache.Root, "--base-uri", Server.BaseUri(scenario).ToString() };
        using (var child = ChildProcess.StartFetch(env, args))
        {
            // wait until the archive is being written into the work folder, then kill the process
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!Directory.EnumerateDirectories(_cache.Root, ".partial-1.29.0-*").Any(d => Directory.EnumerateFiles(d).Any()))
            {
                Assert.True(DateTime.UtcNow < deadline, "the child process never started downloading");
                Assert.False(child.HasExited, "the child process ended before it was killed");
                await Task.Delay(20);
            }

            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        Assert.Empty(new ReleaseCache(_cache.Root).ListCached());
        Assert.DoesNotContain("1.29.0", _cache.Contents());

        var output = await ChildProcess.FetchAsync(env, args);
        Assert.StartsWith("OK Download 1.29.0", output);
        Assert.Equal(new[] { "1.29.0" }, _cache.Contents()); // the killed process's work folder is gone
    }

    [Fact]
    public async Task HTTP_PROXY_is_honoured()
    {
        var scenario = $"p-{Guid.NewGuid():N}";
        var env = new Dictionary<string, string?>
        {
            ["HTTP_PROXY"] = Server.Address.ToString(),
            [ReleaseSource.BaseUriVariable] = $"http://releases.example.test/{scenario}/",
        };
        var output = await ChildProcess.FetchAsync(env, "--version", ReleaseCatalog.Small, "--cache", _cache.Root);

        Assert.StartsWith("OK Download 1.29.0", output);
        var requests = Server.Requests(scenario);
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal("releases.example.test", r.Host)); // absolute-form requests: they went through the proxy
    }

    [Fact]
    public async Task NO_PROXY_bypasses_the_proxy_and_without_it_the_proxy_is_used()
    {
        var deadProxy = $"http://127.0.0.1:{ReleaseSourceTests.ClosedPort()}";
        var scenario = $"np-{Guid.NewGuid():N}";
        var args = new[] { "--version", ReleaseCatalog.Small, "--cache", _cache.Root, "--base-uri", Server.BaseUri(scenario).ToString() };

        var through = await ChildProcess.FetchAsync(new Dictionary<string, string?> { ["HTTP_PROXY"] = deadProxy }, args);
        Assert.StartsWith("ERROR NetworkUnavailable", through);
        Assert.Empty(Server.Requests(scenario));

        var bypassed = await ChildProcess.FetchAsync(new Dictionary<string, string?> { ["HTTP_PROXY"] = deadProxy, ["NO_PROXY"] = "127.0.0.1" }, args);
        Assert.StartsWith("OK Download 1.29.0", bypassed);
        Assert.All(Server.Requests(scenario), r => Assert.Equal(Server.Address.Authority, r.Host));
    }

    [Fact]
    public async Task HTTPS_PROXY_is_asked_to_tunnel_and_NO_PROXY_bypasses_it()
    {
        // a proxy-ish listener: records the request line, refuses the tunnel
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var seen = new List<string>();
        var serving = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await proxy.AcceptTcpClientAsync();
                    using var stream = client.GetStream();
                    using var reader = new StreamReader(stream, leaveOpen: true);
                    var line = await reader.ReadLineAsync();
                    lock (seen) seen.Add(line ?? "");
                    await stream.WriteAsync("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
                // stopped
            }
        });
        var env = new Dictionary<string, string?>
        {
            ["HTTPS_PROXY"] = $"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}",
            [ReleaseSource.BaseUriVariable] = "https://releases.example.invalid/istio/",
        };

        var through = await ChildProcess.FetchAsync(env, "--version", ReleaseCatalog.Small, "--cache", _cache.Root);
        Assert.StartsWith("ERROR NetworkUnavailable", through);
        lock (seen) Assert.Contains(seen, l => l.StartsWith("CONNECT releases.example.invalid:443 ", StringComparison.Ordinal));

        lock (seen) seen.Clear();
        env["NO_PROXY"] = ".example.invalid";
        var bypassed = await ChildProcess.FetchAsync(env, "--version", ReleaseCatalog.Small, "--cache", _cache.Root);
        Assert.StartsWith("ERROR NetworkUnavailable", bypassed); // direct: the name does not resolve
        lock (seen) Assert.Empty(seen);

        proxy.Stop();
        await serving;
    }

    [Fact]
    public async Task The_mirror_and_releases_api_come_from_environment_variables()
    {
        var scenario = $"env-{Guid.NewGuid():N}";
        var env = new Dictionary<string, string?>
        {
            [ReleaseSource.BaseUriVariable] = Server.BaseUri(scenario).ToString(),
            [ReleaseSource.ReleasesApiVariable] = Server.ReleasesApi(scenario).ToString(),
        };
        var output = await ChildProcess.FetchAsync(env, "--version", "latest", "--cache", _cache.Root);
        Assert.StartsWith("OK Download 1.29.0", output);
        Assert.Contains(Server.Requests(scenario), r => r.Path.EndsWith("/api/releases", StringComparison.Ordinal));
    }
}
