using IstioPS.Rendering.Helm;
using IstioPS.Rendering.Istio;
using Xunit;
using Xunit.Abstractions;

namespace IstioPS.Rendering.Tests;

/// <summary>Runs every golden case of both sets and prints how many pass; fails if any does.</summary>
public class GoldenSummaryTests
{
    private readonly ITestOutputHelper _output;

    public GoldenSummaryTests(ITestOutputHelper output) => _output = output;

    [SkippableFact]
    public void AllGoldenCasesPass()
    {
        Skip.IfNot(GoldenData.Available, GoldenData.MissingMessage);
        var failures = new List<string>();
        int helmPass = 0, helmTotal = 0, mgPass = 0, mgTotal = 0, compared = 0;
        foreach (var row in GoldenData.CaseNames("helm_render_cases"))
        {
            string desc = (string)row[0];
            helmTotal++;
            try
            {
                var (got, want) = HelmGoldenTests.RenderCase(desc);
                if (got == want) helmPass++; else failures.Add("helm " + desc);
            }
            catch (RenderException e) { failures.Add($"helm {desc}: {e.ErrorId}: {e.Message}"); }
        }
        foreach (var row in GoldenData.CaseNames("manifest_generate_cases"))
        {
            string desc = (string)row[0];
            mgTotal++;
            try
            {
                var problem = ManifestGenerateGoldenTests.CompareCase(desc, out int n);
                compared += n;
                if (problem == null) mgPass++; else failures.Add($"manifest-generate {desc}: {problem}");
            }
            catch (RenderException e) { failures.Add($"manifest-generate {desc}: {e.ErrorId}: {e.Message}"); }
        }
        _output.WriteLine($"helm: {helmPass}/{helmTotal}, manifest-generate: {mgPass}/{mgTotal} ({compared} selected objects compared)");
        foreach (var f in failures) _output.WriteLine(f);
        Assert.Empty(failures);
        Assert.True(helmTotal > 0 && mgTotal > 0, "cases.json lists no cases");
    }
}
