using IstioPS.Rendering.Helm;
using IstioPS.Rendering.Istio;
using IstioPS.Rendering.Yaml;
using Xunit;
using Xunit.Abstractions;

namespace IstioPS.Rendering.Tests;

/// <summary>Each helm_render_cases entry of cases.json: raw Helm output, byte for byte per selected object.</summary>
public class HelmGoldenTests : GoldenCaseTests
{
    public HelmGoldenTests(ITestOutputHelper output) : base(output) { }

    public static IEnumerable<object[]> Cases() => GoldenData.CaseNames("helm_render_cases");

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void HelmCaseMatchesGolden(string desc) => Check(desc, d =>
    {
        var (got, want) = RenderCase(d);
        return got == want ? null : TextDiff.First(got, want);
    });

    /// <summary>Renders one case and returns (got, want).</summary>
    public static (string Got, string Want) RenderCase(string desc)
    {
        var c = GoldenData.Case("helm_render_cases", desc);
        string chartDir = Path.Combine(GoldenData.DataRoot, GoldenData.Str(c, "chartsRoot")!);
        var input = GoYaml.Parse(File.ReadAllText(Path.Combine(GoldenData.GoldensRoot, GoldenData.Str(c, "input")!)));
        IDictionary<string, object?>? values = null;
        if (input is IDictionary<string, object?> m && m.TryGetValue("spec", out var spec) && spec is IDictionary<string, object?> sm &&
            sm.TryGetValue("values", out var v) && v is IDictionary<string, object?> vm)
            values = vm;
        var release = new HelmReleaseOptions
        {
            ReleaseName = GoldenData.Str(c, "releaseName")!,
            Namespace = GoldenData.Str(c, "namespace")!,
            IsUpgrade = c.GetProperty("isUpgrade").GetBoolean(),
        };
        var rendered = HelmRenderer.Render(HelmChart.Load(chartDir), values, release);
        string? diffSelect = GoldenData.Str(c, "diffSelect");
        var selected = new List<string>();
        foreach (var doc in HelmRenderer.SplitDocuments(rendered))
        {
            if (!ObjectIdentity.TryParse(doc.Yaml, out var id, out _)) continue;
            if (ObjectSelector.Matches(diffSelect, id.Hash)) selected.Add(doc.Yaml);
        }
        string got = string.Join("\n---\n", selected) + "\n";
        string want = File.ReadAllText(Path.Combine(GoldenData.GoldensRoot, GoldenData.Str(c, "output")!));
        return (got, want);
    }
}

internal static class TextDiff
{
    /// <summary>A short description of the first differing line.</summary>
    public static string First(string got, string want)
    {
        var g = got.Split('\n');
        var w = want.Split('\n');
        for (int i = 0; i < Math.Max(g.Length, w.Length); i++)
        {
            string gl = i < g.Length ? g[i] : "<eof>";
            string wl = i < w.Length ? w[i] : "<eof>";
            if (gl != wl) return $"first difference at line {i + 1}:\n  got:  {gl}\n  want: {wl}";
        }
        return "no difference";
    }
}
