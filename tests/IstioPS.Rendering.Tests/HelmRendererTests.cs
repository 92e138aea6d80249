using IstioPS.Rendering.Helm;
using IstioPS.Rendering.Yaml;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>A throwaway chart folder.</summary>
internal sealed class TempChart : IDisposable
{
    public TempChart(string name, string values, params (string Path, string Text)[] files)
    {
        Dir = Path.Combine(Path.GetTempPath(), "istiops-chart-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        File.WriteAllText(Path.Combine(Dir, "Chart.yaml"), $"apiVersion: v2\nname: {name}\nversion: 1.2.3\nappVersion: 4.5.6\n");
        File.WriteAllText(Path.Combine(Dir, "values.yaml"), values);
        foreach (var (p, t) in files)
        {
            string full = Path.Combine(Dir, p);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, t);
        }
    }

    public string Dir { get; }

    public HelmChart Load() => HelmChart.LoadUncached(Dir);

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

public class HelmRendererTests
{
    private static string Text(IReadOnlyList<RenderedTemplate> r, string path) => r.Single(t => t.Path == path).Text;

    [Fact]
    public void BuiltInObjectsAndNoValueRemoval()
    {
        using var chart = new TempChart("demo", "a: 1\n",
            ("templates/cm.yaml", "r: {{ .Release.Name }}/{{ .Release.Namespace }}/{{ .Release.Service }}/{{ .Release.IsInstall }}/{{ .Release.IsUpgrade }}\n" +
                                  "c: {{ .Chart.Name }}-{{ .Chart.Version }}-{{ .Chart.AppVersion }}\nk: {{ .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.KubeVersion.Minor }}\n" +
                                  "t: {{ .Template.Name }} {{ .Template.BasePath }}\nm: [{{ .Values.missing }}]\nf: {{ .Files.Get \"files/x.txt\" }}[{{ .Files.Get \"nope\" }}]"),
            ("files/x.txt", "file-content"));
        var r = HelmRenderer.Render(chart.Load(), null, new HelmReleaseOptions { ReleaseName = "rel", Namespace = "ns", IsUpgrade = true });
        Assert.Equal("r: rel/ns/Helm/false/true\nc: demo-1.2.3-4.5.6\nk: v1.32.0 32\nt: demo/templates/cm.yaml demo/templates\nm: []\nf: file-content[]",
            Text(r, "demo/templates/cm.yaml"));
    }

    [Fact]
    public void RenderOrderLetsZzzProfileRewriteValuesFirstAndLastDefineWins()
    {
        using var chart = new TempChart("ord", "x: orig\n",
            ("templates/zzz_profile.yaml", "{{- $_ := set $ \"Values\" (dict \"x\" \"rewritten\") }}"),
            ("templates/a.yaml", "a: {{ .Values.x }} {{ include \"h\" . }}"),
            ("templates/sub/deep.yaml", "deep: {{ .Values.x }}"),
            ("templates/_b.tpl", "{{ define \"h\" }}from-b{{ end }}"),
            ("templates/_a.tpl", "{{ define \"h\" }}from-a{{ end }}"));
        var loaded = chart.Load();
        Assert.Equal(new[] { "ord/templates/sub/deep.yaml", "ord/templates/zzz_profile.yaml", "ord/templates/a.yaml", "ord/templates/_b.tpl", "ord/templates/_a.tpl" },
            loaded.TemplateOrder());
        var r = HelmRenderer.Render(loaded, null, new HelmReleaseOptions());
        Assert.Equal("deep: orig", Text(r, "ord/templates/sub/deep.yaml"));
        Assert.Equal("a: rewritten from-a", Text(r, "ord/templates/a.yaml"));
        Assert.DoesNotContain(r, t => t.Path.EndsWith(".tpl", StringComparison.Ordinal));
        Assert.Equal(r.Select(t => t.Path).OrderBy(p => p, StringComparer.Ordinal), r.Select(t => t.Path));
    }

    [Fact]
    public void FilesHelpers()
    {
        using var chart = new TempChart("files", "",
            ("templates/cm.yaml", "{{ range $path, $_ := .Files.Glob \"conf/*.txt\" }}{{ $path }};{{ end }}\n{{ (.Files.Glob \"conf/*\").AsConfig }}\n{{ range .Files.Lines \"conf/a.txt\" }}[{{ . }}]{{ end }}"),
            ("conf/a.txt", "l1\nl2"), ("conf/b.txt", "B"), ("conf/c.yaml", "k: v"));
        var text = HelmRenderer.Render(chart.Load(), null, new HelmReleaseOptions()).Single().Text;
        Assert.Equal("conf/a.txt;conf/b.txt;\na.txt: |-\n  l1\n  l2\nb.txt: B\nc.yaml: 'k: v'\n[l1][l2]", text);
    }

    [Fact]
    public void LoadReusesParsedChartsUntilAFileChanges()
    {
        using var chart = new TempChart("cache", "", ("templates/a.yaml", "v1"));
        var cache = new RenderCache();
        var first = HelmChart.Load(chart.Dir, cache);
        Assert.Same(first, HelmChart.Load(chart.Dir, cache));
        Assert.NotSame(first, HelmChart.Load(chart.Dir)); // no cache, nothing remembered
        Assert.NotSame(first, HelmChart.Load(chart.Dir, new RenderCache()));
        File.WriteAllText(Path.Combine(chart.Dir, "templates", "a.yaml"), "version2");
        var second = HelmChart.Load(chart.Dir, cache);
        Assert.NotSame(first, second);
        Assert.Equal("version2", HelmRenderer.Render(second, null, new HelmReleaseOptions()).Single().Text);
    }

    [Fact]
    public void CoalesceUserValuesOverDefaultsAndNullDeletes()
    {
        var defaults = GoYaml.ParseMap("a: 1\nb: {c: 2, d: 3}\ne: keep\nl: [1, 2]\n");
        var user = GoYaml.ParseMap("b: {c: 20, d: null}\ne: null\nl: [9]\nnew: x\n");
        var v = HelmValues.Coalesce(defaults, user);
        Assert.Equal("{\"a\":1,\"b\":{\"c\":20},\"l\":[9],\"new\":\"x\"}", Functions.GoJson.Marshal(v));
        Assert.Equal("keep", defaults["e"]);
    }

    [Fact]
    public void SetStringsFollowHelmStrvals()
    {
        var v = HelmValues.Combine(new[] { GoYaml.ParseMap("a: {keep: 1}") },
            new[] { "a.b=1,c=true,d={x,y}", "e[1].f=g", "h=0,i=007,j=null,k=a\\,b", "a.z=-5" });
        Assert.Equal("{\"a\":{\"b\":1,\"keep\":1,\"z\":-5},\"c\":true,\"d\":[\"x\",\"y\"],\"e\":[null,{\"f\":\"g\"}],\"h\":0,\"i\":\"007\",\"j\":null,\"k\":\"a,b\"}",
            Functions.GoJson.Marshal(v));
        var e = Assert.Throws<RenderException>(() => HelmValues.Combine(Array.Empty<IDictionary<string, object?>>(), new[] { "novalue" }));
        Assert.Equal(RenderErrorIds.InvalidSetValue, e.ErrorId);
    }

    [Fact]
    public void SplitDocumentsDropsEmptyOnesAndNotes()
    {
        var docs = HelmRenderer.SplitDocuments(new[]
        {
            new RenderedTemplate("c/templates/a.yaml", "\n---\na: 1\n---\n\n---\nb: 2\n---"),
            new RenderedTemplate("c/templates/NOTES.txt", "notes"),
        });
        Assert.Equal(new[] { "a: 1", "b: 2" }, docs.Select(d => d.Yaml));
        Assert.All(docs, d => Assert.Equal("c/templates/a.yaml", d.SourceTemplate));
    }

    [Fact]
    public void ErrorsNameTheTemplateFileAndLine()
    {
        using var bad = new TempChart("bad", "", ("templates/deployment.yaml", "a: 1\nb: {{ foo . }}\n"));
        var e = Assert.Throws<RenderException>(() => HelmRenderer.Render(bad.Load(), null, new HelmReleaseOptions()));
        Assert.Equal(RenderErrorIds.UnknownFunction, e.ErrorId);
        Assert.Equal("parse error at (bad/templates/deployment.yaml:2): function \"foo\" not defined", e.Message);
        Assert.Equal("bad/templates/deployment.yaml", e.File);
        Assert.Equal(2, e.Line);

        using var req = new TempChart("req", "", ("templates/x.yaml", "\n\nv: {{ required \"image.tag is required\" .Values.image }}"));
        var r = Assert.Throws<RenderException>(() => HelmRenderer.Render(req.Load(), null, new HelmReleaseOptions()));
        Assert.Equal(RenderErrorIds.RequiredValueMissing, r.ErrorId);
        Assert.Equal("execution error at (req/templates/x.yaml:3:6): image.tag is required", r.Message);

        var missing = Assert.Throws<RenderException>(() => HelmChart.Load(Path.Combine(Path.GetTempPath(), "no-such-chart-" + Guid.NewGuid())));
        Assert.Equal(RenderErrorIds.ChartNotFound, missing.ErrorId);

        using var badValues = new TempChart("bv", "ok: 1\na: [unclosed\n");
        var v = Assert.Throws<RenderException>(() => badValues.Load());
        Assert.Equal(RenderErrorIds.ValuesFileInvalid, v.ErrorId);
        Assert.EndsWith("values.yaml", v.File);
        Assert.NotNull(v.Line);
    }
}
