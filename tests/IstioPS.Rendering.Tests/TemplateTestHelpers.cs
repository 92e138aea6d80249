using IstioPS.Rendering.Functions;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Tests;

internal static class T
{
    private static readonly FunctionTable Functions = SprigFunctions.CreateHelmTable();

    /// <summary>Executes <paramref name="template"/> with data parsed from YAML (numbers are float64, as in Helm).</summary>
    public static string Render(string template, string? dataYaml = null, MissingKeyOption missing = MissingKeyOption.Default) =>
        RenderData(template, dataYaml == null ? null : GoYaml.Parse(dataYaml), missing);

    public static string RenderData(string template, object? data, MissingKeyOption missing = MissingKeyOption.Default)
    {
        var set = new TemplateSet(Functions, missing);
        set.Parse("test.tpl", template);
        return set.Execute("test.tpl", data);
    }

    public static RenderException Error(string template, string? dataYaml = null, MissingKeyOption missing = MissingKeyOption.Default) =>
        Xunit.Assert.Throws<RenderException>(() => Render(template, dataYaml, missing));

    public static Dictionary<string, object?> Map(params (string Key, object? Value)[] items)
    {
        var m = GoValues.NewMap();
        foreach (var (k, v) in items) m[k] = v;
        return m;
    }
}
