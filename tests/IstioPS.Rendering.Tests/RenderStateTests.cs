using System.Reflection;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Helm;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>The renderer keeps no process-wide state: memory between renders lives in a <see cref="RenderCache"/>
/// the caller passes in, and rendering never crashes the process or ignores cancellation.</summary>
public class RenderStateTests
{
    [Fact]
    public void NoStaticFieldCanChange()
    {
        var writable = typeof(RenderCache).Assembly.GetTypes()
            .Where(t => !t.Name.Contains('<')) // compiler-generated lambda caches
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => !f.IsLiteral && !f.IsInitOnly && !f.Name.Contains('<'))
                .Select(f => $"{t.FullName}.{f.Name}"))
            .ToList();
        Assert.Empty(writable);
        // The shared function table is frozen.
        Assert.Throws<InvalidOperationException>(() => Functions.SprigFunctions.CreateHelmTable().Add("x", (_, _) => null));
    }

    [Fact]
    public void NoStaticTableCanChange()
    {
        // A readonly field still lets a caller change the collection it holds: lookup tables are frozen or read-only.
        var mutable = typeof(RenderCache).Assembly.GetTypes()
            .Where(t => !t.Name.Contains('<') && !t.ContainsGenericParameters)
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => f.IsInitOnly && !f.Name.Contains('<') && IsMutableCollection(f.GetValue(null)))
                .Select(f => $"{t.FullName}.{f.Name} ({f.GetValue(null)!.GetType().Name})"))
            .ToList();
        Assert.True(mutable.Count == 0, "static collections that can change:\n" + string.Join("\n", mutable));
        Assert.True(IsMutableCollection(new Dictionary<string, int>()) && IsMutableCollection(new[] { 1 }) && IsMutableCollection(new HashSet<int>()));
        Assert.False(IsMutableCollection(System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(new Dictionary<string, int>())));
    }

    private static bool IsMutableCollection(object? value)
    {
        switch (value)
        {
            case null or string: return false;
            case Array: return true;
            case System.Collections.IList l: return !l.IsReadOnly;
            case System.Collections.IDictionary d: return !d.IsReadOnly;
        }
        var collection = value.GetType().GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollection<>));
        return collection != null && !(bool)collection.GetProperty("IsReadOnly")!.GetValue(value)!;
    }

    [Fact]
    public void CachesAreTheCallersAndOptional()
    {
        var cache = new RenderCache();
        string big = "a:\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"  k{i}: v{i}\n"));
        var one = cache.Yaml.ParseCached(big);
        var two = cache.Yaml.ParseCached(big);
        Assert.NotSame(one, two); // private copies of one parse
        Assert.True(GoValues.DeepEqual(one, two));
        Assert.NotSame(new RenderCache().Yaml, cache.Yaml);
    }

    [Fact]
    public void RecursionStopsWithHelmsAndGosErrorsNotAStackOverflow()
    {
        var include = Render("{{ include \"r\" . }}", "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}");
        // Helm passes Go's error through as is when its innermost cause is not a template error.
        Assert.StartsWith("template: t/templates/main.yaml:1:3: executing \"t/templates/main.yaml\" at <include \"r\" .>: error calling include: ", include);
        Assert.EndsWith("rendering template has a nested reference name: r: unable to execute template", include);
        var template = Render("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}", null);
        Assert.EndsWith("exceeded maximum template depth (100000)", template);
    }

    [Fact]
    public void AValueThatContainsItselfFailsAsGoDoesOrWithARenderError()
    {
        const string Self = "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}";
        // Helm's toJson and toYaml swallow the JSON encoder's cycle error; reflect.DeepEqual sees the same map as equal.
        Assert.Equal("[||] true", T.Render(Self + "[{{ toJson $d }}|{{ toYaml $d }}|{{ toYamlPretty $d }}] {{ deepEqual $d $d }}"));
        Assert.EndsWith("json: unsupported value: encountered a cycle via map[string]interface {}", T.Error(Self + "{{ mustToJson $d }}").Message);
        Assert.Contains("contains itself", T.Error(Self + "{{ $d }}").Message);
    }

    [Fact]
    public void RenderingNoticesCancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var chart = HelmChart.FromFiles("name: t\nversion: 0.1.0", null, new Dictionary<string, string> { ["templates/a.yaml"] = "{{ range until 1000000 }}x{{ end }}" });
        Assert.ThrowsAny<OperationCanceledException>(() => HelmRenderer.Render(chart, null, new HelmReleaseOptions(), cancellationToken: cts.Token));
    }

    [Theory]
    [InlineData("{{ regexFind \"(\" \"x\" }}")]
    [InlineData("{{ div 1 0 }}")]
    [InlineData("{{ mod 1 0 }}")]
    [InlineData("{{ slice (list 1 2) 2 1 }}")]
    [InlineData("{{ substr 5 1 \"abc\" }}")]
    [InlineData("{{ index (list 1) 5 }}")]
    [InlineData("{{ printf \"%d\" }}{{ repeat -1 \"x\" }}")]
    [InlineData("{{ toYaml (dict) | fromYaml | keys | first | upper }}")]
    [InlineData("{{ chunk 0 (list 1) }}")]
    [InlineData("{{ b64dec \"%%%\" | int | add 1 | until | len }}")]
    [InlineData("{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ $d }}")]
    [InlineData("{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ toYaml $d }}{{ toYamlPretty $d }}{{ toJson $d }}")]
    [InlineData("{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ mustToJson $d }}")]
    [InlineData("{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ mustToYaml $d }}")]
    [InlineData("{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ deepCopy $d | len }}")]
    [InlineData("{{ $d := dict }}{{ $_ := set $d \"self\" (list $d) }}{{ printf \"%#v\" $d }}")]
    [InlineData("{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ merge $d $d | len }}{{ deepEqual $d $d }}")]
    [InlineData("{{ define \"t\" }}{{ tpl \"{{ include \\\"t\\\" . }}\" . }}{{ end }}{{ include \"t\" . }}")]
    public void EveryFailureIsARenderError(string template)
    {
        var chart = HelmChart.FromFiles("name: t\nversion: 0.1.0", null, new Dictionary<string, string> { ["templates/a.yaml"] = template });
        try { HelmRenderer.Render(chart, null, new HelmReleaseOptions()); }
        catch (RenderException) { }
    }

    private static string Render(string template, string? helpers)
    {
        var templates = new Dictionary<string, string> { ["templates/main.yaml"] = template };
        if (helpers != null) templates["templates/_helpers.tpl"] = helpers;
        var chart = HelmChart.FromFiles("name: t\nversion: 0.1.0", null, templates);
        return Assert.Throws<RenderException>(() => HelmRenderer.Render(chart, null, new HelmReleaseOptions())).Message;
    }
}
