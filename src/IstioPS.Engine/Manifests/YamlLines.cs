using IstioPS.Rendering.Yaml;
using YamlDotNet.RepresentationModel;

namespace IstioPS.Engine.Manifests;

/// <summary>
/// The line a field is written on in a YAML document, for errors that name one field of a large object. Nothing is
/// parsed until a line is asked for: problems are rare, and objects read by the fast reader keep only their text.
/// </summary>
public static class YamlLines
{
    /// <summary>The line (1-based, in the file) of the key at <paramref name="path"/> in a parsed document's root mapping; 0 when absent.</summary>
    public static int Find(YamlNode root, IReadOnlyList<string> path)
    {
        var node = root;
        var line = 0;
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map) return line;
            // Keys compared as the manifest reader made them: a plain `n` or `on` is a YAML 1.1 boolean ("false", "true").
            var entry = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: { } text } scalar
                && GoYaml.MapKey(text, scalar.Style == YamlDotNet.Core.ScalarStyle.Plain) == key);
            if (entry.Key is null) return line;
            line = (int)entry.Key.Start.Line;
            node = entry.Value;
        }

        return line;
    }

    /// <summary>A locator over one document's text whose first line is line <paramref name="firstLine"/> of the file.</summary>
    public static Func<IReadOnlyList<string>, int> ForText(string document, int firstLine)
    {
        YamlNode? root = null;
        var parsed = false;
        return path =>
        {
            if (!parsed)
            {
                parsed = true;
                try
                {
                    YamlBudget.Check(document, CancellationToken.None);
                    var stream = new YamlStream();
                    stream.Load(new StringReader(document));
                    root = stream.Documents.Count == 1 ? stream.Documents[0].RootNode : null;
                }
                catch (YamlDotNet.Core.YamlException)
                {
                    root = null; // the fast reader parsed it, so this is not expected; the object's own line serves
                }
            }

            if (root is null) return 0;
            var relative = Find(root, path);
            return relative > 0 ? relative + firstLine - 1 : 0;
        };
    }

    /// <summary>A locator over an already parsed document (lines are the file's).</summary>
    public static Func<IReadOnlyList<string>, int> ForNode(YamlNode root) => path => Find(root, path);
}
