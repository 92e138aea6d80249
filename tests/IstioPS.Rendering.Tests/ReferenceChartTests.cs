using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IstioPS.Rendering.Functions;
using IstioPS.Rendering.Helm;
using IstioPS.Rendering.Yaml;
using Xunit;
using Xunit.Abstractions;

namespace IstioPS.Rendering.Tests;

/// <summary>Differential test over Istio's own charts: seeded random values (recorded with what Go's text/template,
/// Sprig and Helm 4's engine rendered from them in Reference/expected/charts.json) render to the same objects here,
/// compared object by object (kind/namespace/name and a hash of the object's canonical JSON), or fail alike.</summary>
public class ReferenceChartTests
{
    private readonly ITestOutputHelper _output;
    public ReferenceChartTests(ITestOutputHelper output) => _output = output;

    internal sealed record RecordedObject(string Template, string Id, string Hash);
    internal sealed record RecordedRun(string Chart, int Seed, string Values, List<RecordedObject>? Objects, string? Error);

    [SkippableFact]
    public void SeededValuesRenderIstioChartsAsHelmDoes()
    {
        string release = Path.Combine(GoldenData.DataRoot, "releases", "istio-1.30.3");
        Skip.IfNot(Directory.Exists(release), $"Istio release data not found at {release} (set ISTIOPS_ISTIO_DATA)");
        var runs = JsonSerializer.Deserialize<List<RecordedRun>>(File.ReadAllText(Path.Combine(ReferenceCorpusTests.ReferenceDir, "expected", "charts.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var known = ReferenceCorpusTests.KnownDifferences();
        int identical = 0, sameFailure = 0;
        var unexpected = new List<string>();
        var stale = new List<string>();
        var perChart = new SortedDictionary<string, (int Same, int Total)>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            var chart = HelmChart.LoadUncached(Path.Combine(release, "manifests", "charts", run.Chart));
            string key = $"charts/{run.Chart}#{run.Seed}";
            string? problem = null;
            List<RecordedObject>? ours = null;
            string? error = null;
            try
            {
                var values = HelmValues.Parse(run.Values, "values.json");
                var rendered = HelmRenderer.Render(chart, values, new HelmReleaseOptions { ReleaseName = "istio", Namespace = "istio-system" });
                ours = Objects(rendered);
            }
            catch (RenderException e) { error = e.Message; }
            if (run.Error != null)
            {
                if (error == null) problem = $"Go failed ({run.Error}), we rendered";
                else if (error == run.Error) { }
                else if (ReferenceCorpusTests.Innermost(error) == ReferenceCorpusTests.Innermost(run.Error)) sameFailure++;
                else problem = $"Go failed with {run.Error}\n   we failed with {error}";
            }
            else if (error != null) problem = $"Go rendered, we failed: {error}";
            else
            {
                var want = run.Objects ?? new List<RecordedObject>();
                var diff = want.Zip(ours!).Where(p => p.First != p.Second).Select(p => $"{p.First.Template} {p.First.Id} (ours {p.Second.Id})").ToList();
                if (want.Count != ours!.Count) problem = $"Go rendered {want.Count} objects, we {ours.Count}: {string.Join(", ", want.Select(o => o.Id).Except(ours.Select(o => o.Id)).Concat(ours.Select(o => o.Id).Except(want.Select(o => o.Id))).Take(5))}";
                else if (diff.Count > 0) problem = $"{diff.Count} of {want.Count} objects differ: {string.Join("; ", diff.Take(3))}";
            }
            var (same, total) = perChart.GetValueOrDefault(run.Chart);
            perChart[run.Chart] = (same + (problem == null ? 1 : 0), total + 1);
            if (problem == null) { identical++; if (known.ContainsKey(key)) stale.Add(key); }
            else if (!known.ContainsKey(key)) unexpected.Add($"{key}: {problem}");
        }
        _output.WriteLine($"charts: {identical} of {runs.Count} seeded renders identical ({sameFailure} fail with the same innermost message): " +
                          string.Join(", ", perChart.Select(kv => $"{kv.Key} {kv.Value.Same}/{kv.Value.Total}")));
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} of {runs.Count} seeded renders differ from Helm:\n" + string.Join("\n", unexpected));
        Assert.True(stale.Count == 0, "listed as known differences but now identical (remove them): " + string.Join(", ", stale));
    }

    /// <summary>The recorder's view of a render: documents split at lines starting with "---", parsed, identified and hashed.</summary>
    private static List<RecordedObject> Objects(IReadOnlyList<RenderedTemplate> rendered)
    {
        var result = new List<RecordedObject>();
        foreach (var doc in HelmRenderer.SplitDocuments(rendered))
        {
            object? obj;
            try { obj = GoYaml.Parse(doc.Yaml); }
            catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException)
            {
                result.Add(new RecordedObject(doc.SourceTemplate, "unparsable", "error"));
                continue;
            }
            if (obj == null) continue;
            string id = "?";
            if (obj is IDictionary<string, object?> m)
            {
                var meta = m.TryGetValue("metadata", out var md) ? md as IDictionary<string, object?> : null;
                string F(IDictionary<string, object?>? d, string k) => d != null && d.TryGetValue(k, out var v) ? GoTemplate.GoFormat.ToString(v) : "<nil>";
                id = $"{F(m, "kind")}/{F(meta, "namespace")}/{F(meta, "name")}";
            }
            string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(GoJson.Marshal(obj)))).ToLowerInvariant();
            result.Add(new RecordedObject(doc.SourceTemplate, id, hash));
        }
        return result;
    }
}
