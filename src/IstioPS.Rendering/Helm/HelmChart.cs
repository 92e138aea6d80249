using IstioPS.Rendering.Functions;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Helm;

/// <summary>A Helm chart folder loaded into memory, with its templates parsed once.</summary>
public sealed class HelmChart
{
    private readonly Lazy<TemplateSet> _templateSet;

    private HelmChart(string directory, Dictionary<string, object?> metadata, Dictionary<string, object?> values,
        Dictionary<string, string> templates, Dictionary<string, string> files)
    {
        Directory = directory;
        Metadata = metadata;
        DefaultValues = values;
        Templates = templates;
        Files = files;
        _templateSet = new Lazy<TemplateSet>(ParseTemplates, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Directory { get; }
    public string Name => Metadata.TryGetValue("name", out var n) && n is string s ? s : Path.GetFileName(Directory);
    public string Version => Metadata.TryGetValue("version", out var v) ? GoFormat.ToString(v) : "";
    public string AppVersion => Metadata.TryGetValue("appVersion", out var v) && v != null ? GoFormat.ToString(v) : "";

    /// <summary>Chart.yaml as parsed.</summary>
    public IReadOnlyDictionary<string, object?> Metadata { get; }

    /// <summary>values.yaml as parsed (do not mutate; the renderer copies it).</summary>
    public IReadOnlyDictionary<string, object?> DefaultValues { get; }

    /// <summary>Template sources keyed by Helm name ("chart/templates/x.yaml").</summary>
    public IReadOnlyDictionary<string, string> Templates { get; }

    /// <summary>Non-template files keyed by path relative to the chart ("files/profile-demo.yaml").</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    /// <summary>Loads a chart folder. With a <paramref name="cache"/>, a chart loaded before (with its parsed templates)
    /// is reused until a file in the folder is added, removed, resized or rewritten.</summary>
    public static HelmChart Load(string chartDirectory, RenderCache? cache = null)
    {
        string full = Path.GetFullPath(chartDirectory);
        return cache == null ? LoadUncached(full) : cache.GetOrLoadChart(full, () => Fingerprint(full), () => LoadUncached(full));
    }

    private static string Fingerprint(string dir)
    {
        if (!System.IO.Directory.Exists(dir)) return "";
        var sb = new System.Text.StringBuilder();
        foreach (var f in new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal))
            sb.Append(f.FullName).Append('|').Append(f.Length).Append('|').Append(f.LastWriteTimeUtc.Ticks).Append('\n');
        return sb.ToString();
    }

    /// <summary>Loads a chart folder.</summary>
    public static HelmChart LoadUncached(string chartDirectory)
    {
        string full = Path.GetFullPath(chartDirectory);
        string chartYaml = Path.Combine(full, "Chart.yaml");
        if (!System.IO.Directory.Exists(full) || !File.Exists(chartYaml))
            throw new RenderException(RenderErrorIds.ChartNotFound, $"chart not found: no Chart.yaml in '{chartDirectory}'", chartDirectory);
        var metadata = HelmValues.Parse(File.ReadAllText(chartYaml), chartYaml);
        string valuesPath = Path.Combine(full, "values.yaml");
        var values = File.Exists(valuesPath) ? HelmValues.Parse(File.ReadAllText(valuesPath), valuesPath) : GoValues.NewMap();
        string name = metadata.TryGetValue("name", out var n) && n is string s ? s : Path.GetFileName(full);
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in System.IO.Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(full, file).Replace('\\', '/');
            if (rel == "Chart.yaml" || rel == "values.yaml" || rel.StartsWith("charts/", StringComparison.Ordinal)) continue;
            if (rel.StartsWith("templates/", StringComparison.Ordinal)) templates[name + "/" + rel] = File.ReadAllText(file);
            else files[rel] = File.ReadAllText(file);
        }
        return new HelmChart(full, metadata, values, templates, files);
    }

    /// <summary>A chart held in memory: <paramref name="templates"/> keyed by path relative to the chart
    /// ("templates/x.yaml"), <paramref name="files"/> likewise for the other files.</summary>
    public static HelmChart FromFiles(string chartYaml, string? valuesYaml, IReadOnlyDictionary<string, string> templates,
        IReadOnlyDictionary<string, string>? files = null)
    {
        var metadata = HelmValues.Parse(chartYaml, "Chart.yaml");
        var values = valuesYaml == null ? GoValues.NewMap() : HelmValues.Parse(valuesYaml, "values.yaml");
        string name = metadata.TryGetValue("name", out var n) && n is string s ? s : "chart";
        var t = templates.ToDictionary(kv => name + "/" + kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var f = files == null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(files, StringComparer.Ordinal);
        return new HelmChart(name, metadata, values, t, f);
    }

    /// <summary>Helm's template order: deeper paths first, then reverse lexical order.</summary>
    public IReadOnlyList<string> TemplateOrder()
    {
        var keys = Templates.Keys.ToList();
        keys.Sort((a, b) =>
        {
            int ca = a.Count(c => c == '/'), cb = b.Count(c => c == '/');
            if (ca != cb) return cb.CompareTo(ca);
            return string.CompareOrdinal(b, a);
        });
        return keys;
    }

    internal TemplateSet TemplateSet => _templateSet.Value;

    private TemplateSet ParseTemplates()
    {
        var set = new TemplateSet(SharedFunctions, MissingKeyOption.Zero);
        foreach (var name in TemplateOrder())
        {
            try { set.Parse(name, Templates[name]); }
            catch (RenderException e) when (e.ErrorId is RenderErrorIds.TemplateParseError or RenderErrorIds.UnknownFunction)
            {
                throw HelmErrors.Parse(name, e);
            }
        }
        return set;
    }

    /// <summary>Helm's functions: built once and frozen, so sharing them between renders shares no state.</summary>
    internal static readonly FunctionTable SharedFunctions = SprigFunctions.CreateHelmTable();
}
