using IstioPS.Engine.Install;
using IstioPS.Engine.Releases;
using Xunit;

namespace IstioPS.Tests;

/// <summary>A release's own version (the default image tag) and the in-place upgrade rule.</summary>
public sealed class ReleaseVersionStampTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("upgrade-stamp-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Folder(string name, string? manifest)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        if (manifest is not null) File.WriteAllText(Path.Combine(dir, "manifest.yaml"), manifest);
        return dir;
    }

    [Fact]
    public void ManifestYamlWinsOverTheFolderName()
    {
        var stamp = ReleaseStamp.Read(Folder("istio-1.29.6", "version: 1.30.3\ndocker: registry.example/istio\n"))!;
        Assert.Equal("1.30.3", stamp.Version.Text);
        Assert.Equal("registry.example/istio", stamp.Hub);
    }

    [Fact]
    public void TheFolderNameIsTheFallbackAndNamesWithoutAVersionGiveNone()
    {
        var stamp = ReleaseStamp.Read(Folder("istio-1.28.2", null))!;
        Assert.Equal("1.28.2", stamp.Version.Text);
        Assert.Null(stamp.Hub);
        Assert.Equal("1.27.0", ReleaseStamp.Read(Folder("istio-1.27.0", "not: [a manifest"))!.Version.Text);
        Assert.Null(ReleaseStamp.Read(Folder("my-istio", null)));
        Assert.Null(ReleaseStamp.Read(Folder("istio-latest", "version: latest\n")));
    }

    [Theory]
    [InlineData("1.29.6", "1.29.6", null)]
    [InlineData("1.29.6", "1.29.7", null)]
    [InlineData("1.29.6", "1.30.3", null)]
    [InlineData("1.30.3", "1.29.6", "a downgrade")]
    [InlineData("1.30.3", "1.30.1", "a downgrade")]
    [InlineData("1.28.4", "1.30.3", "a jump of 2 minor versions")]
    [InlineData("1.30.3", "2.0.0", "a jump from major version 1 to 2")]
    public void InPlaceUpgradesGoOneMinorVersionUpAtATime(string installed, string target, string? problem) =>
        Assert.Equal(problem, UpgradeCheck.Problem(ReleaseVersion.Parse(installed), ReleaseVersion.Parse(target)));
}
