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

    private static readonly Dictionary<string, HelmChart> Cache = new(StringComparer.Ordinal);

    /// <summary>Loads a chart folder. Results are cached per full path (charts are treated as immutable).</summary>
    public static HelmChart Load(string chartDirectory)
    {
        string full = Path.GetFullPath(chartDirectory);
        lock (Cache)
        {
            if (Cache.TryGetValue(full, out var cached)) return cached;
        }
        var chart = LoadUncached(full);
        lock (Cache) Cache[full] = chart;
        return chart;
    }

    /// <summary>Loads a chart folder without the process-wide cache.</summary>
    public static HelmChart LoadUncached(string chartDirectory)
    {
        string full = Path.GetFullPath(chartDirectory);
        string chartYaml = Path.Combine(full, "Chart.yaml");
        if (!System.IO.Directory.Exists(full) || !File.Exists(chartYaml))
            throw new RenderException(RenderErrorIds.ChartNotFound, $"chart not found: no Chart.yaml in '{chartDirectory}'", chartDirectory);
        Dictionary<string, object?> metadata;
        Dictionary<string, object?> values;
        try { metadata = GoYaml.ParseMap(File.ReadAllText(chartYaml)); }
        catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException)
        {
            throw new RenderException(RenderErrorIds.ValuesFileInvalid, $"{chartYaml}: {e.Message}", chartYaml, null, e);
        }
        string valuesPath = Path.Combine(full, "values.yaml");
        try { values = File.Exists(valuesPath) ? GoYaml.ParseMap(File.ReadAllText(valuesPath)) : GoValues.NewMap(); }
        catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException)
        {
            throw new RenderException(RenderErrorIds.ValuesFileInvalid, $"{valuesPath}: {e.Message}", valuesPath, null, e);
        }
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
                throw new RenderException(e.ErrorId, e.Message.StartsWith("template: ", StringComparison.Ordinal) ? e.Message.Substring(10) : e.Message, e.File, e.Line, e);
            }
        }
        return set;
    }

    internal static readonly FunctionTable SharedFunctions = SprigFunctions.CreateHelmTable();
}
