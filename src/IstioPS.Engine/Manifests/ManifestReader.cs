using System.Text.Json.Nodes;
using IstioPS.Rendering.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IstioPS.Engine.Manifests;

/// <summary>A problem with one document of the input, with its file and line.</summary>
public sealed class ManifestException : IstioPSException
{
    public ManifestException(string errorId, SourceLocation source, string problem)
        : base(errorId, ErrorKind.InvalidData, $"{source}: {problem}", source.ToString())
    {
        Location = source;
        Problem = problem;
    }

    /// <summary>Where the problem is (file and line, or chart template and line).</summary>
    public SourceLocation Location { get; }
    public string Problem { get; }

    /// <summary>Every problem of an input as one error (its own id when there is only one), saying what did not happen.</summary>
    public static IstioPSException Aggregate(IReadOnlyList<ManifestException> errors, string consequence = "nothing was written to the cluster")
    {
        var head = errors.Count == 1 ? "The input has a problem" : $"The input has {errors.Count} problems";
        var body = string.Join(Environment.NewLine, errors.Take(20).Select(e => "  " + e.Message));
        if (errors.Count > 20) body += $"{Environment.NewLine}  ... and {errors.Count - 20} more";
        return new IstioPSAggregateException(errors.Count == 1 ? errors[0].ErrorId : "ManifestInvalid", ErrorKind.InvalidData,
            $"{head}; {consequence}:{Environment.NewLine}{body}", errors.Cast<IstioPSException>().ToList(), errors[0].Target);
    }
}

/// <summary>Reads multi-document YAML (or JSON) manifests from files, folders or text.</summary>
public static class ManifestReader
{
    private static readonly string[] Extensions = { ".yaml", ".yml", ".json" };

    /// <summary>The manifest files a set of paths names: files as given, folders' files in name order (with <paramref name="recurse"/>, their subfolders' too).</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths, bool recurse = false)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                // Like `kubectl apply -f <folder>` (and -R): the folder's own files, its subfolders' only when asked.
                files.AddRange(Directory.EnumerateFiles(path, "*", recurse ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .OrderBy(f => f, StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(Path.GetFullPath(path));
            }
            else
            {
                throw new IstioPSException("ManifestPathNotFound", ErrorKind.ObjectNotFound, $"The manifest path '{path}' does not exist.", path);
            }
        }

        return files;
    }

    /// <summary>Reads every file; returns the objects and every problem found (nothing stops at the first).</summary>
    public static (List<ManifestObject> Objects, List<ManifestException> Errors) ReadFiles(IEnumerable<string> files, string? component = null, CancellationToken ct = default)
    {
        var objects = new List<ManifestObject>();
        var errors = new List<ManifestException>();
        foreach (var file in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add(new ManifestException("ManifestUnreadable", new SourceLocation(file, 0, 0), ex.Message));
                continue;
            }

            Read(text, file, component, objects, errors, ct);
        }

        return (objects, errors);
    }

    /// <summary>
    /// Parses YAML text from one source into objects, adding problems to <paramref name="errors"/>. Nesting and
    /// alias expansion are bounded (<see cref="YamlBudget"/>) and <paramref name="ct"/> is noticed while parsing.
    /// </summary>
    public static void Read(string text, string source, string? component, List<ManifestObject> objects, List<ManifestException> errors, CancellationToken ct = default)
    {
        if (OversizedDocument(text) is { } oversized)
        {
            errors.Add(new ManifestException("ObjectTooLarge", new SourceLocation(source, oversized.Line, 0),
                $"the document is {oversized.Chars / (1024 * 1024)} MiB of YAML: no object that size fits in the API server's {ObjectValidator.MaxRequestBytes / (1024 * 1024)} MiB request limit, so it is not parsed (nor the rest of the file)."));
            return;
        }

        text = BlankWhitespaceLines(text);
        if (FastManifestReader.TryRead(text, source, component, objects, ct))
        {
            return;
        }

        // The full reader: slower, but it knows the line of every problem. Its node tree is built recursively and
        // shares aliased nodes, so the stream is first checked for depth and alias expansion without building anything.
        var stream = new YamlStream();
        try
        {
            YamlBudget.Check(text, ct);
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            errors.Add(new ManifestException(ex is YamlLimitException limit ? limit.ErrorId : "InvalidYaml", new SourceLocation(source, (int)ex.Start.Line, 0),
                ex is YamlLimitException ? Trim(ex) : $"invalid YAML: {Trim(ex)}"));
            return;
        }

        var index = 0;
        foreach (var document in stream.Documents)
        {
            index++;
            var root = document.RootNode;
            var location = new SourceLocation(source, (int)root.Start.Line, index);
            if (root is YamlScalarNode { Value: null or "" } || (root is YamlScalarNode s && s.Style == ScalarStyle.Plain && s.Value is "null" or "~"))
            {
                continue; // an empty document, as between two '---'
            }

            if (root is not YamlMappingNode map)
            {
                errors.Add(new ManifestException("InvalidDocument", location, "the document is not a mapping (a Kubernetes object has apiVersion, kind and metadata)."));
                continue;
            }

            if (YamlToJson.Convert(map) is not JsonObject body)
            {
                continue;
            }

            if ((string?)body["kind"] is "List" && body["items"] is JsonArray items)
            {
                var itemNodes = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "items" }).Value as YamlSequenceNode;
                for (var i = 0; i < items.Count; i++)
                {
                    var line = itemNodes is not null && i < itemNodes.Children.Count ? (int)itemNodes.Children[i].Start.Line : location.Line;
                    if (items[i] is JsonObject item)
                    {
                        AddChecked(item.DeepClone().AsObject(), location with { Line = line }, component, objects, errors,
                            itemNodes is not null && i < itemNodes.Children.Count ? YamlLines.ForNode(itemNodes.Children[i]) : _ => 0);
                    }
                }

                continue;
            }

            AddChecked(body, location, component, objects, errors, YamlLines.ForNode(map));
        }
    }

    /// <summary>The YAML a document may have before it is refused unparsed: far more than any object within the request limit needs.</summary>
    private const int MaxDocumentChars = 8 * ObjectValidator.MaxRequestBytes;

    /// <summary>The first document (its first line and length) longer than <see cref="MaxDocumentChars"/>, found without splitting the text.</summary>
    private static (int Line, long Chars)? OversizedDocument(string text)
    {
        if (text.Length <= MaxDocumentChars) return null;
        int line = 1, docLine = 1, docStart = 0;
        for (var i = 0; i <= text.Length; i = text.IndexOf('\n', i) is var n and >= 0 ? n + 1 : text.Length + 1)
        {
            var atEnd = i >= text.Length;
            if (atEnd || (string.CompareOrdinal(text, i, "---", 0, 3) == 0 && (i + 3 >= text.Length || char.IsWhiteSpace(text[i + 3]))))
            {
                if (i - docStart > MaxDocumentChars) return (docLine, i - docStart);
                docStart = i;
                docLine = line + 1; // the line after the separator
            }

            line++;
        }

        return null;
    }

    /// <summary>
    /// Empties lines made only of spaces. Go's YAML parser (which kubectl uses) accepts a block scalar
    /// whose first line is such a line, YamlDotNet does not; inside block scalars these lines mean an
    /// empty line either way. Line numbers stay the same.
    /// </summary>
    private static string BlankWhitespaceLines(string text)
    {
        if (!text.Contains(" \n", StringComparison.Ordinal) && !text.Contains(" \r\n", StringComparison.Ordinal)) return text;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length > 0 && string.IsNullOrWhiteSpace(line)) lines[i] = line.EndsWith('\r') ? "\r" : "";
        }

        return string.Join('\n', lines);
    }

    private static void AddChecked(JsonObject body, SourceLocation location, string? component, List<ManifestObject> objects, List<ManifestException> errors,
        Func<IReadOnlyList<string>, int> lineOf)
    {
        var problem = ObjectValidator.CheckShape(body);
        if (problem is not null)
        {
            errors.Add(new ManifestException("InvalidObject", location, problem));
            return;
        }

        objects.Add(new ManifestObject(body, location, component, lineOf));
    }

    private static string Trim(YamlException ex)
    {
        var message = ex.InnerException?.Message ?? ex.Message;
        var paren = message.IndexOf("): ", StringComparison.Ordinal);
        return paren >= 0 && message.StartsWith("(", StringComparison.Ordinal) ? message[(paren + 3)..] : message;
    }
}
