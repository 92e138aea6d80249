using IstioPS.Rendering.Functions;
using IstioPS.Rendering.Yaml;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>The fast YAML reader must agree with the full reader whenever it accepts a text.</summary>
public class FastYamlReaderTests
{
    private static void AssertSameAsFull(string text, bool mustAccept)
    {
        var full = GoJson.Marshal(GoYaml.ParseAllFull(text));
        bool accepted = FastYamlReader.TryParseAll(text, out var fast);
        if (mustAccept) Assert.True(accepted, "fast reader declined:\n" + text);
        if (accepted) Assert.Equal(full, GoJson.Marshal(fast));
    }

    [Theory]
    [InlineData("a: 1\nb:\n  c: [x, \"y\", 'z']\n  d: {k: v, n: 2}\nl:\n- 1\n- - 2\n  - 3\n- k: v\n  k2: v2\n", true)]
    [InlineData("key: |\n  line1\n\n  line2\nnext: |-\n  x\nkeep: |+\n  y\n\nlast: 1\n", true)]
    [InlineData("s: 'it''s'\nd: \"tab\\tq\\\"\\u00e9\"\nfold: \"a\n  b\n\n  c\"\nsq: 'a\n  b'\n", true)]
    [InlineData("plain: a\n  continued\n\n  para\nafter: x # comment\n# full comment\nempty:\nnull: ~\n", true)]
    [InlineData("--- \na: 1\n---\n# only comment\n---\nb: 2\n...\n", true)]
    [InlineData("\"quoted key\": 1\n'single': 2\n1: one\ntrue: yes\non: off\n", true)]
    [InlineData("a:\n- x\n- y\nb: 2\n", true)]
    [InlineData("lit: |2-\n   leading\n  normal\n", true)]
    [InlineData("anchors: &a {x: 1}\nref: *a\n", false)]
    [InlineData("folded: >\n  a\n  b\n", false)]
    [InlineData("tagged: !!str 1\n", false)]
    [InlineData("esc: \"line \\\n  joined\"\n", true)]
    public void AgreesWithFullReader(string text, bool mustAccept) => AssertSameAsFull(text, mustAccept);

    [SkippableFact]
    public void AgreesOnEveryYamlFileOfTheSharedData()
    {
        Skip.IfNot(Directory.Exists(GoldenData.DataRoot), $"no shared Istio data at {GoldenData.DataRoot}");
        int accepted = 0, files = 0;
        foreach (var f in Directory.EnumerateFiles(GoldenData.DataRoot, "*.yaml", SearchOption.AllDirectories))
        {
            if (f.Contains($"{Path.DirectorySeparatorChar}templates{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            var text = File.ReadAllText(f);
            List<object?> full;
            try { full = GoYaml.ParseAllFull(text); }
            catch (YamlDotNet.Core.YamlException) { continue; }
            files++;
            if (!FastYamlReader.TryParseAll(text, out var fast)) continue;
            accepted++;
            Assert.True(GoJson.Marshal(full) == GoJson.Marshal(fast), "fast and full readers differ on " + f);
        }
        Assert.True(accepted > files / 2, $"fast reader accepted only {accepted} of {files} files");
    }
}
