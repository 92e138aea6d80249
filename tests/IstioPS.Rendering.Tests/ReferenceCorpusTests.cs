using System.Text;
using System.Text.Json;
using IstioPS.Rendering.Helm;
using Xunit;
using Xunit.Abstractions;

namespace IstioPS.Rendering.Tests;

/// <summary>Differential test: every corpus case (Reference/corpus/*.txt) renders exactly as Go's text/template with
/// Sprig 3.3.0 and Helm 4's engine did when Reference/regenerate.sh recorded Reference/expected/corpus.json.</summary>
public class ReferenceCorpusTests
{
    private readonly ITestOutputHelper _output;
    public ReferenceCorpusTests(ITestOutputHelper output) => _output = output;

    internal static string ReferenceDir => Path.Combine(GoldenData.RepoRoot!, "tests", "IstioPS.Rendering.Tests", "Reference");

    internal sealed record Case(string File, string Name, string Template, string? Helpers, string? Values);

    /// <summary>The corpus format (shared with go/main.go): "=== name" starts a case; "--- helpers" and "--- values" start its
    /// optional sections; each section is its lines joined by "\n".</summary>
    internal static List<Case> ParseCorpus(string file, string text)
    {
        var cases = new List<Case>();
        string? name = null, section = null, template = null, helpers = null, values = null;
        var lines = new List<string>();
        void Flush()
        {
            if (name == null) return;
            string body = string.Join("\n", lines);
            if (section == "template") template = body; else if (section == "helpers") helpers = body; else if (section == "values") values = body;
            lines.Clear();
        }
        void Close()
        {
            Flush();
            if (name != null) cases.Add(new Case(file, name, template ?? "", helpers is { Length: > 0 } ? helpers : null, values));
        }
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.StartsWith("=== ", StringComparison.Ordinal))
            {
                Close();
                name = line.Substring(4).Trim(); section = "template"; template = helpers = values = null;
            }
            else if (name != null && line is "--- helpers" or "--- values" or "--- expect") { Flush(); section = line.Substring(4); }
            else if (name != null) lines.Add(line);
        }
        Close();
        return cases;
    }

    internal sealed record Expected(string File, string Name, string? Output, string? Error);

    internal static (string? Output, string? Error) RenderCase(Case c, string defaultValues, string chartYaml, Dictionary<string, string> files)
    {
        var templates = new Dictionary<string, string>(StringComparer.Ordinal) { ["templates/main.yaml"] = c.Template };
        if (c.Helpers != null) templates["templates/_helpers.tpl"] = c.Helpers;
        try
        {
            var values = HelmValues.Parse(c.Values ?? defaultValues, "values.yaml");
            var chart = HelmChart.FromFiles(chartYaml, null, templates, files);
            var rendered = HelmRenderer.Render(chart, values, new HelmReleaseOptions { ReleaseName = "rel", Namespace = "ns" });
            return (rendered.Single(r => r.Path == "t/templates/main.yaml").Text, null);
        }
        catch (RenderException e)
        {
            return (null, e.Message);
        }
        catch (Exception e)
        {
            return (null, "NOT A RENDER ERROR: " + e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>The innermost message: the last line, after Go's "error calling x: " and location prefixes.</summary>
    internal static string Innermost(string error)
    {
        string last = error.Split('\n')[^1].Trim();
        int i = last.LastIndexOf(": ", StringComparison.Ordinal);
        return i >= 0 ? last.Substring(i + 2) : last;
    }

    [Fact]
    public void CorpusRendersAsGoSprigAndHelmDo()
    {
        string dir = Path.Combine(ReferenceDir, "corpus");
        var expected = JsonSerializer.Deserialize<List<Expected>>(File.ReadAllText(Path.Combine(ReferenceDir, "expected", "corpus.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var byKey = expected.ToDictionary(e => (e.File, e.Name));
        string defaults = File.ReadAllText(Path.Combine(dir, "values.yaml"));
        string chartYaml = File.ReadAllText(Path.Combine(dir, "Chart.yaml"));
        var files = Directory.EnumerateFiles(Path.Combine(dir, "files"), "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
        var known = KnownDifferences();
        int total = 0, identical = 0, sameFailure = 0;
        var unexpected = new List<string>();
        var stale = new List<string>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.txt").OrderBy(f => f, StringComparer.Ordinal))
        {
            foreach (var c in ParseCorpus(Path.GetFileName(file), File.ReadAllText(file)))
            {
                total++;
                Assert.True(byKey.TryGetValue((c.File, c.Name), out var want), $"{c.File}/{c.Name} has no recorded outcome: run Reference/regenerate.sh");
                var (output, error) = RenderCase(c, defaults, chartYaml, files);
                // The recorder labels a values failure "values: "; ours names the file and line.
                if (error != null) error = System.Text.RegularExpressions.Regex.Replace(error, @"^values\.yaml(:\d+)?: ", "values: ");
                string? problem = null;
                if (want!.Error == null)
                {
                    if (error != null) problem = $"Go rendered {Show(want.Output)}, we failed: {error}";
                    else if (output != want.Output) problem = $"Go rendered {Show(want.Output)}, we rendered {Show(output)}";
                }
                else if (error == null) problem = $"Go failed ({want.Error}), we rendered {Show(output)}";
                else if (error != want.Error)
                {
                    if (Innermost(error) == Innermost(want.Error))
                    {
                        sameFailure++;
                        _output.WriteLine($"same innermost: {c.File}/{c.Name}:\n  Go: {want.Error}\n  us: {error}");
                    }
                    else problem = $"Go failed with {Show(want.Error)}, we failed with {Show(error)}";
                }
                string key = c.File + "/" + c.Name;
                if (problem == null) { identical++; if (known.ContainsKey(key)) stale.Add(key); }
                else if (!known.ContainsKey(key)) unexpected.Add($"{key}: {problem}");
            }
        }
        _output.WriteLine($"corpus: {identical} of {total} as Go ({identical - sameFailure} exactly, {sameFailure} failing with the same innermost message), {known.Count} known differences");
        Assert.True(total >= expected.Count, "every recorded case is still in the corpus");
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} of {total} cases differ from Go:\n" + string.Join("\n", unexpected));
        Assert.True(stale.Count == 0, "listed as known differences but now identical (remove them): " + string.Join(", ", stale));
    }

    [Fact]
    public void FunctionSignaturesAreGos()
    {
        // GoSignatures.Table (what the executor checks arguments against) is the recorded reflect output, exactly.
        var recorded = File.ReadAllLines(Path.Combine(ReferenceDir, "expected", "signatures.tsv")).Where(l => l.Length > 0).ToList();
        var ours = Functions.GoSignatures.Table.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}\t{string.Join(",", kv.Value.Params)}\t{string.Join(",", kv.Value.Results)}").ToList();
        Assert.Equal(recorded, ours);
        var table = Functions.SprigFunctions.CreateHelmTable();
        var missing = Functions.GoSignatures.Table.Keys.Where(n => !table.Contains(n) && n is not ("env" or "expandenv")).ToList();
        _output.WriteLine($"{Functions.GoSignatures.Table.Count - missing.Count} of {Functions.GoSignatures.Table.Count} Sprig/Helm functions implemented; missing: {string.Join(", ", missing)}");
    }

    /// <summary>Reference/known-differences.txt: "file/case: reason" lines for differences kept on purpose.</summary>
    internal static Dictionary<string, string> KnownDifferences()
    {
        var path = Path.Combine(ReferenceDir, "known-differences.txt");
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return d;
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int i = line.IndexOf(": ", StringComparison.Ordinal);
            d[i < 0 ? line.Trim() : line.Substring(0, i)] = i < 0 ? "" : line.Substring(i + 2);
        }
        return d;
    }

    private static string Show(string? s) => s == null ? "null" : JsonSerializer.Serialize(s);
}
