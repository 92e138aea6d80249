using System.Collections;
using System.Text;
using IstioPS.Rendering.Helm;
using IstioPS.Rendering.Istio;
using IstioPS.Rendering.Yaml;
using Xunit;
using Xunit.Abstractions;

namespace IstioPS.Rendering.Tests;

/// <summary>Each manifest_generate_cases entry of cases.json: equal to istioctl's golden as parsed objects over the selected objects.</summary>
public class ManifestGenerateGoldenTests : GoldenCaseTests
{
    public ManifestGenerateGoldenTests(ITestOutputHelper output) : base(output) { }

    public static IEnumerable<object[]> Cases() => GoldenData.CaseNames("manifest_generate_cases");

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ManifestCaseMatchesGolden(string desc) => Check(desc, d =>
    {
        string? problem = CompareCase(d, out int compared);
        Output.WriteLine($"{compared} golden objects selected");
        return problem;
    });

    /// <summary>Stricter than the parsed comparison: each selected object's YAML text is istioctl's text.</summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ManifestCaseYamlTextMatchesGolden(string desc) => Check(desc, d =>
    {
        var c = GoldenData.Case("manifest_generate_cases", d);
        string? diffSelect = GoldenData.Str(c, "diffSelect");
        var wanted = new Dictionary<string, string>();
        foreach (var doc in HelmRenderer.SplitYaml(File.ReadAllText(Path.Combine(GoldenData.GoldensRoot, GoldenData.Str(c, "output")!))))
            if (ObjectIdentity.TryParse(doc, out var id, out _) && ObjectSelector.Matches(diffSelect, id.Hash)) wanted[id.Hash] = doc;
        foreach (var o in IstioManifestGenerator.Generate(RequestFor(d)).Objects)
        {
            string hash = ObjectSelector.Hash(o.Kind, o.Namespace, o.Name);
            if (wanted.TryGetValue(hash, out var w) && o.Yaml.TrimEnd('\n') != w) return hash + ": " + TextDiff.First(o.Yaml.TrimEnd('\n'), w);
        }
        return null;
    });

    /// <summary>Builds the request a case describes: input file, flags (--set, --force), charts root.</summary>
    public static IstioRenderRequest RequestFor(string desc)
    {
        var c = GoldenData.Case("manifest_generate_cases", desc);
        var request = new IstioRenderRequest { ReleasePath = Path.Combine(GoldenData.DataRoot, GoldenData.Str(c, "chartsRoot")!) };
        if (GoldenData.Str(c, "input") is { } input) request.ValuesFiles.Add(Path.Combine(GoldenData.GoldensRoot, input));
        var tokens = (GoldenData.Str(c, "flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] == "--force") request.Force = true;
            else if ((tokens[i] == "--set" || tokens[i] == "-s") && i + 1 < tokens.Length)
            {
                string set = tokens[++i];
                // "<...>" placeholders stand for the charts root, which the test appends last anyway.
                while (set.Contains('<') && !set.Contains('>') && i + 1 < tokens.Length) set += " " + tokens[++i];
                if (!set.Contains('<')) request.Set.Add(set);
            }
        }
        return request;
    }

    /// <summary>Null when equal, else a description of the first difference.</summary>
    public static string? CompareCase(string desc) => CompareCase(desc, out _);

    /// <summary>Null when equal, else a description of the first difference; <paramref name="compared"/> counts golden objects selected.</summary>
    public static string? CompareCase(string desc, out int compared)
    {
        var c = GoldenData.Case("manifest_generate_cases", desc);
        string? diffSelect = GoldenData.Str(c, "diffSelect");
        var manifest = IstioManifestGenerator.Generate(RequestFor(desc));
        var got = manifest.Objects.Where(o => ObjectSelector.Matches(diffSelect, ObjectSelector.Hash(o.Kind, o.Namespace, o.Name)))
            .Select(o => (o.ToString(), (object?)o.Object)).ToList();
        var goldenText = File.ReadAllText(Path.Combine(GoldenData.GoldensRoot, GoldenData.Str(c, "output")!));
        var want = new List<(string, object?)>();
        foreach (var doc in HelmRenderer.SplitYaml(goldenText))
        {
            if (!ObjectIdentity.TryParse(doc, out var id, out var obj)) continue;
            if (!ObjectSelector.Matches(diffSelect, id.Hash)) continue;
            want.Add(($"{id.Kind}/{(id.Namespace == null ? "" : id.Namespace + "/")}{id.Name}", obj));
        }
        compared = want.Count;
        var sb = new StringBuilder();
        var gotNames = got.Select(g => g.Item1).ToList();
        var wantNames = want.Select(w => w.Item1).ToList();
        if (!gotNames.SequenceEqual(wantNames))
        {
            sb.AppendLine($"objects differ: got {got.Count}, want {want.Count}");
            foreach (var n in wantNames.Except(gotNames)) sb.AppendLine("  missing: " + n);
            foreach (var n in gotNames.Except(wantNames)) sb.AppendLine("  unexpected: " + n);
            if (wantNames.OrderBy(x => x).SequenceEqual(gotNames.OrderBy(x => x))) sb.AppendLine("  (same objects, different order)");
        }
        var wantByName = want.GroupBy(w => w.Item1).ToDictionary(g => g.Key, g => g.First().Item2);
        foreach (var (name, obj) in got)
        {
            if (!wantByName.TryGetValue(name, out var w)) continue;
            var d = ValueDiff.First(obj, w, name);
            if (d != null) sb.AppendLine(d);
        }
        return sb.Length == 0 ? null : sb.ToString();
    }
}

internal static class ValueDiff
{
    /// <summary>First difference between two parsed values (numbers compared by value), or null.</summary>
    public static string? First(object? got, object? want, string path)
    {
        if (got is long gl) got = (double)gl;
        if (want is long wl) want = (double)wl;
        switch (got)
        {
            case IDictionary<string, object?> gm when want is IDictionary<string, object?> wm:
                foreach (var k in gm.Keys.Union(wm.Keys).OrderBy(k => k, StringComparer.Ordinal))
                {
                    if (!gm.ContainsKey(k)) return $"{path}.{k}: missing (want {Short(wm[k])})";
                    if (!wm.ContainsKey(k)) return $"{path}.{k}: unexpected {Short(gm[k])}";
                    var d = First(gm[k], wm[k], path + "." + k);
                    if (d != null) return d;
                }
                return null;
            case IList gli when want is IList wli:
                for (int i = 0; i < Math.Max(gli.Count, wli.Count); i++)
                {
                    if (i >= gli.Count) return $"{path}[{i}]: missing (want {Short(wli[i])})";
                    if (i >= wli.Count) return $"{path}[{i}]: unexpected {Short(gli[i])}";
                    var d = First(gli[i], wli[i], $"{path}[{i}]");
                    if (d != null) return d;
                }
                return null;
            default:
                return Equals(got, want) ? null : $"{path}: got {Short(got)}, want {Short(want)}";
        }
    }

    private static string Short(object? v)
    {
        string s = v switch { null => "null", string str => GoTemplate.GoFormat.Quote(str), _ => GoTemplate.GoFormat.ToString(v) };
        return s.Length > 200 ? s.Substring(0, 200) + "..." : s;
    }
}
