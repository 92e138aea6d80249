using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace IstioPS.Rendering.Tests;

/// <summary>Locates the shared Istio data ($env:ISTIOPS_ISTIO_DATA, default ../shared/istio from the repo root)
/// and goldens ($env:ISTIOPS_GOLDENS, default &lt;data&gt;/goldens/1.30.3).</summary>
public static class GoldenData
{
    public static string? RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))) dir = dir.Parent;
            return dir?.FullName;
        }
    }

    public static string DataRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ISTIOPS_ISTIO_DATA");
            if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
            return Path.GetFullPath(Path.Combine(RepoRoot ?? ".", "..", "shared", "istio"));
        }
    }

    public static string GoldensRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ISTIOPS_GOLDENS");
            if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
            return Path.Combine(DataRoot, "goldens", "1.30.3");
        }
    }

    public static string CasesFile => Path.Combine(GoldensRoot, "cases.json");

    public static bool Available => File.Exists(CasesFile);

    public static string MissingMessage =>
        $"Istio golden data not found at '{CasesFile}'; set ISTIOPS_GOLDENS / ISTIOPS_ISTIO_DATA to run golden tests.";

    public static string Release => Path.Combine(DataRoot, "releases", "istio-1.30.3");

    public static JsonElement? Cases
    {
        get
        {
            if (!Available) return null;
            return JsonDocument.Parse(File.ReadAllText(CasesFile)).RootElement;
        }
    }

    /// <summary>Theory data: one row per case of the given set (a placeholder row when data is absent).</summary>
    public static IEnumerable<object[]> CaseNames(string set)
    {
        var cases = Cases;
        if (cases == null || !cases.Value.TryGetProperty(set, out var arr))
        {
            yield return new object[] { "<no data>" };
            yield break;
        }
        foreach (var c in arr.EnumerateArray()) yield return new object[] { c.GetProperty("desc").GetString()! };
    }

    public static JsonElement Case(string set, string desc) =>
        Cases!.Value.GetProperty(set).EnumerateArray().First(c => c.GetProperty("desc").GetString() == desc);

    public static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>Base of the data-driven golden tests: one theory row per case of cases.json.</summary>
public abstract class GoldenCaseTests
{
    protected GoldenCaseTests(ITestOutputHelper output) => Output = output;

    protected ITestOutputHelper Output { get; }

    /// <summary>Skips without data; otherwise fails with the problem <paramref name="compare"/> reports (null = equal).</summary>
    protected void Check(string desc, Func<string, string?> compare)
    {
        Skip.IfNot(GoldenData.Available, GoldenData.MissingMessage);
        string? problem = compare(desc);
        if (problem != null) Output.WriteLine(problem);
        Assert.Null(problem);
    }
}
