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
    public ReleaseRenderRequest RenderRequest(string releasePath) => new()
    {
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
    public static SourceObjects Load(InstallSource source, Action<string>? verbose = null)
    {
        if (source.ReleasePath is null)
        {
            return new SourceObjects { Objects = Array.Empty<ManifestObject>(), ComponentOrder = Array.Empty<string>(), ManifestPaths = source.ManifestPaths, Recurse = source.Recurse };
        }

        var objects = new List<ManifestObject>();
        var order = new List<string>();
        var warnings = new List<string>();
        if (!source.AddonsOnly)
        {
            var rendered = ReleaseManifests.Render(source.RenderRequest(source.ReleasePath));
            verbose?.Invoke($"Rendered {rendered.Objects.Count} objects: {string.Join(", ", rendered.ComponentOrder)}.");
            objects.AddRange(rendered.Objects);
            order.AddRange(rendered.ComponentOrder);
            warnings.AddRange(rendered.Warnings);
        }

        if (source.Addons is { Count: > 0 })
        {
            var addons = ReleaseManifests.Addons(source.ReleasePath, source.Addons);
            objects.AddRange(addons.Objects);
            order.AddRange(addons.ComponentOrder);
        }

        var scope = new HashSet<string>(order, StringComparer.OrdinalIgnoreCase);
        if (!source.AddonsOnly) scope.UnionWith(source.Components ?? IstioComponents.All.Select(c => c.Name));
        return new SourceObjects
        {
            Objects = objects, ComponentOrder = order, Warnings = warnings, Prune = new PruneScope { Components = scope },
            ReleaseVersion = source.AddonsOnly ? null : Releases.ReleaseStamp.Read(source.ReleasePath)?.Version,
        };
    }
}
