namespace IstioPS.Engine.Releases;

/// <summary>Where a release came from on this call.</summary>
public enum ReleaseSourceKind
{
    /// <summary>Already in the cache; nothing was downloaded.</summary>
    Cache,

    /// <summary>Downloaded, verified and extracted by this call.</summary>
    Download,

    /// <summary>A folder the user pointed at (-ReleasePath); never downloaded.</summary>
    Folder,
}

/// <summary>An Istio release on disk: the extracted istio-&lt;version&gt; folder and what is known about it.</summary>
public sealed record IstioRelease
{
    public required string Version { get; init; }

    /// <summary>The istio-&lt;version&gt; folder (manifests/, samples/, bin/, ...).</summary>
    public required string Path { get; init; }

    /// <summary>The archive's platform (linux-amd64, osx, win, ...); null for a user's folder.</summary>
    public string? Platform { get; init; }

    /// <summary>Profile names, from manifests/profiles/*.yaml.</summary>
    public required IReadOnlyList<string> Profiles { get; init; }

    public required ReleaseSourceKind Source { get; init; }

    /// <summary>The archive it was extracted from; null for a user's folder.</summary>
    public Uri? Uri { get; init; }

    /// <summary>The verified SHA-256 of the archive (lower-case hex); null for a user's folder.</summary>
    public string? Sha256 { get; init; }

    /// <summary>When the archive was downloaded and extracted.</summary>
    public DateTimeOffset? SavedAt { get; init; }

    /// <summary>The profiles as one line, for tables.</summary>
    public string ProfileList => string.Join(", ", Profiles);

    public override string ToString() => $"istio-{Version} ({Path})";

    /// <summary>
    /// A release folder the user already has (Install-Istio -ReleasePath): nothing is downloaded or copied.
    /// The version comes from its manifest.yaml, else the folder name (istio-&lt;version&gt;) when it has that shape, else the name itself.
    /// </summary>
    public static IstioRelease FromFolder(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(System.IO.Path.Combine(full, "manifests")))
        {
            throw new IstioPSException("ReleaseFolderInvalid", ErrorKind.ObjectNotFound,
                $"'{full}' is not an Istio release folder: it has no manifests/ folder.", path);
        }

        var name = System.IO.Path.GetFileName(full.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar));
        var version = ReleaseStamp.Read(full)?.Version.Text ?? (name.StartsWith("istio-", StringComparison.Ordinal) ? name["istio-".Length..] : name);
        return new IstioRelease
        {
            Version = version,
            Path = full,
            Profiles = ReadProfiles(full),
            Source = ReleaseSourceKind.Folder,
        };
    }

    /// <summary>Profile names of a release folder, sorted.</summary>
    public static IReadOnlyList<string> ReadProfiles(string releasePath)
    {
        var folder = System.IO.Path.Combine(releasePath, "manifests", "profiles");
        if (!Directory.Exists(folder))
        {
            return Array.Empty<string>();
        }

        return Directory.EnumerateFiles(folder, "*.yaml")
            .Select(f => System.IO.Path.GetFileNameWithoutExtension(f))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}

/// <summary>What release to get, and from where.</summary>
public sealed class ReleaseRequest
{
    /// <summary>x.y.z (or x.y.z-suffix) or "latest" (the newest stable release on GitHub).</summary>
    public required string Version { get; init; }

    /// <summary>linux-amd64, linux-arm64, osx, osx-arm64 or win; default the current platform.</summary>
    public string? Platform { get; init; }

    /// <summary>Mirror root with GitHub's layout (&lt;base&gt;&lt;version&gt;/istio-&lt;version&gt;-&lt;platform&gt;.tar.gz);
    /// default $ISTIOPS_RELEASE_BASE_URI, then https://github.com/istio/istio/releases/download/.</summary>
    public Uri? BaseUri { get; init; }

    /// <summary>GitHub's releases API endpoint used to resolve "latest"; default $ISTIOPS_RELEASES_API_URI,
    /// then https://api.github.com/repos/istio/istio/releases.</summary>
    public Uri? ReleasesApiUri { get; init; }

    /// <summary>A cache root to use instead of the default (~/.istiops/releases or $ISTIOPS_CACHE).</summary>
    public string? Destination { get; init; }

    /// <summary>How much the archive may unpack to (default 2 GiB in 100,000 entries); more is refused and nothing is saved.</summary>
    public ArchiveLimits Limits { get; init; } = ArchiveLimits.Default;

    /// <summary>Download again even when the cache holds the version.</summary>
    public bool Force { get; init; }

    /// <summary>Asked once, (target, action), before anything is downloaded or written; false stops the call (null result).</summary>
    public Func<string, string, bool>? ShouldProcess { get; init; }

    /// <summary>Verbose messages (what was found in the cache, what is downloaded from where).</summary>
    public Action<string>? Verbose { get; init; }
}
