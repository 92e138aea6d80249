using IstioPS.Rendering.Functions;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Yaml;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>Sprig/Helm functions with Go's exact output.</summary>
public class FunctionTests
{
    [Theory]
    [InlineData("yes", "a: \"yes\"")]
    [InlineData("on", "a: \"on\"")]
    [InlineData("Y", "a: \"Y\"")]
    [InlineData("True", "a: \"True\"")]
    [InlineData("null", "a: \"null\"")]
    [InlineData("~", "a: \"~\"")]
    [InlineData("", "a: \"\"")]
    [InlineData("1", "a: \"1\"")]
    [InlineData("1.0", "a: \"1.0\"")]
    [InlineData(".5", "a: \".5\"")]
    [InlineData("1e3", "a: \"1e3\"")]
    [InlineData("0x1F", "a: \"0x1F\"")]
    [InlineData("1:20", "a: \"1:20\"")]
    [InlineData("2024-01-02", "a: \"2024-01-02\"")]
    [InlineData("hello world", "a: hello world")]
    [InlineData("a: b", "a: 'a: b'")]
    [InlineData("- x", "a: '- x'")]
    [InlineData("#x", "a: '#x'")]
    [InlineData("x #y", "a: 'x #y'")]
    [InlineData("x#y", "a: x#y")]
    [InlineData(" lead", "a: ' lead'")]
    [InlineData("trail ", "a: 'trail '")]
    [InlineData("it's", "a: it's")]
    [InlineData("'q'", "a: '''q'''")]
    [InlineData("*star", "a: '*star'")]
    [InlineData("a\tb", "a: \"a\\tb\"")]
    [InlineData("a\nb", "a: |-\n  a\n  b")]
    [InlineData("a\nb\n", "a: |\n  a\n  b")]
    [InlineData("a\n\n", "a: |+\n  a\n")]
    [InlineData(" a\nb", "a: |2-\n   a\n  b")]
    [InlineData("a \nb", "a: \"a \\nb\"")]
    [InlineData("ü", "a: ü")]
    [InlineData("/dev/stdout", "a: /dev/stdout")]
    [InlineData("{x}", "a: '{x}'")]
    [InlineData("x: ", "a: 'x: '")]
    public void ToYamlQuotesStringsLikeGoyamlV2(string value, string expected) =>
        Assert.Equal(expected, T.RenderData("{{ toYaml . }}", T.Map(("a", value))));

    [Fact]
    public void ToYamlNumbersAndCollections()
    {
        var data = GoYaml.Parse("i: 3\nbig: 1000000\nf: 1.5\nhuge: 1e21\ntiny: 0.000001\nb: true\nnil: null\nl: [1, {k2: 2, k1: 1}]\ne: {}\nel: []\nnested: {k: [a, b]}");
        string expected = "b: true\nbig: 1000000\ne: {}\nel: []\nf: 1.5\nhuge: 1e+21\ni: 3\nl:\n- 1\n- k1: 1\n  k2: 2\nnested:\n  k:\n  - a\n  - b\nnil: null\ntiny: 1e-06";
        Assert.Equal(expected, T.RenderData("{{ toYaml . }}", data));
        // Keys that would resolve to another type are quoted too (a plain "y" key reads back as the bool true).
        Assert.Equal("\"on\": x\n\"y\": 2", T.RenderData("{{ toYaml . }}", T.Map(("y", 2L), ("on", "x"))));
        Assert.Equal("- a\n- - b\n  - c", T.RenderData("{{ toYaml . }}", new List<object?> { "a", new List<object?> { "b", "c" } }));
        Assert.Equal("null", T.RenderData("{{ toYaml .x }}", T.Map(("x", null))));
        Assert.Equal("plain", T.RenderData("{{ toYaml . }}", "plain"));
        Assert.Equal("5", T.Render("{{ toYaml 5 }}"));
    }

    [Fact]
    public void ToYamlOrdersKeysLikeGoyamlV2()
    {
        var m = T.Map(("jwksUri", 1L), ("jwks_uri", 2L), ("a10", 3L), ("a2", 4L), ("app", 5L), ("app.kubernetes.io/name", 6L), ("B", 7L), ("a", 8L));
        Assert.Equal("B: 7\na: 8\na2: 4\na10: 3\napp: 5\napp.kubernetes.io/name: 6\njwks_uri: 2\njwksUri: 1", T.RenderData("{{ toYaml . }}", m));
        // range and JSON keep Go's byte order.
        Assert.Equal("B a a10 a2 app app.kubernetes.io/name jwksUri jwks_uri ", T.RenderData("{{ range $k, $v := . }}{{ $k }} {{ end }}", m));
    }

    [Fact]
    public void ToYamlWrapsLongPlainStringsAt80Columns()
    {
        string words = string.Join(" ", Enumerable.Repeat("word", 30));
        string yaml = T.RenderData("{{ toYaml . }}", T.Map(("description", words)));
        var lines = yaml.Split('\n');
        Assert.True(lines.Length > 1);
        Assert.StartsWith("  word", lines[1]);
        Assert.Equal(words, ((Dictionary<string, object?>)GoYaml.Parse(yaml)!)["description"]);
    }

    [Theory]
    [InlineData("{{ toPrettyJson (dict \"a\" \"<b>&\" \"n\" 1.5 \"l\" (list 1 true nil) \"e\" (dict)) }}",
        "{\n  \"a\": \"\\u003cb\\u003e\\u0026\",\n  \"e\": {},\n  \"l\": [\n    1,\n    true,\n    null\n  ],\n  \"n\": 1.5\n}")]
    [InlineData("{{ toJson (dict \"s\" \"tab\\t\\u2028\" \"f\" 1e21 \"g\" 1e-7 \"h\" 100.0 \"i\" 0.5) }}",
        "{\"f\":1e+21,\"g\":1e-7,\"h\":100,\"i\":0.5,\"s\":\"tab\\t\\u2028\"}")]
    [InlineData("{{ toJson (list) }}", "[]")]
    public void JsonMatchesGoEncoder(string template, string expected) => Assert.Equal(expected, T.Render(template));

    [Theory]
    [InlineData("{{ quote \"a\\\"b\" 1 nil }}", "\"a\\\"b\" \"1\"")]
    [InlineData("{{ squote \"a\" }}", "'a'")]
    [InlineData("{{ int \"42\" }} {{ int 3.9 }} {{ int \"abc\" }} {{ int \"0x10\" }} {{ int \"5.0\" }} {{ int nil }}", "42 3 0 16 5 0")]
    [InlineData("{{ default \"x\" \"\" }} {{ default \"x\" 0 }} {{ default \"x\" false }} {{ \"y\" | default \"x\" }} {{ .missing | default \"d\" }}", "x x x y d")]
    [InlineData("{{ default \"x\" (list) }} {{ default \"x\" (dict) }} {{ default \"x\" 0.0 }}", "x x x")]
    [InlineData("{{ ternary \"a\" \"b\" true }} {{ ternary \"a\" \"b\" false }}", "a b")]
    [InlineData("{{ coalesce \"\" 0 nil \"z\" \"w\" }}", "z")]
    [InlineData("{{ trunc 3 \"abcdef\" }} {{ trunc -2 \"abcdef\" }} {{ trunc 10 \"ab\" }}", "abc ef ab")]
    [InlineData("{{ trimSuffix \"-\" \"ab-\" }} {{ trimPrefix \"a\" \"aab\" }} {{ trim \"  x \\n\" }}", "ab ab x")]
    [InlineData("{{ replace \"+\" \"_\" \"1.0+rc+1\" }}", "1.0_rc_1")]
    [InlineData("{{ $s := split \",\" \"a,b\" }}{{ $s._0 }}{{ $s._1 }}", "ab")]
    [InlineData("{{ splitList \",\" \"a,,b\" | len }}", "3")]
    [InlineData("{{ contains \"b\" \"abc\" }} {{ regexMatch \"^[a-z]+$\" \"abc\" }} {{ regexMatch \"^[a-z]+$\" \"ab1\" }}", "true true false")]
    [InlineData("{{ repeat 3 \"ab\" }}", "ababab")]
    [InlineData("{{ cat \"a\" nil 1 \"b\" }}", "a 1 b")]
    [InlineData("{{ toString nil }} {{ toString 1.5 }} {{ toString true }}", "<nil> 1.5 true")]
    [InlineData("{{ indent 2 \"a\\nb\" }}|{{ nindent 2 \"a\" }}", "  a\n  b|\n  a")]
    [InlineData("{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $_ := unset $d \"a\" }}{{ toJson $d }} {{ hasKey $d \"b\" }}", "{\"b\":2} true")]
    [InlineData("{{ toJson (pick (dict \"a\" 1 \"b\" 2 \"c\" 3) \"a\" \"c\" \"z\") }}", "{\"a\":1,\"c\":3}")]
    [InlineData("{{ dig \"a\" \"b\" \"def\" (dict \"a\" (dict \"b\" \"found\")) }} {{ dig \"a\" \"x\" \"def\" (dict \"a\" (dict)) }}", "found def")]
    [InlineData("{{ has 2 (list 1 2) }} {{ has \"2\" (list 1 2) }} {{ has 1 nil }}", "true false false")]
    [InlineData("{{ dict \"odd\" }}", "map[odd:]")]
    [InlineData("{{ len (list 1 \"a\") }} {{ list 1 \"a\" }}", "2 [1 a]")]
    [InlineData("{{ tpl \"{{ .x }}-{{ .y }}\" (dict \"x\" \"X\") }}", "X-")]
    [InlineData("{{ define \"h\" }}k: {{ . }}{{ end }}a:{{ include \"h\" \"v\" | nindent 2 }}", "a:\n  k: v")]
    [InlineData("{{ semverCompare \">=1.21-0\" \"v1.32.0\" }} {{ semverCompare \"<1.20\" \"1.32.0\" }} {{ semverCompare \"~1.32\" \"1.32.5\" }} {{ semverCompare \"^1.2 || 2.x\" \"2.1.0\" }} {{ semverCompare \">=1.21\" \"1.30.0-rc.1\" }}", "true false true true false")]
    [InlineData("{{ (semver \"v1.32.1-gke.5\").Minor }}", "32")]
    [InlineData("{{ get (dict \"a\" 1) \"a\" }}|{{ get (dict) \"a\" }}|{{ pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3) }}", "1||[1 3]")]
    [InlineData("{{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }} {{ reverse (list 1 2 3) }} {{ substr 1 3 \"hello\" }} {{ nospace \" a b \" }}", "[2 3] [1 2] [3 2 1] el ab")]
    public void SprigAndHelmFunctions(string template, string expected) => Assert.Equal(expected, T.Render(template));

    [Fact]
    public void MergeFollowsMergo()
    {
        var dst = GoYaml.Parse("a: true\nb: {x: 1, w: 2}\nl: [1]\ns: keep\nempty: ''")!;
        var src = GoYaml.Parse("a: false\nb: {w: 3, z: 4}\nl: [2, 3]\ns: null\nempty: filled\nnew: {k: v}")!;
        Assert.Equal("{\"a\":false,\"b\":{\"w\":3,\"x\":1,\"z\":4},\"empty\":\"filled\",\"l\":[2,3],\"new\":{\"k\":\"v\"},\"s\":null}",
            T.RenderData("{{ toJson (mergeOverwrite (deepCopy .d) .s) }}", T.Map(("d", dst), ("s", src))));
        Assert.Equal("{\"a\":true,\"b\":{\"w\":2,\"x\":1,\"z\":4},\"empty\":\"filled\",\"l\":[1],\"new\":{\"k\":\"v\"},\"s\":\"keep\"}",
            T.RenderData("{{ toJson (merge (deepCopy .d) .s) }}", T.Map(("d", dst), ("s", src))));
        // The destination is modified in place and returned.
        Assert.Equal("2", T.Render("{{ $d := dict \"a\" 1 }}{{ $_ := mustMergeOverwrite $d (dict \"a\" 2) }}{{ $d.a }}"));
    }

    [Fact]
    public void DeepCopyIsIndependent() =>
        Assert.Equal("1 2", T.Render("{{ $a := dict \"x\" (dict \"y\" 1) }}{{ $b := deepCopy $a }}{{ $_ := set $b.x \"y\" 2 }}{{ $a.x.y }} {{ $b.x.y }}"));

    [Fact]
    public void FromYamlGivesFloatsAndReportsErrors()
    {
        Assert.Equal("float64 1e+06 string", T.Render("{{ $m := fromYaml \"a: 1000000\\nb: '1'\" }}{{ printf \"%T\" $m.a }} {{ $m.a }} {{ printf \"%T\" $m.b }}"));
        Assert.StartsWith("map[Error:", T.Render("{{ fromYaml \"a: [\" }}"));
    }

    [Fact]
    public void RequiredAndFailStopTheRender()
    {
        var e = T.Error("{{ required \"x is required\" .x }}", "y: 1");
        Assert.Equal(RenderErrorIds.RequiredValueMissing, e.ErrorId);
        Assert.Contains("x is required", e.Message);
        Assert.Equal("ok", T.Render("{{ required \"x\" .x }}", "x: ok"));
        Assert.Equal(RenderErrorIds.RequiredValueMissing, T.Error("{{ fail \"stop\" }}").ErrorId);
    }

    [Theory]
    [InlineData("{{ trimSuffix 1 \"a\" }}", "expected string; found 1")]
    [InlineData("{{ trimSuffix (add 1 1) \"a\" }}", "wrong type for value; expected string; got int")]
    [InlineData("{{ .missing | trim }}", "invalid value; expected string")]
    [InlineData("{{ ternary 1 2 \"x\" }}", "expected bool")]
    [InlineData("{{ dig \"a\" \"d\" (list) }}", "not map[string]interface {}")]
    public void TypedParametersFailLikeGo(string template, string message) => Assert.Contains(message, T.Error(template).Message);

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1e+21")]
    [InlineData(123456789.0, "1.23456789e+08")]
    [InlineData(-0.0001, "-0.0001")]
    [InlineData(0.00001, "1e-05")]
    public void GoFloatFormatting(double value, string expected) => Assert.Equal(expected, GoFormat.FormatFloat(value, 'g', -1));
}
