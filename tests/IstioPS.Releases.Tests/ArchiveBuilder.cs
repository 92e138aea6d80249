using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace IstioPS.Releases.Tests;

public enum EntryKind
{
    File,
    Directory,
    SymbolicLink,
    HardLink,
}

/// <summary>One entry of a test archive, named exactly as it will be written (no checks: tests need bad names).</summary>
public sealed record ArchiveEntry(string Name, EntryKind Kind, byte[]? Data = null, string? LinkTarget = null, int Mode = 0b110_100_100)
{
    public static ArchiveEntry File(string name, string text, int mode = 0b110_100_100) => new(name, EntryKind.File, Encoding.UTF8.GetBytes(text), Mode: mode);
    public static ArchiveEntry Dir(string name) => new(name, EntryKind.Directory, Mode: 0b111_101_101);
    public static ArchiveEntry Symlink(string name, string target) => new(name, EntryKind.SymbolicLink, LinkTarget: target, Mode: 0b111_111_111);
    public static ArchiveEntry Hardlink(string name, string target) => new(name, EntryKind.HardLink, LinkTarget: target);
}

/// <summary>Builds .tar.gz and .zip archives the way Istio publishes them (one istio-&lt;version&gt;/ folder).</summary>
public static class ArchiveBuilder
{
    /// <summary>The entries of a real release folder under the prefix istio-&lt;version&gt;/.</summary>
    public static List<ArchiveEntry> FromFolder(string folder, string version)
    {
        var prefix = $"istio-{version}";
        var entries = new List<ArchiveEntry> { ArchiveEntry.Dir(prefix + "/") };
        foreach (var path in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, path).Replace('\\', '/');
            entries.Add(Directory.Exists(path)
                ? ArchiveEntry.Dir($"{prefix}/{relative}/")
                : new ArchiveEntry($"{prefix}/{relative}", EntryKind.File, System.IO.File.ReadAllBytes(path)));
        }

        return entries;
    }

    /// <summary>A small made-up release: three profiles, a chart file, istioctl and a link inside the tree.</summary>
    public static List<ArchiveEntry> Synthetic(string version) => new()
    {
        ArchiveEntry.Dir($"istio-{version}/"),
        ArchiveEntry.Dir($"istio-{version}/manifests/"),
        ArchiveEntry.Dir($"istio-{version}/manifests/profiles/"),
        ArchiveEntry.File($"istio-{version}/manifests/profiles/default.yaml", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"),
        ArchiveEntry.File($"istio-{version}/manifests/profiles/demo.yaml", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: demo\n"),
        ArchiveEntry.File($"istio-{version}/manifests/profiles/minimal.yaml", "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"),
        ArchiveEntry.File($"istio-{version}/manifests/charts/base/Chart.yaml", $"apiVersion: v2\nname: base\nversion: {version}\n"),
        ArchiveEntry.File($"istio-{version}/bin/istioctl", "#!/bin/sh\necho istioctl\n", 0b111_101_101),
        ArchiveEntry.Symlink($"istio-{version}/bin/profiles", "../manifests/profiles"),
        ArchiveEntry.File($"istio-{version}/manifest.yaml", $"version: {version}\n"),
    };

    public static byte[] TarGz(IEnumerable<ArchiveEntry> entries)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                var entry = e.Kind switch
                {
                    EntryKind.Directory => new PaxTarEntry(TarEntryType.Directory, e.Name),
                    EntryKind.SymbolicLink => new PaxTarEntry(TarEntryType.SymbolicLink, e.Name) { LinkName = e.LinkTarget! },
                    EntryKind.HardLink => new PaxTarEntry(TarEntryType.HardLink, e.Name) { LinkName = e.LinkTarget! },
                    _ => new PaxTarEntry(TarEntryType.RegularFile, e.Name) { DataStream = new MemoryStream(e.Data ?? Array.Empty<byte>()) },
                };
                entry.Mode = (UnixFileMode)e.Mode;
                tar.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    /// <summary>
    /// A .tar.gz whose last bytes are missing: every tar block is there (up to the end-of-archive blocks), but the
    /// compressed stream is only flushed, never finished, so its final block and trailer are absent. A decompressor
    /// sees a plain end of data (no error of its own); only the missing gzip trailer shows the archive is incomplete.
    /// </summary>
    public static byte[] TarGzWithoutTrailer(IEnumerable<ArchiveEntry> entries)
    {
        using var tar = new MemoryStream();
        using (var gunzip = new GZipStream(new MemoryStream(TarGz(entries)), CompressionMode.Decompress))
        {
            gunzip.CopyTo(tar);
        }

        var output = new MemoryStream();
        var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
        gzip.Write(tar.ToArray());
        gzip.Flush(); // deliberately never disposed: no final block, no trailer
        return output.ToArray();
    }

    public static byte[] Zip(IEnumerable<ArchiveEntry> entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                var entry = zip.CreateEntry(e.Name, CompressionLevel.Fastest);
                var type = e.Kind switch { EntryKind.Directory => 0x4000, EntryKind.SymbolicLink => 0xA000, _ => 0x8000 };
                entry.ExternalAttributes = (type | e.Mode) << 16;
                using var stream = entry.Open();
                var data = e.Kind == EntryKind.SymbolicLink ? Encoding.UTF8.GetBytes(e.LinkTarget!) : e.Data ?? Array.Empty<byte>();
                stream.Write(data);
            }
        }

        return output.ToArray();
    }

    /// <summary>The .sha256 file Istio publishes beside an archive: "&lt;hex&gt;  &lt;file name&gt;".</summary>
    public static string Sha256File(byte[] archive, string fileName) => $"{Convert.ToHexString(SHA256.HashData(archive)).ToLowerInvariant()}  {fileName}\n";
}
