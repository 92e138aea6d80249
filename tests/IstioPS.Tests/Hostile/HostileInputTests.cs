using System.Diagnostics;
using IstioPS.Engine;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Manifests;
using IstioPS.Rendering.Yaml;
using Xunit;
using Xunit.Abstractions;

namespace IstioPS.Tests.Hostile;

public class HostileInputTests
{
    private readonly ITestOutputHelper _output;

    public HostileInputTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Inputs() => HostileInput.All().Select(i => new object[] { i.Name });

    private static HostileInput Input(string name) => HostileInput.All().Single(i => i.Name == name);

    /// <summary>Read and checked on this thread alone, so its allocations are measured exactly.</summary>
    [Theory]
    [MemberData(nameof(Inputs))]
    public void IsRefusedWithItsLineAndBoundedMemory(string name)
    {
        var input = Input(name);
        var file = TestData.WriteTemp(name + ".yaml", input.Text);
        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var (objects, errors) = ManifestReader.ReadFiles(new[] { file });
        errors.AddRange(objects.SelectMany(ObjectValidator.ProblemsOf));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _output.WriteLine($"{name}: {input.Text.Length} chars, {clock.ElapsedMilliseconds} ms, {allocated / (1024 * 1024)} MiB allocated: {string.Join(" | ", errors.Select(e => e.Message))}");

        var error = Assert.Single(errors);
        Assert.Equal(input.ErrorId, error.ErrorId);
        Assert.Equal(input.Line, error.Location.Line);
        Assert.StartsWith($"{file}:{input.Line}: ", error.Message);
        // Bounded: a small multiple of the input (UTF-16 text, its lines, the parsed tree), never the expansion.
        Assert.True(allocated < (40L * input.Text.Length) + (64L << 20), $"{allocated} bytes allocated for {input.Text.Length} chars");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task InstallWritesNothing(string name)
    {
        var input = Input(name);
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp(name + ".yaml", input.Text);
        var ex = await Assert.ThrowsAnyAsync<IstioPSException>(() =>
            sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, Namespace = "apps" }));
        Assert.Equal(input.ErrorId, ex.ErrorId);
        Assert.Contains($"{file}:{input.Line}: ", ex.Message);
        Assert.Contains("nothing was written", ex.Message);
        Assert.Empty(sim.Writes());
    }

    [Fact]
    public void EveryProblemOfAMultiDocumentFileIsReportedAtOnce()
    {
        var yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: first
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: second
              labels:
                app: "not valid!"
                example.com/tier/x: web
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: third
              annotations:
                "-bad-": "y"
            data:
              "bad key": x
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: Fourth
            """;
        var file = TestData.WriteTemp("multi.yaml", yaml);
        var (objects, errors) = ManifestReader.ReadFiles(new[] { file });
        Assert.Empty(errors);
        var problems = objects.SelectMany(o => ObjectValidator.CheckObject(o.Body).Select(p => (o.LocationOf(p.Path).Line, p.ErrorId, p.Message))).ToList();
        // Each problem at the line of the key it is about, not the document's first line.
        Assert.Equal(new[] { (11, "InvalidLabel"), (12, "InvalidLabel"), (19, "InvalidAnnotation"), (21, "InvalidDataKey"), (26, "InvalidName") },
            problems.Select(p => (p.Line, p.ErrorId)).OrderBy(p => p.Line).ToArray());
        Assert.Contains(problems, p => p.Message.Contains("'not valid!' for label 'app'"));
        Assert.Contains(problems, p => p.Message.Contains("'example.com/tier/x'") && p.Message.Contains("at most one '/'"));
    }

    [Fact]
    public void ProblemsInsideAListAreReportedAtTheLineOfTheirKey()
    {
        // A List (and a flow mapping) takes the full reader: its lines come from the parsed nodes.
        var yaml = "# header\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n    labels: {ok: fine,\n      bad: \"no good\"}\n";
        var file = TestData.WriteTemp("list.yaml", yaml);
        var (objects, errors) = ManifestReader.ReadFiles(new[] { file });
        Assert.Empty(errors);
        Assert.Equal(new[] { 5, 9 }, objects.Select(o => o.Source.Line));
        var problem = Assert.Single(objects.SelectMany(o => ObjectValidator.CheckObject(o.Body).Select(p => o.LocationOf(p.Path))));
        Assert.Equal(14, problem.Line);
        // A path that is not in the document: the object's own line.
        Assert.Equal(9, objects[1].LocationOf(new[] { "spec", "nothing" }).Line);
    }

    [Fact]
    public async Task InstallReportsEveryProblemAndWritesNothing()
    {
        await using var sim = await Sim.StartAsync();
        var docs = Enumerable.Range(0, 9).Select(i => $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\n  labels:\n    n: \"{(i is 3 or 6 ? "bad value" : "v" + i)}\"\n");
        var file = TestData.WriteTemp("middle.yaml", string.Join("---\n", docs));
        var ex = await Assert.ThrowsAsync<IstioPSAggregateException>(() =>
            sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, Namespace = "apps" }));
        Assert.Equal("ManifestInvalid", ex.ErrorId);
        // The line of the bad label in documents 4 and 7 (each document is 6 lines and a separator). Its key `n` is
        // YAML 1.1's false, as kubectl reads it, and is found all the same.
        Assert.Equal(new[] { 27, 48 }, ex.Errors.Select(e => ((ManifestException)e).Location.Line).ToArray());
        Assert.All(ex.Errors, e => Assert.Equal(file, ((ManifestException)e).Location.File));
        Assert.Empty(sim.Writes());
    }

    [Fact]
    public void AcceptsAliasesAndNestingWithinTheLimits()
    {
        // An anchor used a few times and a merge key, as real manifests do, and nesting at the limit.
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  labels: &l {app: web}\n  annotations: *l\nbase: &base {a: 1, b: 2}\nmerged:\n  <<: *base\n  c: 3\n---\n"
            + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nd: " + new string('[', YamlBudget.MaxDepth - 1) + new string(']', YamlBudget.MaxDepth - 1) + "\n";
        var (objects, errors) = ManifestReader.ReadFiles(new[] { TestData.WriteTemp("ok.yaml", yaml) });
        Assert.Empty(errors);
        Assert.Equal("web", (string?)objects[0].Body["metadata"]!["annotations"]!["app"]);
        Assert.Equal(3L, (long)objects[0].Body["merged"]!["c"]!);
        Assert.Equal(1L, (long)objects[0].Body["merged"]!["a"]!);
        Assert.Empty(objects.SelectMany(o => ObjectValidator.CheckObject(o.Body)));
        Assert.InRange(ObjectValidator.JsonSize(objects[1].Body), 2 * (YamlBudget.MaxDepth - 1), 4 * YamlBudget.MaxDepth);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")] // the quick reader
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n a\n  labels: {x: *n}\n")] // the full reader (anchors)
    public void ParsingNoticesCancellation(string yaml)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var file = TestData.WriteTemp("c.yaml", string.Concat(Enumerable.Repeat(yaml + "---\n", 100)));
        Assert.ThrowsAny<OperationCanceledException>(() => ManifestReader.ReadFiles(new[] { file }, ct: cts.Token));
    }

    [Fact]
    public void GoYamlValuesAreBoundedToo()
    {
        var bomb = Input("alias-bomb-9x9").Text;
        var ex = Assert.Throws<YamlLimitException>(() => GoYaml.ParseAll(bomb));
        Assert.Equal("YamlExcessiveAliasing", ex.ErrorId);
        var deep = Assert.Throws<YamlLimitException>(() => GoYaml.ParseAll(new string('[', 20_000) + new string(']', 20_000)));
        Assert.Equal("YamlTooDeep", deep.ErrorId);
    }

    [Theory]
    [InlineData(1000, 0.99)]
    [InlineData(400_000, 0.99)]
    [InlineData(2_200_000, 0.545)]
    [InlineData(4_000_000, 0.10)]
    [InlineData(40_000_000, 0.10)]
    public void AliasRatioFollowsGoYaml(long decoded, double allowed)
        => Assert.Equal(allowed, YamlBudget.AllowedAliasRatio(decoded), 3);
}
