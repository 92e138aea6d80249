using System.Text.Json.Nodes;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Engine.Manifests;

/// <summary>
/// The quick way through well-formed manifests: split on '---' lines (keeping each document's first
/// line), parse each document with the renderer's goyaml-compatible reader, and convert to JSON. It
/// declines (returns false, adding nothing) at the first thing it is not sure of, so that the full
/// reader can report the problem with its exact line.
/// </summary>
internal static class FastManifestReader
{
    public static bool TryRead(string text, string source, string? component, List<ManifestObject> objects, CancellationToken ct = default)
    {
        var found = new List<ManifestObject>();
        var index = 0;
        foreach (var (chunk, firstLine, chunkLine) in SplitDocuments(text))
        {
            if (chunk is null) return false;
            ct.ThrowIfCancellationRequested();
            index++;
            if (firstLine == 0) continue; // only blank lines and comments
            List<object?> docs;
            try
            {
                docs = GoYaml.ParseAll(chunk, ct);
            }
            catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or FormatException or InvalidOperationException or ArgumentException)
            {
                return false;
            }

            if (docs.Count != 1) return false;
            if (docs[0] is null) continue;
            if (ToJson(docs[0]) is not JsonObject body || (string?)body["kind"] is "List" || ObjectValidator.CheckShape(body) is not null)
            {
                return false;
            }

            found.Add(new ManifestObject(body, new SourceLocation(source, firstLine, index), component, YamlLines.ForText(chunk, chunkLine)));
        }

        objects.AddRange(found);
        return true;
    }

    /// <summary>Documents with the number of their first content line (0 when they hold none) and of their first line; a null chunk means "not sure".</summary>
    private static IEnumerable<(string? Chunk, int FirstLine, int ChunkLine)> SplitDocuments(string text)
    {
        var lines = text.Split('\n');
        var start = 0;
        for (var i = 0; i <= lines.Length; i++)
        {
            var atEnd = i == lines.Length;
            var line = atEnd ? "" : lines[i].TrimEnd('\r');
            var separator = !atEnd && line.StartsWith("---", StringComparison.Ordinal) && (line.Length == 3 || char.IsWhiteSpace(line[3]));
            if (!atEnd && (line.StartsWith("%", StringComparison.Ordinal) || line.StartsWith("...", StringComparison.Ordinal)
                           || (separator && line.Length > 3 && line[3..].Trim() is { Length: > 0 } rest && !rest.StartsWith('#'))))
            {
                yield return (null, 0, 0);
                yield break;
            }

            if (!separator && !atEnd) continue;
            var first = 0;
            for (var j = start; j < i; j++)
            {
                var t = lines[j].Trim();
                if (t.Length > 0 && !t.StartsWith('#'))
                {
                    first = j + 1;
                    break;
                }
            }

            if (first > 0 || start < i)
            {
                yield return (string.Join('\n', lines, start, i - start), first, start + 1);
            }

            start = i + 1;
        }
    }

    /// <summary>Go values (maps, lists, strings, float64 numbers, bools) as JSON; integral numbers as integers.</summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IReadOnlyDictionary<string, object?> rmap => new JsonObject(rmap.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, ToJson(kv.Value)))),
        IDictionary<string, object?> map => new JsonObject(map.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, ToJson(kv.Value)))),
        IReadOnlyList<object?> rlist => new JsonArray(rlist.Select(ToJson).ToArray()),
        IList<object?> list => new JsonArray(list.Select(ToJson).ToArray()),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create((long)i),
        double d when Math.Floor(d) == d && Math.Abs(d) < 9e15 => JsonValue.Create((long)d),
        double d => JsonValue.Create(d),
        _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
    };
}
