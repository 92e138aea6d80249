using IstioPS.Engine.Manifests;
using IstioPS.Rendering;
using IstioPS.Rendering.Helm;
using IstioPS.Rendering.Istio;

namespace IstioPS.Engine.Sources;

/// <summary>What to render from an Istio release (the istioctl layer).</summary>
public sealed class ReleaseRenderRequest
{
    public required string ReleasePath { get; init; }
    public string Profile { get; init; } = "default";
    public IReadOnlyList<string> Set { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> ValuesFiles { get; init; } = Array.Empty<string>();
    public string? Revision { get; init; }
    public IReadOnlyList<string>? Components { get; init; }
    /// <summary>Render as `helm upgrade` does (see <see cref="Plan.UpgradeDetection"/>).</summary>
    public bool IsUpgrade { get; init; }
    /// <summary>Stops the render (OperationCanceledException).</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>What to render from one Helm chart (what `helm template` does).</summary>
public sealed class ChartRenderRequest
{
    public required string ChartPath { get; init; }
    public IReadOnlyList<string> ValuesFiles { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Set { get; init; } = Array.Empty<string>();
    public string ReleaseName { get; init; } = "istio";
    public string Namespace { get; init; } = "istio-system";
    public bool IsUpgrade { get; init; }
}

/// <summary>One rendered Kubernetes object, as Export-IstioManifest emits it.</summary>
public sealed class ManifestEntry
{
    public required string Component { get; init; }
    public required string ApiVersion { get; init; }
    public required string Kind { get; init; }
    public string? Namespace { get; init; }
    public required string Name { get; init; }
    public required string Yaml { get; init; }
    public string? Source { get; init; }

    public override string ToString() => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}

/// <summary>A rendered release: objects to install, in the order and grouping istioctl uses.</summary>
public sealed class RenderedRelease
{
    private Lazy<IReadOnlyList<ManifestEntry>> _entries = new(Array.Empty<ManifestEntry>());

    /// <summary>What Export-IstioManifest emits, one YAML text per object.</summary>
    public IReadOnlyList<ManifestEntry> Entries { get => _entries.Value; init => _entries = new(value); }

    /// <summary>
    /// The entries, made when first read: objects read from files are written as YAML only for Export-IstioManifest,
    /// not for an install, which sends <see cref="Objects"/>.
    /// </summary>
    public Func<IReadOnlyList<ManifestEntry>> EntriesWhenRead { init => _entries = new(value); }

    public required IReadOnlyList<ManifestObject> Objects { get; init; }
    public required IReadOnlyList<string> ComponentOrder { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
    public bool Legacy { get; init; }

    /// <summary>One multi-document YAML string, as `istioctl manifest generate` prints it.</summary>
    public string ToYaml() => string.Concat(Entries.Select(e => e.Yaml.TrimEnd('\n') + "\n---\n"));
}

/// <summary>An Istio profile a release offers.</summary>
public sealed class IstioProfile
{
    public required string Name { get; init; }
    public required IReadOnlyList<string> Components { get; init; }
    /// <summary>The components as one comma-separated string, for tables.</summary>
    public string ComponentList => string.Join(", ", Components);
    public required string Path { get; init; }
    public required string Release { get; init; }

    public override string ToString() => Name;
}

/// <summary>
/// The bridge between the pure renderer (IstioPS.Rendering) and the installer: renders a release or a
/// chart, turns renderer errors into engine errors, and parses the output into manifest objects that
/// remember their component and template.
/// </summary>
public static class ReleaseManifests
{
    public const string AddonsComponent = "Addons";

    /// <summary>The addons a release ships under samples/addons, by name (Prometheus, Grafana, Jaeger, Kiali, Loki).</summary>
    public static readonly IReadOnlyList<string> KnownAddons = new[] { "Prometheus", "Grafana", "Jaeger", "Kiali", "Loki" };

    /// <summary>The renderer's memory of charts and large YAML (CRDs) between renders: the engine keeps one for the
    /// life of the process, so warm renders reuse them.</summary>
    private static readonly RenderCache Cache = new();

    /// <summary>Istio's image hub, the one a release stamps when its manifest.yaml names none.</summary>
    public const string DefaultHub = "docker.io/istio";

    /// <summary>
    /// Renders a release as its own istioctl would: the release's version (manifest.yaml, else the folder name)
    /// is the default image tag and its hub the default hub, under the user's files and -Set.
    /// </summary>
    public static RenderedRelease Render(ReleaseRenderRequest request)
    {
        var legacyCrds = LegacyCrdFiles(request.ReleasePath);
        if (legacyCrds is not null)
        {
            return Read(legacyCrds, "Base", legacy: true);
        }

        Detect(request.ReleasePath);
        var stamp = Releases.ReleaseStamp.Read(request.ReleasePath);

        IstioManifest manifest;
        try
        {
            manifest = IstioManifestGenerator.Generate(new IstioRenderRequest
            {
                ReleasePath = request.ReleasePath,
                Profile = string.IsNullOrEmpty(request.Profile) ? "default" : request.Profile,
                Set = request.Set.ToList(),
                ValuesFiles = request.ValuesFiles.ToList(),
                Revision = request.Revision,
                Components = request.Components?.ToList(),
                IsUpgrade = request.IsUpgrade,
                Cache = Cache,
                CancellationToken = request.CancellationToken,
                CompiledHub = stamp is null ? null : stamp.Hub ?? DefaultHub,
                CompiledTag = stamp?.Version.Text,
            });
        }
        catch (RenderException ex)
        {
            throw Convert(ex);
        }

        var entries = manifest.Objects.Select(o => Entry(o.Component, o.ApiVersion, o.Kind, o.Namespace, o.Name, o.Yaml, o.SourceTemplate)).ToList();
        return new RenderedRelease
        {
            Entries = entries,
            // The renderer's parsed objects, converted once: no second YAML parse.
            // Each object at its chart template's line, and a field at the template line that wrote it.
            Objects = manifest.Objects.Select(o => new ManifestObject(
                (System.Text.Json.Nodes.JsonObject)FastManifestReader.ToJson(o.Object)!,
                new SourceLocation(o.SourceTemplate ?? o.Component, o.SourceLine, 0), o.Component,
                o.Document is { } doc ? TemplateLines(doc) : null)).ToList(),
            ComponentOrder = manifest.Components.Select(c => c.Info.Name).ToList(),
            Warnings = manifest.Warnings,
        };
    }

    /// <summary>A field's line in a rendered document, as the line of the chart template that wrote it.</summary>
    private static Func<IReadOnlyList<string>, int> TemplateLines(IstioPS.Rendering.Helm.RenderedDocument doc)
    {
        var inDocument = YamlLines.ForText(doc.Yaml, 1);
        return path => inDocument(path) is var line and > 0 ? doc.TemplateLine(line) : 0;
    }

    /// <summary>`helm template` for one chart.</summary>
    public static RenderedRelease RenderChart(ChartRenderRequest request)
    {
        try
        {
            var chart = HelmChart.Load(request.ChartPath, Cache);
            var values = HelmValues.Combine(request.ValuesFiles.Select(HelmValues.ReadFile), request.Set);
            var rendered = HelmRenderer.Render(chart, values, new HelmReleaseOptions
            {
                ReleaseName = request.ReleaseName,
                Namespace = request.Namespace,
                IsUpgrade = request.IsUpgrade,
            }, cache: Cache);
            var entries = new List<ManifestEntry>();
            foreach (var doc in HelmRenderer.SplitDocuments(rendered))
            {
                if (!ObjectIdentity.TryParse(doc.Yaml, out var id, out _)) continue;
                entries.Add(Entry(chart.Name, id.ApiVersion, id.Kind, id.Namespace, id.Name, doc.Yaml.TrimEnd('\n') + "\n", doc.SourceTemplate));
            }

            return new RenderedRelease { Entries = entries, Objects = Parse(entries), ComponentOrder = new[] { chart.Name } };
        }
        catch (RenderException ex)
        {
            throw Convert(ex);
        }
    }

    /// <summary>The profiles of a release and the components each enables.</summary>
    public static IReadOnlyList<IstioProfile> Profiles(string releasePath)
    {
        Detect(releasePath);
        try
        {
            return IstioProfiles.List(releasePath).Select(p => new IstioProfile
            {
                Name = p.Name,
                Components = p.Components,
                Path = p.Path,
                Release = releasePath,
            }).ToList();
        }
        catch (RenderException ex)
        {
            throw Convert(ex);
        }
    }

    /// <summary>The release's samples/addons manifests for the named addons.</summary>
    public static RenderedRelease Addons(string releasePath, IEnumerable<string> names)
    {
        var files = new List<string>();
        foreach (var name in names)
        {
            var known = KnownAddons.FirstOrDefault(a => a.Equals(name, StringComparison.OrdinalIgnoreCase))
                        ?? throw new IstioPSException("UnknownAddon", ErrorKind.InvalidArgument,
                            $"'{name}' is not an addon IstioPS knows; use one of {string.Join(", ", KnownAddons)}.", name);
            var file = Path.Combine(releasePath, "samples", "addons", known.ToLowerInvariant() + ".yaml");
            if (!File.Exists(file))
            {
                throw new IstioPSException("AddonNotFound", ErrorKind.ObjectNotFound, $"The release at '{releasePath}' has no {known} addon (looked for {file}).", file);
            }

            files.Add(file);
        }

        return Read(files, AddonsComponent);
    }

    /// <summary>
    /// The CRD files of an Istio 1.5 release: under install/kubernetes/helm/istio-init/files, or a folder
    /// holding just those files (crd-*.yaml); null for a modern release.
    /// </summary>
    private static IReadOnlyList<string>? LegacyCrdFiles(string releasePath)
    {
        if (!Directory.Exists(releasePath)) return null;
        var layout = IstioReleaseLayout.Detect(releasePath);
        if (layout.Kind == IstioLayoutKind.Legacy) return layout.CrdFiles;
        if (layout.Kind == IstioLayoutKind.Modern) return null;
        var crds = Directory.GetFiles(releasePath, "crd-*.yaml").OrderBy(f => f, StringComparer.Ordinal).ToList();
        return crds.Count > 0 ? crds : null;
    }

    private static IstioReleaseLayoutInfo Detect(string releasePath)
    {
        if (!Directory.Exists(releasePath))
        {
            throw new IstioPSException("ReleaseNotFound", ErrorKind.ObjectNotFound, $"The release folder '{releasePath}' does not exist.", releasePath);
        }

        var layout = IstioReleaseLayout.Detect(releasePath);
        if (layout.Kind == IstioLayoutKind.Unknown)
        {
            throw new IstioPSException("ReleaseNotFound", ErrorKind.InvalidData,
                $"'{releasePath}' is not an Istio release: it has neither manifests/charts and manifests/profiles (Istio 1.6 and later) nor install/kubernetes/helm/istio-init/files (Istio 1.5).", releasePath);
        }

        return layout;
    }

    /// <summary>
    /// Manifest files read and checked as the plan checks them (names, labels, annotations, sizes) as one component's
    /// objects; every problem of every file is reported together, with its file and line.
    /// </summary>
    public static RenderedRelease Read(IReadOnlyList<string> files, string component, bool legacy = false, string? consequence = null)
    {
        var (objects, errors) = ManifestReader.ReadFiles(files, component);
        errors.AddRange(objects.SelectMany(ObjectValidator.ProblemsOf));
        if (errors.Count > 0) throw consequence is null ? ManifestException.Aggregate(errors) : ManifestException.Aggregate(errors, consequence);
        return new RenderedRelease
        {
            EntriesWhenRead = () => objects.Select(o => Entry(component, o.ApiVersion, o.Kind, o.Namespace, o.Name, YamlText.FromJson(o.Body), o.Source.ToString())).ToList(),
            Objects = objects, ComponentOrder = new[] { component }, Legacy = legacy,
        };
    }

    /// <summary>The one mapping of a rendered or read object to what Export-IstioManifest emits.</summary>
    private static ManifestEntry Entry(string component, string apiVersion, string kind, string? ns, string name, string yaml, string? source) => new()
    {
        Component = component,
        ApiVersion = apiVersion,
        Kind = kind,
        Namespace = ns,
        Name = name,
        Yaml = yaml,
        Source = source,
    };

    private static List<ManifestObject> Parse(IEnumerable<ManifestEntry> entries)
    {
        var objects = new List<ManifestObject>();
        var errors = new List<ManifestException>();
        foreach (var e in entries)
        {
            ManifestReader.Read(e.Yaml, e.Source ?? e.Component, e.Component, objects, errors);
        }

        if (errors.Count > 0) throw errors[0];
        return objects;
    }

    private static IstioPSException Convert(RenderException ex)
    {
        var kind = ex.ErrorId switch
        {
            RenderErrorIds.ChartNotFound or RenderErrorIds.UnknownProfile or RenderErrorIds.ReleaseNotFound => ErrorKind.ObjectNotFound,
            RenderErrorIds.InvalidSetPath or RenderErrorIds.InvalidSetValue or RenderErrorIds.UnknownComponent => ErrorKind.InvalidArgument,
            _ => ErrorKind.InvalidData,
        };
        var where = ex.File is null ? null : ex.Line is { } line ? $"{ex.File}:{line}" : ex.File;
        var message = where is not null && !ex.Message.Contains(ex.File!, StringComparison.Ordinal) ? $"{where}: {ex.Message}" : ex.Message;
        return new IstioPSException(ex.ErrorId, kind, message, where, ex);
    }
}
