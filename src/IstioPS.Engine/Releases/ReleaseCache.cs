using System.Text.Json;

namespace IstioPS.Engine.Releases;

/// <summary>
/// The per-user release cache: &lt;root&gt;/&lt;version&gt;/istio-&lt;version&gt;/ beside &lt;root&gt;/&lt;version&gt;/release.json.
/// A version folder only ever appears by an atomic rename of a complete, verified tree, so a folder with its
/// metadata file is a good release. Work in progress lives in &lt;root&gt;/.partial-&lt;version&gt;-*, removed by the next
/// call for that version; &lt;root&gt;/.locks/&lt;version&gt;.lock serialises writers across processes.
/// </summary>
public sealed class ReleaseCache
{
    public const string MetadataFileName = "release.json";
    internal const string PartialPrefix = ".partial-";
    private const string TrashPrefix = ".trash-";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public ReleaseCache(string? root = null)
    {
        Root = Path.GetFullPath(string.IsNullOrWhiteSpace(root) ? DefaultRoot : root);
    }

    /// <summary>$ISTIOPS_CACHE, else ~/.istiops/releases.</summary>
    public static string DefaultRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ISTIOPS_CACHE");
            if (!string.IsNullOrWhiteSpace(env))
            {
                return Path.GetFullPath(env);
            }

            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".istiops", "releases");
        }
    }

    public string Root { get; }

    /// <summary>How long a writer waits for another one working on the same version.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The folder a version lives in (whether or not it exists).</summary>
    public string VersionFolder(string version) => Path.Combine(Root, version);

    /// <summary>The cached releases whose version matches the wildcard pattern (all when null), newest first.</summary>
    public IReadOnlyList<IstioRelease> ListCached(string? pattern = null)
    {
        if (!Directory.Exists(Root))
        {
            return Array.Empty<IstioRelease>();
        }

        var glob = string.IsNullOrEmpty(pattern) ? null : new Glob(pattern);
        var found = new List<(ReleaseVersion Version, IstioRelease Release)>();
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith('.') || !ReleaseVersion.TryParse(name, out var version) || (glob is not null && !glob.IsMatch(name)))
            {
                continue;
            }

            var release = Read(name);
            if (release is not null)
            {
                found.Add((version, release));
            }
        }

        return found.OrderByDescending(f => f.Version).Select(f => f.Release).ToArray();
    }

    /// <summary>The cached release of that version, or null. A platform given must match the cached one.</summary>
    public IstioRelease? Find(string version, string? platform = null)
    {
        var release = Read(version);
        if (release is null || (platform is not null && !string.Equals(release.Platform, platform, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return release;
    }

    /// <summary>The versions in the cache, newest first, for messages.</summary>
    public IReadOnlyList<string> CachedVersions()
    {
        try
        {
            return ListCached().Select(r => r.Version).ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }

    private IstioRelease? Read(string version)
    {
        var folder = VersionFolder(version);
        var metadataPath = Path.Combine(folder, MetadataFileName);
        var tree = Path.Combine(folder, $"istio-{version}");
        if (!File.Exists(metadataPath) || !Directory.Exists(tree))
        {
            return null;
        }

        ReleaseMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<ReleaseMetadata>(File.ReadAllText(metadataPath), Json);
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return null;
        }

        if (metadata is null || metadata.Version != version)
        {
            return null;
        }

        return new IstioRelease
        {
            Version = version,
            Path = tree,
            Platform = metadata.Platform,
            Profiles = IstioRelease.ReadProfiles(tree),
            Source = ReleaseSourceKind.Cache,
            Uri = metadata.Uri,
            Sha256 = metadata.Sha256,
            SavedAt = metadata.SavedAt,
        };
    }

    /// <summary>
    /// Takes the per-version writer lock (a file opened with FileShare.None; the OS drops it when the process dies),
    /// waiting for another writer as long as <see cref="LockTimeout"/>.
    /// </summary>
    internal async Task<IDisposable> LockAsync(string version, Action<string>? waiting, CancellationToken ct)
    {
        var locks = Path.Combine(Root, ".locks");
        Directory.CreateDirectory(locks);
        var path = Path.Combine(locks, version + ".lock");
        var deadline = DateTime.UtcNow + LockTimeout;
        var told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException ex) when (IsSharingViolation(ex))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new IstioPSException("CacheLocked", ErrorKind.ResourceUnavailable,
                        $"Another process has been saving Istio {version} into {Root} for more than {LockTimeout.TotalMinutes:0} minutes; its lock is {path}.", version, ex);
                }

                if (!told)
                {
                    waiting?.Invoke($"Waiting for another process that is saving Istio {version} into {Root}.");
                    told = true;
                }

                await Task.Delay(100, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Windows: ERROR_SHARING_VIOLATION/ERROR_LOCK_VIOLATION; Unix: the errno of a refused flock (EWOULDBLOCK: 11 on Linux, 35 on macOS).</summary>
    private static bool IsSharingViolation(IOException ex) => ex.GetType() == typeof(IOException) &&
        (OperatingSystem.IsWindows() ? (ex.HResult & 0xFFFF) is 32 or 33 : ex.HResult is 11 or 35);

    /// <summary>A fresh work folder for one download of a version, inside the cache root (so the final rename stays on one volume).</summary>
    internal string NewPartialFolder(string version)
    {
        var path = Path.Combine(Root, $"{PartialPrefix}{version}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Removes what an interrupted call for this version left behind. Call under the version's lock.</summary>
    internal void RemoveLeftovers(string version)
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(Root, ".*"))
        {
            var name = Path.GetFileName(dir);
            if (IsWorkFolderOf(name, PartialPrefix, version) || IsWorkFolderOf(name, TrashPrefix, version))
            {
                DeleteQuietly(dir);
            }
        }

        var folder = VersionFolder(version);
        if (Directory.Exists(folder) && Read(version) is null)
        {
            DeleteQuietly(folder); // not produced by Commit (e.g. edited by hand): not a usable release
        }
    }

    /// <summary>.partial-1.30.3-&lt;guid&gt; belongs to 1.30.3, not to 1.30.3-beta.1 (whose writer holds another lock).</summary>
    private static bool IsWorkFolderOf(string name, string prefix, string version)
    {
        var head = prefix + version + "-";
        return name.Length == head.Length + 32 && name.StartsWith(head, StringComparison.Ordinal) && name[head.Length..].All(Uri.IsHexDigit);
    }

    /// <summary>
    /// Moves a complete tree (holding istio-&lt;version&gt;/) into place with one rename, after writing its metadata.
    /// An existing copy (with Force, or for another platform) is renamed away first and deleted after. Call under the lock.
    /// </summary>
    internal IstioRelease Commit(string tree, ReleaseMetadata metadata)
    {
        File.WriteAllText(Path.Combine(tree, MetadataFileName), JsonSerializer.Serialize(metadata, Json));
        var final = VersionFolder(metadata.Version);
        string? trash = null;
        if (Directory.Exists(final))
        {
            trash = Path.Combine(Root, $"{TrashPrefix}{metadata.Version}-{Guid.NewGuid():N}");
            Directory.Move(final, trash);
        }

        Directory.Move(tree, final);
        if (trash is not null)
        {
            DeleteQuietly(trash);
        }

        return Read(metadata.Version) ?? throw new IstioPSException("CacheWriteFailed", ErrorKind.WriteError,
            $"Istio {metadata.Version} was moved into {final} but cannot be read back.", final);
    }

    internal static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                MakeWritable(path);
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort: the next call for this version removes leftovers again
        }
    }

    private static void MakeWritable(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var attributes = File.GetAttributes(file);
                if ((attributes & FileAttributes.ReadOnly) != 0)
                {
                    File.SetAttributes(file, attributes & ~FileAttributes.ReadOnly);
                }
            }
        }
    }
}

/// <summary>What release.json holds.</summary>
internal sealed class ReleaseMetadata
{
    public required string Version { get; init; }
    public required string Platform { get; init; }
    public Uri? Uri { get; init; }
    public required string Sha256 { get; init; }
    public DateTimeOffset SavedAt { get; init; }
}
