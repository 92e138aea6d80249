using IstioPS.Rendering.GoTemplate;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>Go text/template semantics: expected outputs are what Go 1.22+ produces.</summary>
public class TemplateEngineTests
{
    [Theory]
    [InlineData("a  {{- 1 -}}  b", "a1b")]
    [InlineData("{{ 1 }} \n {{- 2 }}", "12")]
    [InlineData("x\n  {{- /* a comment */ -}}\n  y", "xy")]
    [InlineData("x {{/* kept spaces */}} y", "x  y")]
    [InlineData("{{-3}}", "-3")]
    [InlineData("a{{- \"b\" -}}\n\tc", "abc")]
    [InlineData("{{ `raw\\n` }}", "raw\\n")]
    [InlineData("{{ \"tab\\there\" }}", "tab\there")]
    [InlineData("{{ 'a' }}", "97")]
    [InlineData("{{ 0x1F }} {{ 1_000 }} {{ 0o17 }}", "31 1000 15")]
    public void LexerTrimAndLiterals(string template, string expected) => Assert.Equal(expected, T.Render(template));

    [Theory]
    [InlineData("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2")]
    [InlineData("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", "21")]
    [InlineData("{{ with $y := \"in\" }}{{ $y }}{{ end }}", "in")]
    [InlineData("{{ range $i, $v := list \"a\" \"b\" }}{{ $i }}={{ $v }};{{ end }}", "0=a;1=b;")]
    [InlineData("{{ range $v := list \"a\" \"b\" }}{{ $v }}{{ end }}", "ab")]
    [InlineData("{{ range list }}x{{ else }}empty{{ end }}", "empty")]
    [InlineData("{{ range 3 }}{{ . }}{{ end }}", "012")]
    [InlineData("{{ range $v := list \"a\" \"b\" \"c\" \"d\" \"e\" }}{{ if eq $v \"b\" }}{{ continue }}{{ end }}{{ if eq $v \"d\" }}{{ break }}{{ end }}{{ $v }}{{ end }}", "ac")]
    [InlineData("{{ $ := 5 }}{{ $ }}", "5")]
    public void VariablesAndScoping(string template, string expected) => Assert.Equal(expected, T.Render(template));

    [Fact]
    public void RangeOverMapIsSortedByKey()
    {
        Assert.Equal("a1b2c3", T.Render("{{ range $k, $v := . }}{{ $k }}{{ $v }}{{ end }}", "c: 3\na: 1\nb: 2"));
        Assert.Equal("123", T.Render("{{ range . }}{{ . }}{{ end }}", "c: 3\na: 1\nb: 2"));
    }

    [Theory]
    [InlineData("one", "one")]
    [InlineData("two", "2")]
    [InlineData("zzz", "many")]
    public void ElseIfChains(string n, string expected) =>
        Assert.Equal(expected, T.Render("{{ if eq .num \"one\" }}one{{ else if eq .num \"two\" }}2{{ else }}many{{ end }}", "num: " + n));

    [Theory]
    [InlineData("{{ with .a }}{{ . }}{{ else }}none{{ end }}", "a: x", "x")]
    [InlineData("{{ with .a }}{{ . }}{{ else }}none{{ end }}", "a: \"\"", "none")]
    [InlineData("{{ with .missing }}x{{ else with .b }}{{ . }}{{ end }}", "b: bee", "bee")]
    [InlineData("{{ if .list }}yes{{ else }}no{{ end }}", "list: []", "no")]
    [InlineData("{{ if .zero }}yes{{ else }}no{{ end }}", "zero: 0", "no")]
    [InlineData("{{ if .m }}yes{{ else }}no{{ end }}", "m: {}", "no")]
    public void WithAndTruth(string template, string data, string expected) => Assert.Equal(expected, T.Render(template, data));

    [Fact]
    public void DefineIsGlobalAndTheLastNonEmptyDefinitionWins()
    {
        var set = new TemplateSet(new FunctionTable());
        set.Parse("b.tpl", "{{ define \"t\" }}from-b{{ end }}");
        set.Parse("a.tpl", "{{ define \"t\" }}from-a{{ end }}{{ define \"t\" }}   {{ end }}");
        set.Parse("main", "[{{ template \"t\" }}]{{ block \"blk\" . }}default-block{{ end }}");
        Assert.Equal("[from-a]default-block", set.Execute("main", null));
        set.Parse("c.tpl", "{{ define \"blk\" }}override{{ end }}");
        Assert.Equal("[from-a]override", set.Execute("main", null));
    }

    [Fact]
    public void TemplateGetsItsOwnDotAndVariables()
    {
        Assert.Equal("<x>", T.Render("{{ define \"t\" }}<{{ . }}>{{ end }}{{ $v := 1 }}{{ template \"t\" \"x\" }}"));
        Assert.Equal("<no value>", T.Render("{{ define \"t\" }}{{ . }}{{ end }}{{ template \"t\" }}"));
    }

    [Fact]
    public void MissingKeyVersusNil()
    {
        // Default option: a missing key is an invalid value; fields of it are "no value" too.
        Assert.Equal("<no value>", T.Render("{{ .missing }}", "a: 1"));
        Assert.Equal("<no value>", T.Render("{{ .missing.deeper }}", "a: 1"));
        // An explicit null is a nil interface: fields of it are an error.
        var e = T.Error("{{ .a.b }}", "a: null");
        Assert.Contains("nil pointer evaluating interface {}.b", e.Message);
        // Helm's missingkey=zero: a missing key yields nil, so a field of it fails like an explicit null.
        Assert.Equal("<no value>", T.Render("{{ .missing }}", "a: 1", MissingKeyOption.Zero));
        Assert.Contains("nil pointer evaluating interface {}.deeper", T.Error("{{ .missing.deeper }}", "a: 1", MissingKeyOption.Zero).Message);
        // missingkey=error.
        Assert.Contains("map has no entry for key \"missing\"", T.Error("{{ .missing }}", "a: 1", MissingKeyOption.Error).Message);
        // A variable holding "no value" tolerates field access.
        Assert.Equal("<no value>", T.Render("{{ $x := .a }}{{ $x.b }}", "a: null"));
    }

    [Theory]
    [InlineData("{{ printf \"%s-%d-%v-%q-%t\" \"a\" 3 1.5 \"x\" true }}", "a-3-1.5-\"x\"-true")]
    [InlineData("{{ printf \"%d\" \"a\" }}", "%!d(string=a)")]
    [InlineData("{{ printf \"%s\" 5 }}", "%!s(int=5)")]
    [InlineData("{{ printf \"%s %s\" \"a\" }}", "a %!s(MISSING)")]
    [InlineData("{{ printf \"%s\" \"a\" \"b\" }}", "a%!(EXTRA string=b)")]
    [InlineData("{{ printf \"%v\" (dict \"b\" 1 \"a\" \"x\") }}", "map[a:x b:1]")]
    [InlineData("{{ printf \"%v\" (list 1 \"a\" nil) }}", "[1 a <nil>]")]
    [InlineData("{{ printf \"%5.2f|%05d|%-4s|%x|%X|%x\" 3.14159 42 \"ab\" 255 255 \"hi\" }}", " 3.14|00042|ab  |ff|FF|6869")]
    [InlineData("{{ printf \"%q\" \"a\\nb\\\"c\" }}", "\"a\\nb\\\"c\"")]
    [InlineData("{{ printf \"%v %v %v %v\" 1e6 100000.0 0.1 1e21 }}", "1e+06 100000 0.1 1e+21")]
    [InlineData("{{ printf \"%e %g %.3g\" 123456.789 0.00001 3.14159 }}", "1.234568e+05 1e-05 3.14")]
    [InlineData("{{ printf \"%T %T %T\" 1 1.5 \"s\" }}", "int float64 string")]
    [InlineData("{{ printf \"100%%\" }}", "100%")]
    [InlineData("{{ print \"a\" 1 2 \"b\" }}", "a1 2b")]
    [InlineData("{{ println \"a\" 1 }}", "a 1\n")]
    public void PrintfVerbs(string template, string expected) => Assert.Equal(expected, T.Render(template));

    [Fact]
    public void FloatsFromYamlPrintLikeGo()
    {
        Assert.Equal("15020 1e+06 0.5 -3", T.Render("{{ .a }} {{ .b }} {{ .c }} {{ .d }}", "a: 15020\nb: 1000000\nc: 0.5\nd: -3"));
    }

    [Theory]
    [InlineData("{{ lt 1 2 }} {{ le 2 2 }} {{ gt 1.5 2.5 }} {{ ge \"b\" \"a\" }}", "true true false true")]
    [InlineData("{{ eq 1 2 1 }} {{ eq \"a\" \"b\" }} {{ ne 1 2 }}", "true false true")]
    [InlineData("{{ eq .missing \"x\" }}", "false")]
    [InlineData("{{ ne 2 nil }} {{ eq .missing nil }}", "true true")]
    [InlineData("{{ and 1 0 \"x\" }}|{{ or 0 \"\" \"y\" }}|{{ or 0 \"\" }}|{{ and 1 2 }}", "0|y||2")]
    [InlineData("{{ or true (fail \"boom\") }}", "true")]
    [InlineData("{{ not \"\" }} {{ not 1 }}", "true false")]
    [InlineData("{{ len \"héllo\" }} {{ len (list 1 2) }} {{ len (dict \"a\" 1) }}", "6 2 1")]
    [InlineData("{{ index (dict \"a\" (list \"x\" \"y\")) \"a\" 1 }}", "y")]
    [InlineData("{{ index (dict \"a\" 1) \"zz\" }}", "<no value>")]
    [InlineData("{{ \"abc\" | printf \"%s-%s\" \"x\" }}", "x-abc")]
    [InlineData("{{ (dict \"a\" (dict \"b\" 1)).a.b }}", "1")]
    [InlineData("{{ (len \"ab\") }}", "2")]
    public void BuiltinsAndComparisons(string template, string expected) => Assert.Equal(expected, T.Render(template));

    [Theory]
    [InlineData("{{ eq 1 1.0 }}", "incompatible types for comparison")]
    [InlineData("{{ eq \"a\" 1 }}", "incompatible types for comparison")]
    [InlineData("{{ lt true false }}", "invalid type for comparison")]
    [InlineData("{{ lt (list) 1 }}", "invalid type for comparison")]
    [InlineData("{{ index nil 1 }}", "index of untyped nil")]
    [InlineData("{{ index (list 1) 5 }}", "index out of range: 5")]
    [InlineData("{{ len 3 }}", "len of type int")]
    [InlineData("{{ nil }}", "nil is not a command")]
    [InlineData("{{ 1 2 }}", "can't give argument to non-function 1")]
    [InlineData("{{ template \"nope\" }}", "template \"nope\" not defined")]
    [InlineData("{{ range \"s\" }}{{ end }}", "range can't iterate over s")]
    public void ExecutionErrors(string template, string message)
    {
        var e = T.Error(template);
        Assert.Equal(RenderErrorIds.TemplateExecutionError, e.ErrorId);
        Assert.Contains(message, e.Message);
        Assert.Equal("test.tpl", e.File);
    }

    [Theory]
    [InlineData("line1\n{{ foo }}", "UnknownFunction", "test.tpl:2: function \"foo\" not defined", 2)]
    [InlineData("{{ if }}{{ end }}", "TemplateParseError", "missing value for if", 1)]
    [InlineData("{{ end }}", "TemplateParseError", "unexpected {{end}}", 1)]
    [InlineData("a\n\n{{ if true }}", "TemplateParseError", "unexpected EOF", 3)]
    [InlineData("{{ $x }}", "TemplateParseError", "undefined variable \"$x\"", 1)]
    [InlineData("{{ .a ", "TemplateParseError", "unclosed action", 1)]
    [InlineData("{{ break }}", "TemplateParseError", "{{break}} outside {{range}}", 1)]
    [InlineData("{{ 3 | 4 }}", "TemplateParseError", "non executable command in pipeline stage 2", 1)]
    [InlineData("{{ \"unterminated }}", "TemplateParseError", "unterminated quoted string", 1)]
    public void ParseErrorsNameFileAndLine(string template, string id, string message, int line)
    {
        var e = T.Error(template);
        Assert.Equal(id, e.ErrorId);
        Assert.Contains(message, e.Message);
        Assert.Equal(line, e.Line);
        Assert.Equal("test.tpl", e.File);
    }

    [Fact]
    public void ErrorsInsideDefinesNameTheDefiningFile()
    {
        var set = new TemplateSet(Functions.SprigFunctions.CreateHelmTable());
        set.Parse("chart/templates/_helpers.tpl", "{{ define \"h\" }}\n\n{{ fail \"bad input\" }}{{ end }}");
        set.Parse("chart/templates/main.yaml", "x: {{ include \"h\" . }}");
        var e = Assert.Throws<RenderException>(() => set.Execute("chart/templates/main.yaml", null));
        Assert.Equal(RenderErrorIds.RequiredValueMissing, e.ErrorId);
        Assert.Contains("chart/templates/main.yaml:1", e.Message);
        Assert.Contains("chart/templates/_helpers.tpl:3", e.Message);
        Assert.Contains("bad input", e.Message);
    }
}

public class YamlKeyResolutionTests
{
    [Fact]
    public void Yaml11BooleanKeysBecomeStringsTrueFalseLikeSigsYaml()
    {
        // sigs.k8s.io/yaml resolves the plain key "n" as a YAML 1.1 bool, so Helm sees the key "false".
        Assert.Equal("one", T.Render("{{ index . \"false\" }}", "n: one"));
    }
}
