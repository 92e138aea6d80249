using System.Collections.Frozen;
using System.Text;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Helm;

/// <summary>Release settings for a Helm render (helm template).</summary>
public sealed class HelmReleaseOptions
{
    public string ReleaseName { get; set; } = "release-name";
    public string Namespace { get; set; } = "default";
    public bool IsUpgrade { get; set; }
    /// <summary>.Release.IsInstall; null means !IsUpgrade (helm template). istioctl renders with both false.</summary>
    public bool? IsInstall { get; set; }
    public string KubeVersion { get; set; } = "1.32.0";
    public int Revision { get; set; } = 1;
}

/// <summary>One rendered template file: its Helm path and raw text (after Helm's "&lt;no value&gt;" removal).</summary>
public sealed class RenderedTemplate
{
    public RenderedTemplate(string path, string text, OutputLineMap? lines = null) { Path = path; Text = text; Lines = lines; }
    public string Path { get; }
    public string Text { get; }

    /// <summary>Which template line wrote each output line, when recorded.</summary>
    public OutputLineMap? Lines { get; }
    public override string ToString() => Path;
}

/// <summary>One YAML document of a rendered template.</summary>
public sealed class RenderedDocument
{
    private readonly OutputLineMap? _lines;
    private readonly int _firstOutputLine;

    public RenderedDocument(string sourceTemplate, string yaml, OutputLineMap? lines = null, int firstOutputLine = 1)
    {
        SourceTemplate = sourceTemplate;
        Yaml = yaml;
        _lines = lines;
        _firstOutputLine = firstOutputLine;
    }

    public string SourceTemplate { get; }
    public string Yaml { get; }

    /// <summary>The template line that wrote line <paramref name="documentLine"/> (1-based) of <see cref="Yaml"/>; 0 when unknown.</summary>
    public int TemplateLine(int documentLine) => _lines is null || documentLine < 1 ? 0 : _lines.TemplateLine(_firstOutputLine + documentLine - 1);

    public override string ToString() => SourceTemplate;
}

/// <summary>Helm's engine: values coalescing, built-in objects and template execution in Helm's order.</summary>
public static class HelmRenderer
{
    /// <summary>Renders every template of the chart. <paramref name="values"/> are user values (not yet coalesced with
    /// the chart's values.yaml). The result is sorted by template path; partials are not included.</summary>
    public static IReadOnlyList<RenderedTemplate> Render(HelmChart chart, IDictionary<string, object?>? values, HelmReleaseOptions release,
        RenderCache? cache = null, CancellationToken cancellationToken = default)
    {
        var set = chart.TemplateSet;
        var coalesced = HelmValues.Coalesce(chart.DefaultValues, values);
        var top = BuildTopValues(chart, coalesced, release);
        var results = new List<RenderedTemplate>();
        var sb = new StringBuilder(16 * 1024);
        foreach (var name in chart.TemplateOrder())
        {
            string baseName = name.Substring(name.LastIndexOf('/') + 1);
            if (baseName.StartsWith('_')) continue;
            var templateInfo = GoValues.NewMap();
            templateInfo["Name"] = name;
            templateInfo["BasePath"] = chart.Name + "/templates";
            top["Template"] = templateInfo;
            sb.Clear();
            var lines = new OutputLineMap();
            try
            {
                set.ExecuteTo(sb, name, top, null, cache?.Yaml, lines, cancellationToken);
            }
            catch (RenderException e)
            {
                throw HelmErrors.Execution(name, e);
            }

            // Lines are counted before Helm drops "<no value>" (which holds no line break, so they stay the same).
            var text = sb.ToString();
            lines.Finish(text);
            results.Add(new RenderedTemplate(name, text.Contains("<no value>", StringComparison.Ordinal) ? text.Replace("<no value>", "") : text, lines));
        }
        results.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return results;
    }

    private static Dictionary<string, object?> BuildTopValues(HelmChart chart, Dictionary<string, object?> values, HelmReleaseOptions release)
    {
        var top = GoValues.NewMap();
        var rel = GoValues.NewMap();
        rel["Name"] = release.ReleaseName;
        rel["Namespace"] = release.Namespace;
        rel["IsUpgrade"] = release.IsUpgrade;
        rel["IsInstall"] = release.IsInstall ?? !release.IsUpgrade;
        rel["Revision"] = (long)release.Revision;
        rel["Service"] = "Helm";
        top["Release"] = rel;
        top["Chart"] = ChartObject(chart);
        top["Capabilities"] = Capabilities(release.KubeVersion);
        top["Files"] = new HelmFiles(chart.Files);
        top["Values"] = values;
        top["Subcharts"] = GoValues.NewMap();
        return top;
    }

    /// <summary>Helm 4's .Chart: the Chart.yaml metadata as a map keyed by Go field names, plus IsRoot.</summary>
    private static Dictionary<string, object?> ChartObject(HelmChart chart)
    {
        object? Get(string key) => chart.Metadata.TryGetValue(key, out var v) ? v : null;
        string S(string key) => Get(key) is { } v ? GoFormat.ToString(v) : "";
        List<object?> L(string key) => Get(key) is List<object?> l ? new List<object?>(l) : new List<object?>();
        var annotations = new GoTypedMap("map[string]string");
        if (Get("annotations") is IDictionary<string, object?> a) foreach (var kv in a) annotations[kv.Key] = GoFormat.ToString(kv.Value);
        var maintainers = new List<object?>();
        foreach (var m in L("maintainers"))
        {
            var mm = m as IDictionary<string, object?>;
            string F(string k) => mm != null && mm.TryGetValue(k, out var v) && v is string str ? str : "";
            maintainers.Add(new Dictionary<string, object?>(StringComparer.Ordinal) { ["Name"] = F("name"), ["Email"] = F("email"), ["URL"] = F("url") });
        }
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Name"] = S("name"), ["Home"] = S("home"), ["Sources"] = L("sources"), ["Version"] = S("version"),
            ["Description"] = S("description"), ["Keywords"] = L("keywords"), ["Maintainers"] = maintainers, ["Icon"] = S("icon"),
            ["APIVersion"] = S("apiVersion"), ["Condition"] = S("condition"), ["Tags"] = S("tags"), ["AppVersion"] = S("appVersion"),
            ["Deprecated"] = Get("deprecated") is bool b && b, ["Annotations"] = annotations, ["KubeVersion"] = S("kubeVersion"),
            ["Dependencies"] = new List<object?>(), ["Type"] = S("type"), ["IsRoot"] = true,
        };
    }

    /// <summary>Helm 4's *common.Capabilities: KubeVersion prints as its normalised version ("v1.32.0").</summary>
    private static GoStruct Capabilities(string kubeVersion)
    {
        string v = kubeVersion.StartsWith('v') ? kubeVersion : "v" + kubeVersion;
        var parts = v.Substring(1).Split('.', '-', '+');
        string major = parts.Length > 0 ? parts[0] : "1";
        string minor = parts.Length > 1 ? parts[1] : "0";
        string normalized = "v" + string.Join(".", parts.Take(3).Select(p => p.Length == 0 ? "0" : p)) + (parts.Length < 3 ? string.Concat(Enumerable.Repeat(".0", 3 - parts.Length)) : "");
        var kv = new GoStruct("common.KubeVersion", new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Version"] = v, ["Major"] = major, ["Minor"] = minor,
        }, new Dictionary<string, Func<object?[], object?>> { ["String"] = _ => normalized, ["GitVersion"] = _ => v });
        var apiVersions = new GoStruct("common.VersionSet", new Dictionary<string, object?>(),
            new Dictionary<string, Func<object?[], object?>> { ["Has"] = a => DefaultApiVersions.Contains(a.Length > 0 ? a[0] as string ?? "" : "") });
        return new GoStruct("*common.Capabilities", new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["KubeVersion"] = kv,
            ["APIVersions"] = apiVersions,
            ["HelmVersion"] = new GoStruct("version.BuildInfo", new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Version"] = "v3.18.0", ["GitCommit"] = "", ["GitTreeState"] = "", ["GoVersion"] = "", ["KubeClientVersion"] = "",
            }),
        });
    }

    private static readonly FrozenSet<string> DefaultApiVersions = new HashSet<string>(StringComparer.Ordinal)
    {
        "v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1", "autoscaling/v2", "networking.k8s.io/v1",
        "rbac.authorization.k8s.io/v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1",
        "storage.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "scheduling.k8s.io/v1",
        "certificates.k8s.io/v1", "events.k8s.io/v1", "node.k8s.io/v1",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Splits rendered templates into YAML documents (lines starting with "---" separate them),
    /// trims each and drops empty ones. NOTES.txt is skipped.</summary>
    public static IReadOnlyList<RenderedDocument> SplitDocuments(IEnumerable<RenderedTemplate> templates)
    {
        var docs = new List<RenderedDocument>();
        foreach (var t in templates)
        {
            if (t.Path.EndsWith(".txt", StringComparison.Ordinal)) continue;
            foreach (var (d, line) in SplitYamlWithLines(t.Text)) docs.Add(new RenderedDocument(t.Path, d, t.Lines, line));
        }
        return docs;
    }

    /// <summary>Istio's yml.SplitString: split on lines starting with "---", trim each part, drop empty parts.</summary>
    public static List<string> SplitYaml(string text) => SplitYamlWithLines(text).Select(d => d.Yaml).ToList();

    /// <summary><see cref="SplitYaml"/>, with the line of <paramref name="text"/> each document's first line is on.</summary>
    public static List<(string Yaml, int Line)> SplitYamlWithLines(string text)
    {
        // A part is a run of whole lines between separators: its text and the line it starts on.
        var parts = new List<(int Start, int End, int Line)>();
        int pos = 0, line = 1, start = 0, startLine = 1;
        while (pos < text.Length)
        {
            int nl = text.IndexOf('\n', pos);
            if (nl < 0)
            {
                // A final "---" without a newline also ends the document (as a second split pass would).
                parts.Add((start, string.CompareOrdinal(text, pos, "---", 0, 3) != 0 ? text.Length : pos, startLine));
                start = text.Length;
                break;
            }
            if (string.CompareOrdinal(text, pos, "---", 0, 3) == 0)
            {
                parts.Add((start, pos, startLine));
                start = nl + 1;
                startLine = line + 1;
            }
            pos = nl + 1;
            line++;
        }
        if (start < text.Length) parts.Add((start, text.Length, startLine));
        var result = new List<(string, int)>(parts.Count);
        foreach (var (partStart, end, partLine) in parts)
        {
            var part = text.AsSpan(partStart, end - partStart);
            var trimmed = part.Trim();
            if (trimmed.Length == 0) continue;
            var leading = part[..(part.Length - part.TrimStart().Length)];
            result.Add((trimmed.ToString(), partLine + leading.Count('\n')));
        }
        return result;
    }
}
