using IstioPS.Engine;
using IstioPS.Engine.Releases;
using Xunit;

namespace IstioPS.Releases.Tests;

public sealed class VersionAndPlatformTests
{
    [Theory]
    [InlineData("1.30.3", "linux-amd64", "istio-1.30.3-linux-amd64.tar.gz")]
    [InlineData("1.30.3", "linux-arm64", "istio-1.30.3-linux-arm64.tar.gz")]
    [InlineData("1.30.3", "osx", "istio-1.30.3-osx.tar.gz")]
    [InlineData("1.30.3", "osx-arm64", "istio-1.30.3-osx-arm64.tar.gz")]
    [InlineData("1.30.3", "win", "istio-1.30.3-win.zip")]
    public void Archives_are_named_as_istio_names_them(string version, string platform, string expected) =>
        Assert.Equal(expected, ReleasePlatform.ArchiveName(version, platform));

    [Fact]
    public void The_current_platform_is_one_istio_publishes()
    {
        Assert.Contains(ReleasePlatform.Current, ReleasePlatform.All);
        Assert.Equal(ReleasePlatform.Current, ReleasePlatform.Normalize(null));
        Assert.Equal("osx-arm64", ReleasePlatform.Normalize(" OSX-ARM64 "));
    }

    [Fact]
    public void An_unknown_platform_is_refused()
    {
        var ex = Assert.Throws<IstioPSException>(() => ReleasePlatform.Normalize("solaris-sparc"));
        Assert.Equal("UnknownPlatform", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("linux-amd64, linux-arm64, osx, osx-arm64, win", ex.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.30")]
    [InlineData("v1.30.3")]
    [InlineData("../1.30.3")]
    [InlineData("1.30.3/../../x")]
    [InlineData("1.30.3 ; rm")]
    [InlineData("")]
    public async Task An_invalid_version_is_refused_before_any_network_or_disk_access(string version)
    {
        using var cache = new TempCache();
        var source = new ReleaseSource(new ReleaseCache(cache.Root));
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => source.GetOrDownloadAsync(new ReleaseRequest { Version = version, BaseUri = new Uri("http://127.0.0.1:1/") }));
        Assert.Equal("InvalidVersion", ex.ErrorId);
        Assert.Equal(version, ex.Target);
        Assert.Empty(cache.Contents());
    }

    [Fact]
    public void Versions_compare_the_semver_way()
    {
        var sorted = new[] { "1.30.0", "1.9.10", "1.30.0-beta.1", "1.30.0-alpha.2", "1.30.0-alpha.10", "1.29.12", "2.0.0-rc.0" }
            .Select(ReleaseVersion.Parse).Order().Select(v => v.Text);
        Assert.Equal(new[] { "1.9.10", "1.29.12", "1.30.0-alpha.2", "1.30.0-alpha.10", "1.30.0-beta.1", "1.30.0", "2.0.0-rc.0" }, sorted);
        Assert.False(ReleaseVersion.Parse("1.30.0-beta.1").IsStable);
    }

    [SkippableFact]
    public void A_release_folder_is_used_as_it_is()
    {
        var real = ReleaseCatalog.FindRealRelease();
        Skip.If(real is null, "../shared/istio/releases/istio-1.30.3 is absent (set ISTIOPS_ISTIO_DATA).");
        var release = IstioRelease.FromFolder(real!);
        Assert.Equal("1.30.3", release.Version);
        Assert.Equal(ReleaseSourceKind.Folder, release.Source);
        Assert.Contains("default", release.Profiles);
        Assert.Null(release.Platform);
    }

    [Fact]
    public void A_folder_without_manifests_is_not_a_release()
    {
        using var cache = new TempCache();
        var ex = Assert.Throws<IstioPSException>(() => IstioRelease.FromFolder(cache.Root));
        Assert.Equal("ReleaseFolderInvalid", ex.ErrorId);
    }
}
