using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace IstioPS.Releases.Tests;

/// <summary>
/// What the fixture server publishes, by version: good releases and deliberately broken ones.
/// Archives are built on first request and kept.
/// </summary>
public sealed partial class ReleaseCatalog
{
    /// <summary>The real release tree: full archive of it, made here (never copied into the repo).</summary>
    public const string Real = "1.30.3";

    /// <summary>Small made-up releases.</summary>
    public const string Small = "1.29.0";
    public const string Older = "1.28.9";
    public const string WrongChecksum = "9.0.1";
    public const string NoChecksum = "9.0.2";
    public const string Traversal = "9.0.3";
    public const string AbsolutePath = "9.0.4";
    public const string LinkOutside = "9.0.5";
    public const string Truncated = "9.0.6";
    public const string TruncatedTrailer = "9.0.7";
    public const string HardlinkOutside = "9.0.8";
    public const string AbsoluteLink = "9.0.9";
    public const string NoReleaseFolder = "9.0.10";
    public const string LinkThroughLink = "9.0.11";
    public const string FileUnderFile = "9.0.12";
    public const string SizeBomb = "9.0.13";
    public const string CountBomb = "9.0.14";
    public const string Zeros = "9.0.15";
    public const string HardlinkBomb = "9.0.16";

    /// <summary>What <see cref="Zeros"/> holds besides the synthetic release: one file of zeros.</summary>
    public const int ZerosSize = 64 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, byte[]?> _archives = new();

    public ReleaseCatalog(string? realReleaseFolder) => RealReleaseFolder = realReleaseFolder;

    /// <summary>../shared/istio/releases/istio-1.30.3 (or below $ISTIOPS_ISTIO_DATA); null when absent.</summary>
    public string? RealReleaseFolder { get; }

    /// <summary>A marker name the unsafe archives try to write outside; tests check it never appears.</summary>
    public static string EscapeMarker => "istiops-escaped-" + Environment.ProcessId;

    [GeneratedRegex(@"^istio-(?<v>[0-9][0-9A-Za-z.-]*)-(?<p>linux-amd64|linux-arm64|osx|osx-arm64|win)\.(?<ext>tar\.gz|zip)(?<sha>\.sha256)?$")]
    private static partial Regex FileName();

    /// <summary>The bytes of a published file (archive or .sha256), or null for 404.</summary>
    public byte[]? Get(string version, string fileName)
    {
        var m = FileName().Match(fileName);
        if (!m.Success || m.Groups["v"].Value != version)
        {
            return null;
        }

        var archiveName = fileName.EndsWith(".sha256", StringComparison.Ordinal) ? fileName[..^".sha256".Length] : fileName;
        var archive = _archives.GetOrAdd(archiveName, _ => Build(version, m.Groups["ext"].Value == "zip"));
        if (archive is null)
        {
            return null;
        }

        if (!m.Groups["sha"].Success)
        {
            return archive;
        }

        return version switch
        {
            NoChecksum => null,
            WrongChecksum => Encoding.ASCII.GetBytes(ArchiveBuilder.Sha256File(Encoding.ASCII.GetBytes("something else"), archiveName)),
            _ => Encoding.ASCII.GetBytes(ArchiveBuilder.Sha256File(archive, archiveName)),
        };
    }

    private byte[]? Build(string version, bool zip)
    {
        var entries = version switch
        {
            Real when RealReleaseFolder is not null => ArchiveBuilder.FromFolder(RealReleaseFolder, version),
            Real => null,
            Small or Older or WrongChecksum or NoChecksum => ArchiveBuilder.Synthetic(version),
            Traversal => With(version, ArchiveEntry.File($"istio-{version}/../../{EscapeMarker}.txt", "escaped")),
            AbsolutePath => With(version, ArchiveEntry.File(Path.Combine(Path.GetTempPath(), EscapeMarker + ".txt").Replace('\\', '/'), "escaped")),
            LinkOutside => With(version, ArchiveEntry.Symlink($"istio-{version}/escape", "../../..")),
            HardlinkOutside => With(version, ArchiveEntry.Hardlink($"istio-{version}/passwd", "../../../../../../etc/passwd")),
            AbsoluteLink => With(version, ArchiveEntry.Symlink($"istio-{version}/passwd", "/etc/passwd")),
            LinkThroughLink => With(version, ArchiveEntry.Symlink($"istio-{version}/up", ".."), ArchiveEntry.Symlink($"istio-{version}/upper", "up/..")),
            FileUnderFile => With(version, ArchiveEntry.File($"istio-{version}/notes", "a file"), ArchiveEntry.File($"istio-{version}/notes/more", "under a file")),
            NoReleaseFolder => new List<ArchiveEntry> { ArchiveEntry.File("README.md", "not a release") },
            Truncated => null, // below
            _ => null,
        };

        switch (version)
        {
            case SizeBomb when !zip:
                return ArchiveBuilder.TarGzClaimingSize(version, 6L * 1024 * 1024 * 1024);
            case CountBomb:
                var many = ArchiveBuilder.ManyFiles(version, 100_000);
                return zip ? ArchiveBuilder.Zip(many) : ArchiveBuilder.TarGz(many, System.Formats.Tar.TarEntryFormat.Ustar);
            case HardlinkBomb when !zip: // each hard link becomes a copy: 20 of a 1 MiB file
                var links = With(version, new ArchiveEntry($"istio-{version}/big", EntryKind.File, new byte[1024 * 1024]));
                links.AddRange(Enumerable.Range(0, 20).Select(i => ArchiveEntry.Hardlink($"istio-{version}/copy{i}", $"istio-{version}/big")));
                return ArchiveBuilder.TarGz(links);
            case Zeros:
                var zeros = With(version, new ArchiveEntry($"istio-{version}/zeros", EntryKind.File, new byte[ZerosSize]));
                return zip ? ArchiveBuilder.Zip(zeros) : ArchiveBuilder.TarGz(zeros);
        }

        if (version == TruncatedTrailer && !zip)
        {
            return ArchiveBuilder.TarGzWithoutTrailer(ArchiveBuilder.Synthetic(version));
        }

        if (version == Truncated)
        {
            var whole = zip ? ArchiveBuilder.Zip(ArchiveBuilder.Synthetic(version)) : ArchiveBuilder.TarGz(ArchiveBuilder.Synthetic(version));
            return whole[..(whole.Length * 2 / 3)];
        }

        return entries is null ? null : zip ? ArchiveBuilder.Zip(entries) : ArchiveBuilder.TarGz(entries);
    }

    private static List<ArchiveEntry> With(string version, params ArchiveEntry[] extra)
    {
        var entries = ArchiveBuilder.Synthetic(version);
        entries.InsertRange(2, extra); // early in the archive: nothing after it may be written either
        return entries;
    }

    /// <summary>GitHub's releases API answer: newest published first, with a draft and a pre-release above the stable ones.</summary>
    public static string ReleasesJson() => """
        [
          { "tag_name": "1.32.0", "name": "Istio 1.32.0", "draft": true, "prerelease": false },
          { "tag_name": "1.31.0-beta.1", "name": "Istio 1.31.0-beta.1", "draft": false, "prerelease": true },
          { "tag_name": "1.28.9", "name": "Istio 1.28.9", "draft": false, "prerelease": false },
          { "tag_name": "1.29.0", "name": "Istio 1.29.0", "draft": false, "prerelease": false },
          { "tag_name": "1.29.0-rc.0", "name": "Istio 1.29.0-rc.0", "draft": false, "prerelease": false },
          { "tag_name": "not-a-version", "name": "Something else", "draft": false, "prerelease": false }
        ]
        """;

    /// <summary>../shared/istio/releases/istio-1.30.3, found from $ISTIOPS_ISTIO_DATA or beside the repository.</summary>
    public static string? FindRealRelease()
    {
        var data = Environment.GetEnvironmentVariable("ISTIOPS_ISTIO_DATA");
        if (string.IsNullOrEmpty(data))
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IstioPS.psd1")))
            {
                dir = dir.Parent;
            }

            data = dir is null ? null : Path.Combine(dir.FullName, "..", "shared", "istio");
        }

        var release = data is null ? null : Path.GetFullPath(Path.Combine(data, "releases", "istio-1.30.3"));
        return release is not null && Directory.Exists(release) ? release : null;
    }
}
