using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Istio;

/// <summary>One IstioOperator profile of a release.</summary>
public sealed class ProfileInfo
{
    internal ProfileInfo(string name, string path, IReadOnlyList<string> components)
    {
        Name = name; Path = path; Components = components;
    }

    public string Name { get; }
    public string Path { get; }
    /// <summary>Components the profile enables (on top of default.yaml), in install order.</summary>
    public IReadOnlyList<string> Components { get; }
    public override string ToString() => Name;
}

/// <summary>The profiles a release offers.</summary>
public static class IstioProfiles
{
    public static IReadOnlyList<ProfileInfo> List(string releasePath)
    {
        string manifests = IstioReleaseLayout.ResolveManifestsDirectory(releasePath);
        var result = new List<ProfileInfo>();
        foreach (var name in Names(manifests))
        {
            var merged = IstioManifestGenerator.MergeInputs(manifests, Array.Empty<string>(), new[] { "profile=" + name }, out _);
            var enabled = new List<string>();
            foreach (var comp in IstioComponents.InstallOrder)
            {
                var info = IstioComponents.Find(comp)!;
                if (IsEnabled(info, merged)) enabled.Add(comp);
            }
            result.Add(new ProfileInfo(name, Path.Combine(manifests, "profiles", name + ".yaml"), enabled));
        }
        return result;
    }

    internal static IReadOnlyList<string> Names(string manifestsDir)
    {
        string dir = Path.Combine(manifestsDir, "profiles");
        if (!Directory.Exists(dir)) return Array.Empty<string>();
        return Directory.GetFiles(dir, "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    private static bool IsEnabled(IstioComponentInfo c, Dictionary<string, object?> merged)
    {
        bool alt = c.AltEnablementPath != null && IopValues.GetPathBool(merged, c.AltEnablementPath);
        if (!IopValues.TryGetPath(merged, "spec.components." + c.SpecName, out var v) || v == null) return c.Default || alt;
        static bool On(object? m) => !(m is IDictionary<string, object?> d && d.TryGetValue("enabled", out var e) && e is bool b && !b);
        if (c.Multi) return v is System.Collections.IList l && l.Cast<object?>().Any(x => On(x) || alt);
        return On(v) || alt;
    }
}
