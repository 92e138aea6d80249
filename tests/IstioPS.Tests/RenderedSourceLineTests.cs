using IstioPS.Engine;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Manifests;
using IstioPS.Engine.Sources;
using Xunit;

namespace IstioPS.Tests;

/// <summary>Objects rendered from Istio's charts remember their template and its line, as a manifest file's do.</summary>
public class RenderedSourceLineTests
{
    /// <summary>The chart folders of a release by chart name (the name Helm prints in "# Source: istiod/templates/...").</summary>
    private static Dictionary<string, string> ChartFolders(string release) =>
        Directory.EnumerateFiles(Path.Combine(release, "manifests", "charts"), "Chart.yaml", SearchOption.AllDirectories)
            .Select(f => (Name: File.ReadLines(f).First(l => l.StartsWith("name:", StringComparison.Ordinal))[5..].Trim(), Folder: Path.GetDirectoryName(f)!))
            .GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First().Folder);

    [SkippableFact]
    public void EveryRenderedObjectIsAtTheTemplateLineThatWroteItsFirstLine()
    {
        var rendered = ReleaseManifests.Render(new ReleaseRenderRequest { ReleasePath = TestData.Release, Profile = "demo" });
        var charts = ChartFolders(TestData.Release);
        Assert.NotEmpty(rendered.Objects);
        foreach (var o in rendered.Objects.Where(o => o.Component != ReleaseManifests.AddonsComponent))
        {
            var chart = o.Source.File[..o.Source.File.IndexOf('/')];
            var template = Path.Combine(charts[chart], o.Source.File[(chart.Length + 1)..]);
            Assert.True(o.Source.Line > 0, $"{o.Kind}/{o.Name} from {o.Source.File} has no line");
            var line = File.ReadLines(template).ElementAt(o.Source.Line - 1);
            // Written as text ("apiVersion: v1") or by an action ({{ toYaml $crd }} for each CRD of crd-all.gen.yaml).
            Assert.True(line.TrimStart().StartsWith("apiVersion:", StringComparison.Ordinal) || line.Contains("{{", StringComparison.Ordinal),
                $"{o.Kind}/{o.Name} is at {o.Source}: '{line}'");
        }

        var istiod = rendered.Objects.Single(o => o.Kind == "Deployment" && o.Name == "istiod");
        Assert.Equal("istiod/templates/deployment.yaml:4", istiod.Source.ToString());
    }

    [SkippableFact]
    public async Task AnInvalidPodLabelFromSetIsRefusedBeforeAnyWriteAtTheTemplateLineThatWroteIt()
    {
        var rendered = ReleaseManifests.Render(new ReleaseRenderRequest
        {
            ReleasePath = TestData.Release, Profile = "default", Set = new[] { "values.pilot.podLabels.tier=not valid!" },
        });
        await using var sim = await Sim.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ex = await Assert.ThrowsAnyAsync<IstioPSException>(() => new Installer(sim.Api).InstallAsync(
            new InstallRequest { Objects = rendered.Objects, ComponentOrder = rendered.ComponentOrder, NoWait = true }, new OperationCallbacks(), timeout.Token));
        Assert.Equal("InvalidLabel", ex.ErrorId);
        var problem = Assert.IsType<ManifestException>(ex is IstioPSAggregateException a ? a.Errors.Single() : ex);
        Assert.Equal("istiod/templates/deployment.yaml", problem.Location.File);
        var line = File.ReadLines(Path.Combine(ChartFolders(TestData.Release)["istiod"], "templates", "deployment.yaml")).ElementAt(problem.Location.Line - 1);
        Assert.Equal("{{ $key }}: \"{{ $val }}\"", line.Trim()); // in the range over .Values.podLabels
        Assert.Contains("for label 'tier' in spec.template.metadata", problem.Message);
        Assert.Empty(sim.Writes());
    }
}
