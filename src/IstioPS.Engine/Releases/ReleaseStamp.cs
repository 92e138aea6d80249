using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace IstioPS.Engine.Releases;

/// <summary>
/// What a release folder says about itself: its version and image hub, the values a published istioctl has
/// compiled in (pkg/version DockerInfo) and stamps as the default spec.tag and spec.hub.
/// </summary>
public sealed record ReleaseStamp(ReleaseVersion Version, string? Hub)
{
    /// <summary>
    /// manifest.yaml at the release's root (<c>version</c>, <c>docker</c>), else the folder name istio-&lt;version&gt;;
    /// null when neither names a version (a bare manifests folder, a folder of another name).
    /// </summary>
    public static ReleaseStamp? Read(string releasePath)
    {
        var full = Path.GetFullPath(releasePath).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var manifest = Path.Combine(full, "manifest.yaml");
        if (File.Exists(manifest) && ReadManifest(manifest) is var (version, hub) && ReleaseVersion.TryParse(version, out var v))
        {
            return new ReleaseStamp(v, string.IsNullOrWhiteSpace(hub) ? null : hub.Trim());
        }

        var name = Path.GetFileName(full);
        return name.StartsWith("istio-", StringComparison.Ordinal) && ReleaseVersion.TryParse(name["istio-".Length..], out var fromName)
            ? new ReleaseStamp(fromName, null)
            : null;
    }

    private static (string? Version, string? Hub)? ReadManifest(string path)
    {
        try
        {
            var map = new DeserializerBuilder().IgnoreUnmatchedProperties().Build()
                .Deserialize<Dictionary<string, object?>>(File.ReadAllText(path));
            return map is null ? null : (map.GetValueOrDefault("version") as string, map.GetValueOrDefault("docker") as string);
        }
        catch (YamlException)
        {
            return null; // not the release's manifest: fall back to the folder name
        }
    }
}
