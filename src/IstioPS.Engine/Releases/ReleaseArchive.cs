using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace IstioPS.Engine.Releases;

/// <summary>
/// How much extracting one archive may write: bytes (hard links counted as the copies they become) and entries.
/// The defaults hold any Istio release many times over (1.30's archive unpacks to about 200 MB in under 1,000 entries).
/// </summary>
public sealed record ArchiveLimits
{
    public const long DefaultMaxBytes = 2L * 1024 * 1024 * 1024;
    public const int DefaultMaxEntries = 100_000;

    public static ArchiveLimits Default { get; } = new();

    public long MaxBytes { get; init; } = DefaultMaxBytes;
    public int MaxEntries { get; init; } = DefaultMaxEntries;
}

/// <summary>
/// Extracts a release archive (.tar.gz or .zip) into a fresh folder, refusing any entry that would land outside it:
/// "..", absolute paths, and symbolic or hard links whose target leaves the folder or passes through another link.
/// Files and folders are written first; links are made last, after every check, so nothing is ever written through a link.
/// Archives that would unpack to more than <see cref="ArchiveLimits"/> allow are refused before anything is written
/// (a .zip's directory and a .tar.gz's headers tell the sizes; the .tar.gz is read twice for it).
/// </summary>
internal static class ReleaseArchive
{
    public static async Task ExtractAsync(string archivePath, string destination, string archiveName, ArchiveLimits limits, CancellationToken ct)
    {
        try
        {
            Directory.CreateDirectory(destination);
            var tree = new SafeTree(destination, archiveName);
            if (archiveName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                await ExtractZipAsync(archivePath, tree, archiveName, limits, ct).ConfigureAwait(false);
            }
            else
            {
                var budget = new ExtractBudget(archiveName, limits);
                await ReadTarGzAsync(archivePath, archiveName, budget.AddAsync, ct).ConfigureAwait(false);
                await ReadTarGzAsync(archivePath, archiveName, entry => ExtractTarEntryAsync(entry, tree, ct), ct).ConfigureAwait(false);
            }

            tree.MakeLinks();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a file where the archive has a folder, a full disk, a folder we may not write: not a network problem
            throw new IstioPSException("ArchiveExtractFailed", ErrorKind.WriteError,
                $"Cannot extract {archiveName} into {destination}: {ex.Message} Nothing was saved.", archiveName, ex);
        }
    }

    /// <summary>Reads every entry of a .tar.gz in order, checking that the data is whole (its gzip trailer).</summary>
    private static async Task ReadTarGzAsync(string archivePath, string archiveName, Func<TarEntry, Task> onEntry, CancellationToken ct)
    {
        var expectedSize = ReadGzipSizeTrailer(archivePath, archiveName);
        await using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var counted = new CountingStream(gzip);
        try
        {
            await using (var reader = new TarReader(counted, leaveOpen: true))
            {
                while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
                {
                    await onEntry(entry).ConfigureAwait(false);
                }
            }

            // the end-of-archive blocks and padding: read them so the gzip trailer is checked against all of the data
            await counted.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
        }
        catch (EndOfStreamException ex)
        {
            throw Truncated(archiveName, "the data ends in the middle of an entry", ex);
        }
        catch (InvalidDataException ex) when (counted.Count == 0 || file.Position >= file.Length)
        {
            throw Truncated(archiveName, "the compressed data ends early", ex);
        }
        catch (InvalidDataException ex)
        {
            throw Corrupt(archiveName, ex);
        }
        catch (FormatException ex)
        {
            throw Corrupt(archiveName, ex);
        }

        if ((uint)counted.Count != expectedSize)
        {
            throw Truncated(archiveName, $"it unpacks to {counted.Count} bytes but its gzip trailer says {expectedSize} (mod 2^32)", null);
        }
    }

    private static async Task ExtractTarEntryAsync(TarEntry entry, SafeTree tree, CancellationToken ct)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                tree.CreateDirectory(entry.Name);
                break;
            case TarEntryType.RegularFile:
            case TarEntryType.V7RegularFile:
            case TarEntryType.ContiguousFile:
                var data = entry.DataStream ?? Stream.Null;
                await tree.WriteFileAsync(entry.Name, data, entry.Mode, ct).ConfigureAwait(false);
                break;
            case TarEntryType.SymbolicLink:
                tree.AddSymbolicLink(entry.Name, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                tree.AddHardLink(entry.Name, entry.LinkName);
                break;
            case TarEntryType.GlobalExtendedAttributes:
                break; // metadata only
            default:
                throw SafeTree.Unsafe(tree.ArchiveName, entry.Name, $"a {entry.EntryType} entry has no place in a release");
        }
    }

    private static async Task ExtractZipAsync(string archivePath, SafeTree tree, string archiveName, ArchiveLimits limits, CancellationToken ct)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(archivePath);
        }
        catch (InvalidDataException ex)
        {
            throw Truncated(archiveName, "its central directory is missing", ex);
        }

        using (zip)
        {
            var budget = new ExtractBudget(archiveName, limits);
            foreach (var entry in zip.Entries)
            {
                budget.Add(entry.FullName, entry.Length, null);
            }

            try
            {
                foreach (var entry in zip.Entries)
                {
                    ct.ThrowIfCancellationRequested();
                    var name = entry.FullName;
                    var unixMode = (entry.ExternalAttributes >> 16) & 0xFFFF;
                    var type = unixMode & 0xF000;
                    if (name.EndsWith('/') || name.EndsWith('\\') || type == 0x4000)
                    {
                        tree.CreateDirectory(name);
                    }
                    else if (type == 0xA000)
                    {
                        await using var link = entry.Open();
                        using var text = new StreamReader(link, Encoding.UTF8);
                        tree.AddSymbolicLink(name, await text.ReadToEndAsync(ct).ConfigureAwait(false));
                    }
                    else if (type is 0 or 0x8000)
                    {
                        await using var data = entry.Open();
                        var mode = unixMode == 0 ? (UnixFileMode)0b110_100_100 : (UnixFileMode)(unixMode & 0x1FF);
                        await tree.WriteFileAsync(name, data, mode, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        throw SafeTree.Unsafe(archiveName, name, "a device, pipe or socket has no place in a release");
                    }
                }
            }
            catch (InvalidDataException ex)
            {
                throw Corrupt(archiveName, ex);
            }
        }
    }

    /// <summary>Adds up what an archive would write, and refuses it once it passes the limits.</summary>
    private sealed class ExtractBudget
    {
        private readonly string _archiveName;
        private readonly ArchiveLimits _limits;
        private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);
        private long _bytes;
        private int _entries;

        public ExtractBudget(string archiveName, ArchiveLimits limits)
        {
            _archiveName = archiveName;
            _limits = limits;
        }

        public Task AddAsync(TarEntry entry)
        {
            var isFile = entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile;
            Add(entry.Name, isFile ? entry.Length : 0, entry.EntryType == TarEntryType.HardLink ? entry.LinkName : null);
            return Task.CompletedTask;
        }

        /// <summary>One entry of <paramref name="size"/> bytes; a hard link is a copy of its target's bytes.</summary>
        public void Add(string name, long size, string? hardLinkTarget)
        {
            if (hardLinkTarget is not null) _sizes.TryGetValue(hardLinkTarget, out size);
            else if (size > 0) _sizes[name] = size;
            _entries++;
            _bytes += Math.Max(0, size);
            if (_entries > _limits.MaxEntries)
            {
                throw new IstioPSException("ArchiveTooLarge", ErrorKind.InvalidData,
                    $"The archive {_archiveName} holds more than {_limits.MaxEntries:N0} entries, the limit for an extraction. Nothing was saved. If the archive is trusted, raise the limit with -MaxExtractedFileCount.", _archiveName);
            }

            if (_bytes > _limits.MaxBytes)
            {
                throw new IstioPSException("ArchiveTooLarge", ErrorKind.InvalidData,
                    $"The archive {_archiveName} would unpack to more than {Size(_limits.MaxBytes)} (at '{name}', {Size(_bytes)} so far), the limit for an extraction. Nothing was saved. If the archive is trusted, raise the limit with -MaxExtractedSize.", _archiveName);
            }
        }

        private static string Size(long n) => n >= 1L << 30 ? $"{n / (double)(1L << 30):0.#} GiB" : n >= 1L << 20 ? $"{n / (double)(1L << 20):0.#} MiB" : $"{n:N0} bytes";
    }

    /// <summary>The last four bytes of a gzip file: the uncompressed size mod 2^32.</summary>
    private static uint ReadGzipSizeTrailer(string path, string archiveName)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (file.Length < 18)
        {
            throw Truncated(archiveName, $"it is only {file.Length} bytes long", null);
        }

        Span<byte> trailer = stackalloc byte[4];
        file.Seek(-4, SeekOrigin.End);
        file.ReadExactly(trailer);
        return BitConverter.IsLittleEndian ? BitConverter.ToUInt32(trailer) : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
    }

    internal static IstioPSException Truncated(string archiveName, string detail, Exception? inner) => new("ArchiveTruncated", ErrorKind.InvalidData,
        $"The archive {archiveName} is truncated: {detail}. Nothing was saved; run the command again to download it anew.", archiveName, inner);

    private static IstioPSException Corrupt(string archiveName, Exception inner) => new("ArchiveCorrupt", ErrorKind.InvalidData,
        $"The archive {archiveName} cannot be read: {inner.Message} Nothing was saved.", archiveName, inner);

    /// <summary>Counts what is read through it (the uncompressed size, for the gzip trailer check).</summary>
    private sealed class CountingStream : Stream
    {
        private readonly Stream _inner;

        public CountingStream(Stream inner) => _inner = inner;

        public long Count { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = _inner.Read(buffer, offset, count);
            Count += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Count += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }

        // It owns the stream it counts (disposing it twice, here and by its creator, is harmless).
        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The destination folder of an extraction and the rules that keep every entry inside it.</summary>
internal sealed class SafeTree
{
    private readonly string _root;
    private readonly HashSet<string> _written = new(PathComparer);
    private readonly List<(string Path, string Target, string Entry)> _symlinks = new();
    private readonly List<(string Path, string Target, string Entry)> _hardlinks = new();

    public SafeTree(string root, string archiveName)
    {
        _root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        ArchiveName = archiveName;
    }

    public string ArchiveName { get; }

    private static StringComparer PathComparer => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
    private static StringComparison PathComparison => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public void CreateDirectory(string entryName)
    {
        var path = Resolve(entryName, allowRoot: true);
        Directory.CreateDirectory(path);
        _written.Add(path);
    }

    public async Task WriteFileAsync(string entryName, Stream data, UnixFileMode mode, CancellationToken ct)
    {
        var path = Resolve(entryName, allowRoot: false);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            // keep the execute bits (istioctl), never set-id bits; the owner can always read and write (to delete the cache)
            options.UnixCreateMode = (mode & (UnixFileMode)0x1FF) | UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(path, options))
        {
            await data.CopyToAsync(file, ct).ConfigureAwait(false);
        }

        _written.Add(path);
    }

    public void AddSymbolicLink(string entryName, string target) => _symlinks.Add((Resolve(entryName, allowRoot: false), target, entryName));

    public void AddHardLink(string entryName, string target) => _hardlinks.Add((Resolve(entryName, allowRoot: false), target, entryName));

    /// <summary>Makes the links once every file is written: hard links as copies of files inside, symbolic links only to targets inside.</summary>
    public void MakeLinks()
    {
        var linkPaths = new HashSet<string>(_symlinks.Select(l => l.Path), PathComparer);
        foreach (var (path, target, entry) in _hardlinks)
        {
            var source = Resolve(target, allowRoot: false, entryForErrors: entry, what: "hard link target");
            if (linkPaths.Contains(source) || !File.Exists(source) || !_written.Contains(source))
            {
                throw Unsafe(ArchiveName, entry, $"it is a hard link to '{target}', which is not a file of the archive");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(source, path, overwrite: true);
            _written.Add(path);
        }

        foreach (var (path, target, entry) in _symlinks)
        {
            CheckLinkTarget(path, target, entry, linkPaths);
            if (AncestorIn(path, linkPaths))
            {
                throw Unsafe(ArchiveName, entry, "it would be written through another link");
            }

            if (File.Exists(path) || Directory.Exists(path))
            {
                throw Unsafe(ArchiveName, entry, "a link would replace a file or folder of the archive");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.CreateSymbolicLink(path, target.Replace('\\', '/').Replace('/', Path.DirectorySeparatorChar));
        }

        foreach (var path in _written)
        {
            if (AncestorIn(path, linkPaths))
            {
                throw Unsafe(ArchiveName, path[(_root.Length + 1)..], "it lies under a link of the archive");
            }
        }
    }

    private void CheckLinkTarget(string linkPath, string target, string entry, HashSet<string> linkPaths)
    {
        if (string.IsNullOrEmpty(target) || target.Contains('\0'))
        {
            throw Unsafe(ArchiveName, entry, "its link target is empty");
        }

        var t = target.Replace('\\', '/');
        if (t.StartsWith('/') || IsDriveRooted(t) || Path.IsPathRooted(target))
        {
            throw Unsafe(ArchiveName, entry, $"it links to the absolute path '{target}'");
        }

        var current = Path.GetDirectoryName(linkPath)!;
        var segments = t.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            if (s == ".")
            {
                continue;
            }

            if (s == "..")
            {
                if (string.Equals(current, _root, PathComparison))
                {
                    throw Unsafe(ArchiveName, entry, $"it links to '{target}', outside the release folder");
                }

                current = Path.GetDirectoryName(current)!;
                continue;
            }

            current = Path.Combine(current, s);
            if (i < segments.Length - 1 && linkPaths.Contains(current))
            {
                throw Unsafe(ArchiveName, entry, $"its target '{target}' passes through another link");
            }
        }

        if (!IsInside(current, allowRoot: true))
        {
            throw Unsafe(ArchiveName, entry, $"it links to '{target}', outside the release folder");
        }
    }

    private bool AncestorIn(string path, HashSet<string> set)
    {
        for (var dir = Path.GetDirectoryName(path); dir is not null && dir.Length > _root.Length; dir = Path.GetDirectoryName(dir))
        {
            if (set.Contains(dir))
            {
                return true;
            }
        }

        return false;
    }

    private string Resolve(string entryName, bool allowRoot, string? entryForErrors = null, string what = "entry")
    {
        var entry = entryForErrors ?? entryName;
        if (string.IsNullOrEmpty(entryName) || entryName.Contains('\0'))
        {
            throw Unsafe(ArchiveName, entry, $"the {what} has an empty name");
        }

        var name = entryName.Replace('\\', '/');
        if (name.StartsWith('/') || IsDriveRooted(name) || Path.IsPathRooted(entryName))
        {
            throw Unsafe(ArchiveName, entry, $"the {what} '{entryName}' is an absolute path");
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Any(p => p == ".."))
        {
            throw Unsafe(ArchiveName, entry, $"the {what} '{entryName}' climbs out with '..'");
        }

        var full = parts.Length == 0 ? _root : Path.GetFullPath(Path.Combine(_root, string.Join(Path.DirectorySeparatorChar, parts)));
        if (!IsInside(full, allowRoot))
        {
            throw Unsafe(ArchiveName, entry, $"the {what} '{entryName}' lands outside the release folder");
        }

        return full;
    }

    private bool IsInside(string full, bool allowRoot) =>
        (allowRoot && string.Equals(full, _root, PathComparison)) ||
        full.StartsWith(_root + Path.DirectorySeparatorChar, PathComparison);

    private static bool IsDriveRooted(string name) => name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]);

    public static IstioPSException Unsafe(string archiveName, string entry, string reason) => new("UnsafeArchiveEntry", ErrorKind.SecurityError,
        $"The archive {archiveName} holds an unsafe entry '{entry}': {reason}. Nothing was saved.", entry);
}
