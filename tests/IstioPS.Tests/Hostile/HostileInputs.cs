using System.Text;

namespace IstioPS.Tests.Hostile;

/// <summary>
/// Hostile manifests, built here rather than stored (the big ones would be megabytes). Each names the error id it
/// must be refused with and the line that error must point at.
/// </summary>
public sealed record HostileInput(string Name, string Text, string ErrorId, int Line)
{
    public override string ToString() => Name;

    private const string Good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n  namespace: apps\ndata:\n  a: b\n";

    public static IEnumerable<HostileInput> All()
    {
        // "Billion laughs": each level names the one before it 9 times (432 bytes at 9 levels, as in the issue).
        yield return new("alias-bomb-9x9", Laughs(levels: 9, width: 9), "YamlExcessiveAliasing", 10);
        yield return new("alias-bomb-30x4", Laughs(levels: 30, width: 4), "YamlExcessiveAliasing", 11);
        yield return new("alias-bomb-5x100", Laughs(levels: 5, width: 100), "YamlExcessiveAliasing", 8);

        // One big anchor (10,000 nodes) named 1,000 times: 10 million nodes from 20 KB.
        var wide = new StringBuilder(Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wide\nbig: &big [");
        wide.Append(string.Join(",", Enumerable.Range(0, 10_000).Select(i => "x"))).Append("]\ncopies:\n");
        for (var i = 0; i < 1000; i++) wide.Append("- *big\n");
        yield return new("alias-bomb-wide", wide.ToString(), "YamlExcessiveAliasing", 58);

        // Merge keys expand too.
        var merge = new StringBuilder(Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: merged\nl0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n");
        for (var i = 1; i <= 8; i++) merge.Append($"l{i}: &l{i} {{{string.Join(", ", Enumerable.Range(0, 8).Select(j => $"k{j}: *l{i - 1}"))}}}\n");
        yield return new("alias-bomb-merge", merge.Append("data:\n  <<: *l8\n").ToString(), "YamlExcessiveAliasing", 16);

        // 20,000 nested '[' in 40 KB (a stack overflow before), in a document after a good one.
        yield return new("deep-flow-20000", Good + "---\n" + new string('[', 20_000) + new string(']', 20_000) + "\n", "YamlTooDeep", 9);
        yield return new("deep-flow-in-object", Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nspec:\n  x: " + new string('{', 1500).Replace("{", "{a: ") + "1" + new string('}', 1500) + "\n", "YamlTooDeep", 14);
        // Block style: '- - - ...' nests a sequence per dash; and indented mappings.
        yield return new("deep-block-seq-20000", Good + "---\n" + string.Concat(Enumerable.Repeat("- ", 20_000)) + "z\n", "YamlTooDeep", 9);
        var block = new StringBuilder(Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nspec:\n");
        for (var i = 1; i <= 1200; i++) block.Append(' ', i).Append("k:\n");
        yield return new("deep-block-map-1200", block.ToString(), "YamlTooDeep", 1013);

        // Limits the API server enforces.
        yield return new("configmap-1.2MiB", Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: apps\ndata:\n  blob: " + new string('x', 1_258_291) + "\n",
            "DataTooLarge", 9);
        yield return new("secret-1.1MiB", Good + "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: big\n  namespace: apps\ndata:\n  blob: " + new string('A', 1_537_000) + "\n",
            "DataTooLarge", 9);
        yield return new("object-3.5MiB", Good + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\n  namespace: apps\nspec:\n  blob: " + new string('x', 3_670_016) + "\n",
            "ObjectTooLarge", 9);
        // Like the issue's 50 MB ConfigMap: no object that size can be sent, so the document is refused unparsed.
        yield return new("configmap-30MB", Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\n  namespace: apps\ndata:\n  blob: " + new string('x', 30_000_000) + "\n",
            "ObjectTooLarge", 9);
        yield return new("object-2MiB", Good + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\n  namespace: apps\nspec:\n  blob: " + new string('x', 2 * 1024 * 1024) + "\n",
            "ObjectTooLarge", 9);
        yield return new("annotations-300KiB", Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: noted\n  namespace: apps\n  annotations:\n    a: " + new string('x', 150_000) + "\n    b: " + new string('y', 150_000) + "\n",
            "AnnotationsTooLarge", 14);

        // Wrong metadata shapes (were silently replaced before). The line is the offending key's.
        yield return new("labels-list", Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: l\n  labels:\n  - app\n", "InvalidMetadata", 13);
        yield return new("labels-string", Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: l\n  labels: app=web\n", "InvalidMetadata", 13);
        yield return new("label-number", Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: l\n  labels:\n    version: 1.0\n", "InvalidMetadata", 14);
        yield return new("annotations-list", Good + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: l\n  annotations: [a, b]\n", "InvalidMetadata", 13);
    }

    // The line is where the limit was crossed: the alias that expanded too much, the collection one level too deep.

    /// <summary>A ConfigMap whose data is the last of <paramref name="levels"/> anchors, each naming the one before <paramref name="width"/> times.</summary>
    private static string Laughs(int levels, int width)
    {
        var sb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\nx:\n");
        sb.Append("  a0: &a0 [lol]\n");
        for (var i = 1; i <= levels; i++)
        {
            sb.Append($"  a{i}: &a{i} [").Append(string.Join(",", Enumerable.Repeat($"*a{i - 1}", width))).Append("]\n");
        }

        return sb.Append($"data: *a{levels}\n").ToString();
    }
}
