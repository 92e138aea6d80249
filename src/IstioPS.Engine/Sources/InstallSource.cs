using IstioPS.Engine.Manifests;

namespace IstioPS.Engine.Rendering;

/// <summary>Where the objects to install (or verify) come from: a release and profile with addons, or manifest files.</summary>
public sealed class InstallSource
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
    /// <summary>Render as `helm upgrade` does: the revision is installed (see <see cref="Plan.UpgradeDetection"/>).</summary>
    public bool IsUpgrade { get; private set; }

    /// <summary>The same source, rendered as an upgrade.</summary>
    public InstallSource AsUpgrade()
    {
        var copy = (InstallSource)MemberwiseClone();
        copy.IsUpgrade = true;
        return copy;
    }
}

/// <summary>The objects an <see cref="InstallSource"/> stands for, grouped by component in install order.</summary>
public sealed class SourceObjects
{
    public required IReadOnlyList<ManifestObject> Objects { get; init; }
    public required IReadOnlyList<string> ComponentOrder { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
    /// <summary>Manifest files still to read (the installer reads them so that their problems are reported with the rest).</summary>
    public IReadOnlyList<string> ManifestPaths { get; init; } = Array.Empty<string>();
    /// <summary>The rendered release's version (its manifest.yaml, else its folder name); null for manifest files and addons alone.</summary>
    public Releases.ReleaseVersion? ReleaseVersion { get; init; }

    /// <summary>Every object, the manifest files read too; any problem in them is thrown, all at once.</summary>
    public IReadOnlyList<ManifestObject> ReadAll()
    {
        if (ManifestPaths.Count == 0) return Objects;
        var (read, errors) = ManifestReader.ReadFiles(ManifestReader.ExpandPaths(ManifestPaths));
        if (errors.Count > 0) throw ManifestException.Aggregate(errors);
        return Objects.Concat(read).ToList();
    }
}

public static class InstallSources
{
    /// <summary>Renders the release (and reads the addons) of a source; manifest files are left for the reader.</summary>
    public static SourceObjects Load(InstallSource source, Action<string>? verbose = null)
    {
        if (source.ReleasePath is null)
        {
            return new SourceObjects { Objects = Array.Empty<ManifestObject>(), ComponentOrder = Array.Empty<string>(), ManifestPaths = source.ManifestPaths };
        }

        var objects = new List<ManifestObject>();
        var order = new List<string>();
        var warnings = new List<string>();
        if (!source.AddonsOnly)
        {
            var rendered = ReleaseManifests.Render(new ReleaseRenderRequest
            {
                ReleasePath = source.ReleasePath,
                Profile = source.Profile,
                Set = source.Set,
                ValuesFiles = source.ValuesFiles,
                Revision = source.Revision,
                Components = source.Components,
                IsUpgrade = source.IsUpgrade,
            });
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

        return new SourceObjects
        {
            Objects = objects, ComponentOrder = order, Warnings = warnings, ManifestPaths = source.ManifestPaths,
            ReleaseVersion = source.AddonsOnly ? null : Releases.ReleaseStamp.Read(source.ReleasePath)?.Version,
        };
    }
}
