using System.Text.RegularExpressions;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>The renderer's folders are layers: GoTemplate knows no other folder, Yaml only GoTemplate, Functions those two,
/// then Helm, then Istio. A reference against the order (a cycle such as Yaml and Functions using each other) fails.</summary>
public class ArchitectureTests
{
    private static readonly string[] Layers = { "GoTemplate", "Yaml", "Functions", "Helm", "Istio" };

    [Fact]
    public void FoldersOnlyUseTheLayersBelowThem()
    {
        string root = Path.Combine(GoldenData.RepoRoot!, "src", "IstioPS.Rendering");
        var sources = Layers.ToDictionary(l => l, l => Directory.EnumerateFiles(Path.Combine(root, l), "*.cs", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => Regex.Replace(File.ReadAllText(f), @"//.*", ""))); // comments may name anything
        var declared = Layers.ToDictionary(l => l, l => sources[l].Values
            .SelectMany(text => Regex.Matches(text, @"\b(?:class|struct|interface|enum|record|delegate\s+\S+)\s+(\w+)").Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal));
        // "IstioPS.Rendering.Yaml" (using, namespace, qualified names), or "Yaml.Type" naming a type of that folder
        // relative to IstioPS.Rendering (not after a dot: "cache.Yaml.X" is a member access).
        string layers = string.Join("|", Layers);
        var reference = new Regex($@"(?<![.\w])IstioPS\.Rendering\.(?<layer>{layers})\b|(?<![.\w])(?<layer>{layers})\.(?<type>[A-Z]\w*)");
        var violations = new List<string>();
        foreach (var (layer, rank) in Layers.Select((l, i) => (l, i)))
        {
            foreach (var (file, text) in sources[layer])
            {
                foreach (Match m in reference.Matches(text))
                {
                    string used = m.Groups["layer"].Value;
                    if (m.Groups["type"].Success && !declared[used].Contains(m.Groups["type"].Value)) continue;
                    if (Array.IndexOf(Layers, used) > rank) violations.Add($"{Path.GetRelativePath(root, file)} uses {used}");
                }
            }
        }
        Assert.True(sources.Values.Sum(s => s.Count) > 30, $"too few source files found under {root}");
        Assert.True(violations.Count == 0, "references against the layer order:\n" + string.Join("\n", violations.Distinct()));
    }
}
