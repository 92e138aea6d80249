using System.Collections.Immutable;

namespace IstioPS.Rendering.Istio;

/// <summary>Kind of Istio release folder.</summary>
public enum IstioLayoutKind
{
    /// <summary>Not an Istio release.</summary>
    Unknown,
    /// <summary>manifests/charts + manifests/profiles (Istio 1.6 and later; rendered natively).</summary>
    Modern,
    /// <summary>Istio 1.5: install/kubernetes/helm/istio-init/files/crd-*.yaml with apiextensions.k8s.io/v1beta1 CRDs.</summary>
    Legacy,
}

/// <summary>What <see cref="IstioReleaseLayout.Detect"/> found.</summary>
public sealed class IstioReleaseLayoutInfo
{
    internal IstioReleaseLayoutInfo(IstioLayoutKind kind, string path, string? manifestsDirectory, IReadOnlyList<string> crdFiles, IReadOnlyList<string> crdApiVersions)
    {
        Kind = kind; Path = path; ManifestsDirectory = manifestsDirectory; CrdFiles = crdFiles; CrdApiVersions = crdApiVersions;
    }

    public IstioLayoutKind Kind { get; }
    public string Path { get; }
    /// <summary>For a modern release: the folder holding charts/ and profiles/.</summary>
    public string? ManifestsDirectory { get; }
    /// <summary>For a legacy release: the CRD files (crd-*.yaml), sorted.</summary>
    public IReadOnlyList<string> CrdFiles { get; }
    /// <summary>For a legacy release: the distinct apiVersions its CRD documents use (e.g. apiextensions.k8s.io/v1beta1).</summary>
    public IReadOnlyList<string> CrdApiVersions { get; }
}

/// <summary>Recognises modern and legacy (Istio 1.5) release layouts.</summary>
public static class IstioReleaseLayout
{
    private static readonly ImmutableArray<string> LegacyCrdDirs = ImmutableArray.Create(new string[]
    {
        System.IO.Path.Combine("install", "kubernetes", "helm", "istio-init", "files"),
        System.IO.Path.Combine("helm", "istio-init", "files"),
        System.IO.Path.Combine("istio-init", "files"),
        "files",
        "",
    });

    public static IstioReleaseLayoutInfo Detect(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        var manifests = TryManifests(full);
        if (manifests != null) return new IstioReleaseLayoutInfo(IstioLayoutKind.Modern, full, manifests, Array.Empty<string>(), Array.Empty<string>());
        foreach (var rel in LegacyCrdDirs)
        {
            string dir = System.IO.Path.Combine(full, rel);
            if (!Directory.Exists(dir)) continue;
            var crds = Directory.GetFiles(dir, "crd-*.yaml").OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (crds.Count == 0) continue;
            var versions = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var f in crds)
                foreach (var line in File.ReadLines(f))
                    if (line.StartsWith("apiVersion:", StringComparison.Ordinal) && line.Contains("apiextensions.k8s.io", StringComparison.Ordinal))
                        versions.Add(line.Substring(11).Trim().Trim('"', '\''));
            return new IstioReleaseLayoutInfo(IstioLayoutKind.Legacy, full, null, crds, versions.ToList());
        }
        return new IstioReleaseLayoutInfo(IstioLayoutKind.Unknown, full, null, Array.Empty<string>(), Array.Empty<string>());
    }

    private static string? TryManifests(string full)
    {
        foreach (var candidate in new[] { System.IO.Path.Combine(full, "manifests"), full })
            if (Directory.Exists(System.IO.Path.Combine(candidate, "charts")) && Directory.Exists(System.IO.Path.Combine(candidate, "profiles")))
                return candidate;
        return null;
    }

    /// <summary>The folder holding charts/ and profiles/, or a ReleaseNotFound error (naming a legacy layout plainly).</summary>
    public static string ResolveManifestsDirectory(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new RenderException(RenderErrorIds.ReleaseNotFound, "no Istio release path given");
        var info = Detect(path);
        switch (info.Kind)
        {
            case IstioLayoutKind.Modern: return info.ManifestsDirectory!;
            case IstioLayoutKind.Legacy:
                throw new RenderException(RenderErrorIds.ReleaseNotFound,
                    $"'{path}' is a legacy Istio 1.5 release (CRDs in {string.Join(", ", info.CrdApiVersions)} under install/kubernetes/helm/istio-init/files); " +
                    "it has no manifests/charts and profiles to render", path);
            default:
                throw new RenderException(RenderErrorIds.ReleaseNotFound,
                    $"'{path}' is not an Istio release: no manifests/charts and manifests/profiles folders", path);
        }
    }
}
