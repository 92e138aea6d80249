using IstioPS.Engine.Manifests;
using IstioPS.Engine.Plan;
using IstioPS.Rendering.Istio;

namespace IstioPS.Engine.Sources;

/// <summary>Where the objects to install (or verify) come from: a release and profile with addons, or manifest files.</summary>
public sealed record InstallSource
{
    public string? ReleasePath { get; init; }
    public string Profile { get; init; } = "default";
    public IReadOnlyList<string> Set { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> ValuesFiles { get; init; } = Array.Empty<string>();
    public string? Revision { get; init; }
    public IReadOnlyList<string>? Components { get; init; }
    public IReadOnlyList<string>? Addons { get; init; }
    /// <summary>Only the addons: no profile, -Set, -ValuesFile or -Component was asked for.</summary>
    public bool AddonsOnly { get; init; }
    public IReadOnlyList<string> ManifestPaths { get; init; } = Array.Empty<string>();
    /// <summary>Folders of <see cref="ManifestPaths"/> are read with their subfolders.</summary>
    public bool Recurse { get; init; }

    /// <summary>Render as `helm upgrade` does: the revision is installed (see <see cref="Plan.UpgradeDetection"/>).</summary>
    public bool IsUpgrade { get; init; }

    /// <summary>What to render for this source's release (the one place a source becomes a render request).</summary>
    public ReleaseRenderRequest RenderRequest(string releasePath, CancellationToken ct = default) => new()
    {
        CancellationToken = ct,
        ReleasePath = releasePath,
        Profile = Profile,
        Set = Set,
        ValuesFiles = ValuesFiles,
        Revision = Revision,
        Components = Components,
        IsUpgrade = IsUpgrade,
    };
}

/// <summary>The objects an <see cref="InstallSource"/> stands for, grouped by component in install order.</summary>
public sealed class SourceObjects
{
    public required IReadOnlyList<ManifestObject> Objects { get; init; }
    public required IReadOnlyList<string> ComponentOrder { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
    /// <summary>Manifest files still to read (the installer reads them so that their problems are reported with the rest).</summary>
    public IReadOnlyList<string> ManifestPaths { get; init; } = Array.Empty<string>();
    public bool Recurse { get; init; }
    /// <summary>The rendered release's version (its manifest.yaml, else its folder name); null for manifest files and addons alone.</summary>
    public Releases.ReleaseVersion? ReleaseVersion { get; init; }

    /// <summary>
    /// What the install answers for, and so may prune: a release's components (all istioctl knows, or those of
    /// -Component) and, with -Addon, the addons. Manifest files answer for nothing beyond themselves (null).
    /// </summary>
    public PruneScope? Prune { get; init; }
}

public static class InstallSources
{
    /// <summary>Renders the release (and reads the addons) of a source; manifest files are left for the reader.</summary>
    public static SourceObjects Load(InstallSource source, Action<string>? verbose = null, CancellationToken ct = default)
    {
        if (source.ReleasePath is null)
        {
            return new SourceObjects { Objects = Array.Empty<ManifestObject>(), ComponentOrder = Array.Empty<string>(), ManifestPaths = source.ManifestPaths, Recurse = source.Recurse };
        }

        var parts = ReleaseParts(source, source.ReleasePath, verbose, ct);
        var order = parts.SelectMany(p => p.ComponentOrder).ToList();
        var scope = new HashSet<string>(order, StringComparer.OrdinalIgnoreCase);
        if (!source.AddonsOnly) scope.UnionWith(source.Components ?? IstioComponents.All.Select(c => c.Name));
        return new SourceObjects
        {
            Objects = parts.SelectMany(p => p.Objects).ToList(), ComponentOrder = order, Warnings = parts.SelectMany(p => p.Warnings).ToList(),
            Prune = new PruneScope { Components = scope },
            ReleaseVersion = source.AddonsOnly ? null : Releases.ReleaseStamp.Read(source.ReleasePath)?.Version,
        };
    }

    /// <summary>
    /// The source's objects, rendered as `helm upgrade` renders them when <paramref name="installed"/> says the revision
    /// is installed already. The render as a first install goes on while the cluster is asked (most installs are first
    /// installs, and a render is as long as a round trip to a far cluster); an installed revision renders again as an
    /// upgrade, at once when the answer comes before that render ends (it is stopped). A failed render is made again
    /// after the answer, so a cluster that cannot be reached is reported first. The first render's verbose lines are
    /// said only when its objects are the ones used.
    /// </summary>
    public static async Task<SourceObjects> LoadAsync(InstallSource source, Func<CancellationToken, Task<bool>> installed, Action<string>? verbose, CancellationToken ct)
    {
        var asked = source.ReleasePath is null ? Task.FromResult(false) : installed(ct);
        var said = new List<string>();
        using var firstInstall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var speculative = Task.Run(() => Load(source, said.Add, firstInstall.Token), CancellationToken.None);
        await Task.WhenAny(asked, speculative).ConfigureAwait(false);
        if (asked.IsCompletedSuccessfully && asked.Result) firstInstall.Cancel();
        SourceObjects? loaded = null;
        try
        {
            loaded = await speculative.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // stopped: the revision is installed, and is rendered as an upgrade below
        }
        catch (Exception ex) when (ex is IstioPSException or IOException or UnauthorizedAccessException)
        {
            // made again below, once the cluster has answered
        }

        var upgrade = await asked.ConfigureAwait(false);
        if (loaded is null || upgrade) return Load(source with { IsUpgrade = upgrade }, verbose, ct);
        foreach (var line in said) verbose?.Invoke(line);
        return loaded;
    }

    /// <summary>
    /// Every object a source stands for, in one piece (Export-IstioManifest writes them, Uninstall-Istio removes them):
    /// the release rendered with its addons, or the manifest files read and checked, every problem of every file
    /// reported together with its file and line and <paramref name="consequence"/> ("nothing was exported").
    /// </summary>
    public static RenderedRelease Resolve(InstallSource source, string consequence, Action<string>? verbose = null)
    {
        if (source.ReleasePath is not { } release)
        {
            return ReleaseManifests.Read(ManifestReader.ExpandPaths(source.ManifestPaths, source.Recurse), ManifestsComponent, consequence: consequence);
        }

        var parts = ReleaseParts(source, release, verbose, default);
        return new RenderedRelease
        {
            Entries = parts.SelectMany(p => p.Entries).ToList(),
            Objects = parts.SelectMany(p => p.Objects).ToList(),
            ComponentOrder = parts.SelectMany(p => p.ComponentOrder).ToList(),
            Warnings = parts.SelectMany(p => p.Warnings).ToList(),
            Legacy = parts.Any(p => p.Legacy),
        };
    }

    /// <summary>The component name of objects read from manifest files.</summary>
    public const string ManifestsComponent = "Manifests";

    /// <summary>
    /// The release's profile rendered (unless only addons were asked for), then its addons. The addons are read while
    /// the profile renders (neither uses the other); a render that fails is what is reported.
    /// </summary>
    private static List<RenderedRelease> ReleaseParts(InstallSource source, string releasePath, Action<string>? verbose, CancellationToken ct)
    {
        var parts = new List<RenderedRelease>();
        var addons = source.Addons is { Count: > 0 } names ? Task.Run(() => ReleaseManifests.Addons(releasePath, names)) : null;
        try
        {
            if (!source.AddonsOnly)
            {
                var rendered = ReleaseManifests.Render(source.RenderRequest(releasePath, ct));
                verbose?.Invoke($"Rendered {rendered.Objects.Count} objects: {string.Join(", ", rendered.ComponentOrder)}.");
                parts.Add(rendered);
            }
        }
        catch
        {
            addons?.ContinueWith(t => t.Exception, TaskScheduler.Default);
            throw;
        }

        if (addons is not null) parts.Add(addons.GetAwaiter().GetResult());
        return parts;
    }
}
