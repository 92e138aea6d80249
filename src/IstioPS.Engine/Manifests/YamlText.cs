using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace IstioPS.Engine.Manifests;

/// <summary>Writes a JSON object as block YAML (keys in their order), for showing objects read from files.</summary>
public static class YamlText
{
    public static string FromJson(JsonObject obj)
    {
        var doc = new YamlDocument(ToNode(obj));
        var stream = new YamlStream(doc);
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends a document with "...": drop it.
        if (text.EndsWith("...\n", StringComparison.Ordinal)) text = text[..^4];
        return text.TrimEnd('\n') + "\n";
    }

    private static YamlNode ToNode(JsonNode? node) => node switch
    {
        JsonObject o => new YamlMappingNode(o.Select(kv => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(kv.Key), ToNode(kv.Value)))),
        JsonArray a => new YamlSequenceNode(a.Select(ToNode)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quoted((string)v!),
        null => new YamlScalarNode("null"),
        _ => new YamlScalarNode(node.ToJsonString()),
    };

    private static YamlScalarNode Quoted(string s)
    {
        var plain = s.Length > 0 && !s.Contains('\n') && !char.IsWhiteSpace(s[0]) && !char.IsWhiteSpace(s[^1])
                    && s.IndexOfAny(new[] { ':', '#', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`' }) < 0
                    && !double.TryParse(s, out _) && s is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "~" or "-");
        return new YamlScalarNode(s) { Style = plain ? YamlDotNet.Core.ScalarStyle.Plain : YamlDotNet.Core.ScalarStyle.DoubleQuoted };
    }
}
