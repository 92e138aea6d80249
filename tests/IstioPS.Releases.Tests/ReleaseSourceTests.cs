using System.Net;
using System.Net.Sockets;
using IstioPS.Engine;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Releases;
using Xunit;

namespace IstioPS.Releases.Tests;

/// <summary>Download, verification, cache and failure behaviour against the local release server.</summary>
[Collection(ServerCollection.Name)]
public sealed class ReleaseSourceTests : IDisposable
{
    private readonly ServerFixture _fixture;
    private readonly TempCache _cache = new();

    public ReleaseSourceTests(ServerFixture fixture) => _fixture = fixture;

    private ReleaseServer Server => _fixture.Server;

    private ReleaseSource Source() => new(new ReleaseCache(_cache.Root));

    private static string NewScenario(string kind = "s") => $"{kind}-{Guid.NewGuid():N}";

    private Task<IstioRelease?> GetAsync(string version, string scenario, string? platform = null, bool force = false, IProgress<OperationProgress>? progress = null, ArchiveLimits? limits = null, CancellationToken ct = default) =>
        Source().GetOrDownloadAsync(new ReleaseRequest { Version = version, BaseUri = Server.BaseUri(scenario), Platform = platform, Force = force, Limits = limits ?? ArchiveLimits.Default }, progress, ct);

    public void Dispose() => _cache.Dispose();

    [SkippableFact]
    public async Task Downloads_verifies_and_caches_the_real_release()
    {
        Skip.If(_fixture.Catalog.RealReleaseFolder is null, "../shared/istio/releases/istio-1.30.3 is absent (set ISTIOPS_ISTIO_DATA); the real-release download is not tested.");
        var scenario = NewScenario();
        var reports = new List<OperationProgress>();
        var release = await GetAsync(ReleaseCatalog.Real, scenario, progress: new SyncProgress(reports));

        Assert.NotNull(release);
        Assert.Equal(ReleaseSourceKind.Download, release.Source);
        Assert.Equal("1.30.3", release.Version);
        Assert.Equal(ReleasePlatform.Current, release.Platform);
        Assert.Equal(Path.Combine(_cache.Root, "1.30.3", "istio-1.30.3"), release.Path);
        var expectedProfiles = Directory.GetFiles(Path.Combine(_fixture.Catalog.RealReleaseFolder!, "manifests", "profiles"), "*.yaml")
            .Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expectedProfiles, release.Profiles);
        Assert.Contains("demo", release.Profiles);

        // the same tree, byte for byte
        var sourceFiles = Directory.GetFiles(_fixture.Catalog.RealReleaseFolder!, "*", SearchOption.AllDirectories);
        Assert.Equal(sourceFiles.Length, Directory.GetFiles(release.Path, "*", SearchOption.AllDirectories).Length);
        foreach (var file in sourceFiles.Take(40))
        {
            var copy = Path.Combine(release.Path, Path.GetRelativePath(_fixture.Catalog.RealReleaseFolder!, file));
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(copy));
        }

        Assert.Equal(new[] { "1.30.3" }, _cache.Contents());
        Assert.True(File.Exists(Path.Combine(_cache.Root, "1.30.3", ReleaseCache.MetadataFileName)));
        Assert.Equal(new Uri(Server.BaseUri(scenario), "1.30.3/istio-1.30.3-" + ReleasePlatform.Current + ".tar.gz"), release.Uri);
        Assert.Matches("^[0-9a-f]{64}$", release.Sha256!);

        // progress: bytes and percentage, up to 100
        Assert.Contains(reports, r => r.Status.Contains(" of ", StringComparison.Ordinal) && r.Status.Contains("KB", StringComparison.Ordinal));
        Assert.Contains(reports, r => r.PercentComplete == 100);
        Assert.True(reports.Select(r => r.PercentComplete).SequenceEqual(reports.Select(r => r.PercentComplete).Order()), "progress never goes backwards");
    }

    [Fact]
    public async Task A_cached_version_is_not_downloaded_again_unless_forced()
    {
        var scenario = NewScenario();
        var first = await GetAsync(ReleaseCatalog.Small, scenario);
        var second = await GetAsync(ReleaseCatalog.Small, scenario);

        Assert.Equal(ReleaseSourceKind.Download, first!.Source);
        Assert.Equal(ReleaseSourceKind.Cache, second!.Source);
        Assert.Equal(first.Path, second.Path);
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(new[] { "default", "demo", "minimal" }, second.Profiles);
        Assert.Equal(1, Server.ArchiveDownloads(scenario));

        var forced = await GetAsync(ReleaseCatalog.Small, scenario, force: true);
        Assert.Equal(ReleaseSourceKind.Download, forced!.Source);
        Assert.Equal(2, Server.ArchiveDownloads(scenario));
        Assert.Equal(new[] { "1.29.0" }, _cache.Contents());
    }

    [Fact]
    public async Task Extracted_files_keep_their_execute_bit_and_links_inside_the_release()
    {
        var release = await GetAsync(ReleaseCatalog.Small, NewScenario());
        var istioctl = Path.Combine(release!.Path, "bin", "istioctl");
        Assert.Equal("#!/bin/sh\necho istioctl\n", File.ReadAllText(istioctl));
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(istioctl).HasFlag(UnixFileMode.UserExecute));
            var link = new FileInfo(Path.Combine(release.Path, "bin", "profiles"));
            Assert.Equal("../manifests/profiles", link.LinkTarget);
            Assert.True(File.Exists(Path.Combine(release.Path, "bin", "profiles", "demo.yaml")));
        }
    }

    [Fact]
    public async Task The_windows_platform_downloads_and_extracts_the_zip()
    {
        var scenario = NewScenario();
        var release = await GetAsync(ReleaseCatalog.Small, scenario, platform: "WIN");
        Assert.Equal("win", release!.Platform);
        Assert.EndsWith("/1.29.0/istio-1.29.0-win.zip", release.Uri!.AbsolutePath);
        Assert.Equal(new[] { "default", "demo", "minimal" }, release.Profiles);
        Assert.Contains(Server.Requests(scenario), r => r.Path.EndsWith("istio-1.29.0-win.zip.sha256", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cached_release_of_another_platform_is_replaced_when_a_platform_is_named()
    {
        var scenario = NewScenario();
        await GetAsync(ReleaseCatalog.Small, scenario, platform: "linux-arm64");
        var hit = await GetAsync(ReleaseCatalog.Small, scenario); // no platform named: any cached one will do
        Assert.Equal(ReleaseSourceKind.Cache, hit!.Source);

        var win = await GetAsync(ReleaseCatalog.Small, scenario, platform: "win");
        Assert.Equal(ReleaseSourceKind.Download, win!.Source);
        Assert.Equal("win", Assert.Single(new ReleaseCache(_cache.Root).ListCached()).Platform);
        Assert.Equal(new[] { "1.29.0" }, _cache.Contents());
    }

    [Fact]
    public async Task An_unknown_version_says_it_does_not_exist_and_names_the_url()
    {
        var scenario = NewScenario();
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => GetAsync("9.9.9", scenario));
        Assert.Equal("ReleaseNotFound", ex.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
        Assert.Contains("does not exist", ex.Message);
        Assert.Contains(new Uri(Server.BaseUri(scenario), $"9.9.9/istio-9.9.9-{ReleasePlatform.Current}.tar.gz").ToString(), ex.Message);
        Assert.Empty(_cache.Contents());
    }

    [Fact]
    public async Task Without_network_the_error_says_so_and_names_the_cached_versions()
    {
        var scenario = NewScenario();
        await GetAsync(ReleaseCatalog.Small, scenario);
        await GetAsync(ReleaseCatalog.Older, scenario);
        var dead = new Uri($"http://127.0.0.1:{ClosedPort()}/mirror/");

        var ex = await Assert.ThrowsAsync<IstioPSException>(() => Source().GetOrDownloadAsync(new ReleaseRequest { Version = "1.30.3", BaseUri = dead }));
        Assert.Equal("NetworkUnavailable", ex.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
        Assert.Contains("network is unavailable", ex.Message);
        Assert.Contains("1.29.0, 1.28.9", ex.Message);

        var latest = await Assert.ThrowsAsync<IstioPSException>(() => Source().GetOrDownloadAsync(new ReleaseRequest { Version = "latest", ReleasesApiUri = new Uri(dead, "api/releases") }));
        Assert.Equal("NetworkUnavailable", latest.ErrorId);
        Assert.Contains("1.29.0, 1.28.9", latest.Message);

        // the cache still answers without network
        var cached = await Source().GetOrDownloadAsync(new ReleaseRequest { Version = "1.29.0", BaseUri = dead });
        Assert.Equal(ReleaseSourceKind.Cache, cached!.Source);
    }

    [Fact]
    public async Task Without_network_and_an_empty_cache_the_error_says_the_cache_is_empty()
    {
        var dead = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => Source().GetOrDownloadAsync(new ReleaseRequest { Version = "1.30.3", BaseUri = dead }));
        Assert.Equal("NetworkUnavailable", ex.ErrorId);
        Assert.Contains("holds no release", ex.Message);
    }

    [Theory]
    [InlineData(ReleaseCatalog.WrongChecksum, null, "ChecksumMismatch")]
    [InlineData(ReleaseCatalog.NoChecksum, null, "ChecksumMissing")]
    [InlineData(ReleaseCatalog.Truncated, null, "ArchiveTruncated")]
    [InlineData(ReleaseCatalog.Truncated, "win", "ArchiveTruncated")]
    [InlineData(ReleaseCatalog.TruncatedTrailer, null, "ArchiveTruncated")]
    [InlineData(ReleaseCatalog.NoReleaseFolder, null, "ArchiveLayoutInvalid")]
    [InlineData(ReleaseCatalog.FileUnderFile, null, "ArchiveExtractFailed")]
    public async Task A_bad_archive_is_a_clear_error_and_leaves_nothing_in_the_cache(string version, string? platform, string errorId)
    {
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => GetAsync(version, NewScenario(), platform));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Contains("Nothing was saved", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_cache.Contents());
        Assert.Empty(new ReleaseCache(_cache.Root).ListCached());
    }

    [Theory]
    [InlineData(ReleaseCatalog.Traversal, null)]
    [InlineData(ReleaseCatalog.Traversal, "win")]
    [InlineData(ReleaseCatalog.AbsolutePath, null)]
    [InlineData(ReleaseCatalog.AbsolutePath, "win")]
    [InlineData(ReleaseCatalog.LinkOutside, null)]
    [InlineData(ReleaseCatalog.LinkOutside, "win")]
    [InlineData(ReleaseCatalog.AbsoluteLink, null)]
    [InlineData(ReleaseCatalog.HardlinkOutside, null)]
    [InlineData(ReleaseCatalog.LinkThroughLink, null)]
    public async Task An_entry_that_escapes_the_release_folder_is_refused_and_nothing_is_written(string version, string? platform)
    {
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => GetAsync(version, NewScenario(), platform));
        Assert.Equal("UnsafeArchiveEntry", ex.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, ex.Kind);
        Assert.Empty(_cache.Contents());
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), ReleaseCatalog.EscapeMarker + ".txt")));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_cache.Root)!, ReleaseCatalog.EscapeMarker + "*"));
    }

    [Theory]
    [InlineData(ReleaseCatalog.SizeBomb, null, "-MaxExtractedSize")] // a header saying 6 GiB: refused before any data is read
    [InlineData(ReleaseCatalog.CountBomb, null, "-MaxExtractedFileCount")] // 100,000 files in a few MB
    [InlineData(ReleaseCatalog.CountBomb, "win", "-MaxExtractedFileCount")]
    public async Task An_archive_bomb_is_refused_under_the_default_limits_and_nothing_is_written(string version, string? platform, string parameter)
    {
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => GetAsync(version, NewScenario(), platform));
        Assert.Equal("ArchiveTooLarge", ex.ErrorId);
        Assert.Contains("Nothing was saved", ex.Message);
        Assert.Contains(parameter, ex.Message);
        Assert.Empty(_cache.Contents());
        Assert.Empty(new ReleaseCache(_cache.Root).ListCached());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("win")]
    public async Task The_limits_count_real_bytes_and_entries_and_can_be_raised(string? platform)
    {
        var small = new ArchiveLimits { MaxBytes = ReleaseCatalog.ZerosSize / 4 };
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => GetAsync(ReleaseCatalog.Zeros, NewScenario(), platform, limits: small));
        Assert.Equal("ArchiveTooLarge", ex.ErrorId);
        Assert.Contains("16 MiB", ex.Message);
        Assert.Empty(_cache.Contents());

        var few = new ArchiveLimits { MaxEntries = 5 };
        ex = await Assert.ThrowsAsync<IstioPSException>(() => GetAsync(ReleaseCatalog.Zeros, NewScenario(), platform, limits: few));
        Assert.Equal("ArchiveTooLarge", ex.ErrorId);
        Assert.Contains("more than 5 entries", ex.Message);
        Assert.Empty(_cache.Contents());

        var release = await GetAsync(ReleaseCatalog.Zeros, NewScenario(), platform); // the defaults let a 64 MiB file through
        Assert.Equal(ReleaseCatalog.ZerosSize, new FileInfo(Path.Combine(release!.Path, "zeros")).Length);
    }

    [Fact]
    public async Task Hard_links_count_as_the_copies_they_become()
    {
        var limits = new ArchiveLimits { MaxBytes = 10 * 1024 * 1024 };
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => GetAsync(ReleaseCatalog.HardlinkBomb, NewScenario(), limits: limits));
        Assert.Equal("ArchiveTooLarge", ex.ErrorId);
        Assert.Contains("at 'istio-9.0.16/copy8'", ex.Message); // the big file and 9 copies are 10 MiB; with the release's few bytes the 9th copy passes it
        Assert.Empty(_cache.Contents());
    }

    [Fact]
    public async Task A_download_cut_off_half_way_leaves_nothing_and_the_next_call_starts_clean()
    {
        var scenario = NewScenario("cut");
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => GetAsync(ReleaseCatalog.Small, scenario));
        Assert.Equal("ArchiveTruncated", ex.ErrorId);
        Assert.Contains("cut off", ex.Message);
        Assert.Empty(_cache.Contents());

        var release = await GetAsync(ReleaseCatalog.Small, scenario);
        Assert.Equal(ReleaseSourceKind.Download, release!.Source);
        Assert.Equal(2, Server.ArchiveDownloads(scenario));
        Assert.Equal(new[] { "1.29.0" }, _cache.Contents());
    }

    [Fact]
    public async Task What_an_interrupted_process_left_behind_is_removed_by_the_next_call()
    {
        var partial = Path.Combine(_cache.Root, $".partial-1.29.0-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(partial, "release", "istio-1.29.0"));
        File.WriteAllText(Path.Combine(partial, "istio-1.29.0-linux-amd64.tar.gz"), "half an archive");
        var othersWork = Path.Combine(_cache.Root, $".partial-1.29.0-rc.1-{Guid.NewGuid():N}"); // another version's writer: not ours to remove
        Directory.CreateDirectory(othersWork);
        Directory.CreateDirectory(Path.Combine(_cache.Root, "1.29.0", "istio-1.29.0")); // no metadata: not a good release

        Assert.Empty(new ReleaseCache(_cache.Root).ListCached());
        var release = await GetAsync(ReleaseCatalog.Small, NewScenario());

        Assert.Equal(ReleaseSourceKind.Download, release!.Source);
        Assert.Equal(new[] { Path.GetFileName(othersWork), "1.29.0" }, _cache.Contents());
    }

    [Fact]
    public async Task A_cancelled_download_leaves_nothing_in_the_cache()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(new List<OperationProgress>(), p =>
        {
            if (p.PercentComplete > 5) cancel.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => GetAsync(ReleaseCatalog.Small, NewScenario("slow"), progress: progress, ct: cancel.Token));
        Assert.Empty(_cache.Contents());
    }

    [Fact]
    public async Task Two_concurrent_calls_end_with_one_good_copy_and_one_download()
    {
        var scenario = NewScenario("slow");
        var messages = new System.Collections.Concurrent.ConcurrentBag<string>();
        Task<IstioRelease?> Get() => Task.Run(() => Source().GetOrDownloadAsync(new ReleaseRequest { Version = ReleaseCatalog.Small, BaseUri = Server.BaseUri(scenario), Verbose = messages.Add }));
        var results = await Task.WhenAll(Get(), Get());

        Assert.Contains(messages, m => m.StartsWith("Waiting for another process that is saving Istio 1.29.0", StringComparison.Ordinal)); // they did overlap

        Assert.Equal(new[] { ReleaseSourceKind.Cache, ReleaseSourceKind.Download }, results.Select(r => r!.Source).Order());
        Assert.Equal(results[0]!.Path, results[1]!.Path);
        Assert.Equal(1, Server.ArchiveDownloads(scenario));
        Assert.Equal(new[] { "1.29.0" }, _cache.Contents());
    }

    [Fact]
    public async Task Latest_is_the_newest_stable_release_not_a_draft_or_prerelease()
    {
        var scenario = NewScenario();
        var source = Source();
        var request = new ReleaseRequest { Version = "latest", BaseUri = Server.BaseUri(scenario), ReleasesApiUri = Server.ReleasesApi(scenario) };
        Assert.Equal("1.29.0", await source.ResolveVersionAsync(request));

        var release = await source.GetOrDownloadAsync(request);
        Assert.Equal("1.29.0", release!.Version);
        Assert.Contains(Server.Requests(scenario), r => r.Path.EndsWith("/api/releases", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Latest_fails_clearly_when_the_releases_api_refuses()
    {
        var scenario = NewScenario("limited");
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => Source().GetOrDownloadAsync(new ReleaseRequest { Version = "latest", ReleasesApiUri = Server.ReleasesApi(scenario) }));
        Assert.Equal("LatestVersionUnavailable", ex.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, ex.Kind);
        Assert.Contains("403", ex.Message);
        Assert.Contains("Name a version instead", ex.Message);
        Assert.Empty(_cache.Contents());
    }

    [Fact]
    public async Task A_mirror_address_works_with_or_without_its_final_slash_and_must_be_http()
    {
        var scenario = NewScenario();
        var noSlash = new Uri(Server.BaseUri(scenario).ToString().TrimEnd('/'));
        var release = await Source().GetOrDownloadAsync(new ReleaseRequest { Version = ReleaseCatalog.Small, BaseUri = noSlash });
        Assert.Equal(ReleaseSourceKind.Download, release!.Source);

        var ex = await Assert.ThrowsAsync<IstioPSException>(() => Source().GetOrDownloadAsync(new ReleaseRequest { Version = ReleaseCatalog.Older, BaseUri = new Uri("ftp://mirror.example.com/istio/") }));
        Assert.Equal("InvalidBaseUri", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task ShouldProcess_is_asked_before_a_download_and_no_stops_it()
    {
        var scenario = NewScenario();
        var asked = new List<(string Target, string Action)>();
        var request = new ReleaseRequest
        {
            Version = ReleaseCatalog.Small,
            BaseUri = Server.BaseUri(scenario),
            ShouldProcess = (t, a) =>
            {
                asked.Add((t, a));
                return false;
            },
        };

        Assert.Null(await Source().GetOrDownloadAsync(request));
        var (target, action) = Assert.Single(asked);
        Assert.Equal(Path.Combine(_cache.Root, "1.29.0"), target);
        Assert.Contains("Download Istio 1.29.0", action);
        Assert.Empty(Server.Requests(scenario));
        Assert.Empty(_cache.Contents());
    }

    [Fact]
    public async Task Destination_saves_into_another_cache_root()
    {
        using var other = new TempCache();
        var release = await Source().GetOrDownloadAsync(new ReleaseRequest { Version = ReleaseCatalog.Small, BaseUri = Server.BaseUri(NewScenario()), Destination = other.Root });
        Assert.Equal(Path.Combine(other.Root, "1.29.0", "istio-1.29.0"), release!.Path);
        Assert.Empty(_cache.Contents());
        Assert.Equal("1.29.0", Assert.Single(new ReleaseCache(other.Root).ListCached()).Version);
    }

    [Fact]
    public async Task A_cache_folder_that_cannot_be_written_is_CacheWriteFailed()
    {
        var notAFolder = Path.Combine(_cache.Root, "file");
        File.WriteAllText(notAFolder, "a file where the cache folder should be");
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => Source().GetOrDownloadAsync(new ReleaseRequest { Version = ReleaseCatalog.Small, BaseUri = Server.BaseUri(NewScenario()), Destination = notAFolder }));
        Assert.Equal("CacheWriteFailed", ex.ErrorId);
        Assert.Equal(ErrorKind.WriteError, ex.Kind);
        Assert.Equal(notAFolder, ex.Target);
    }

    [Fact]
    public async Task ListCached_filters_by_wildcard_newest_first()
    {
        var scenario = NewScenario();
        await GetAsync(ReleaseCatalog.Older, scenario);
        await GetAsync(ReleaseCatalog.Small, scenario);
        var list = new ReleaseCache(_cache.Root);

        Assert.Equal(new[] { "1.29.0", "1.28.9" }, list.ListCached().Select(r => r.Version));
        Assert.Equal(new[] { "1.28.9" }, list.ListCached("1.28.*").Select(r => r.Version));
        Assert.Empty(list.ListCached("2.*"));
        Assert.All(list.ListCached(), r => Assert.Equal(ReleaseSourceKind.Cache, r.Source));
        Assert.NotNull(list.Find("1.29.0", ReleasePlatform.Current));
        Assert.Null(list.Find("1.29.0", "win"));
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>IProgress that records synchronously (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
    private sealed class SyncProgress(List<OperationProgress> reports, Action<OperationProgress>? also = null) : IProgress<OperationProgress>
    {
        public void Report(OperationProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }

            also?.Invoke(value);
        }
    }
}
