using System.Text.Json.Nodes;

namespace IstioPS.Engine.Manifests;

/// <summary>Where an object came from: file (or a rendered template), line, and document number.</summary>
public readonly record struct SourceLocation(string File, int Line, int Document)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
}

/// <summary>A Kubernetes object read from a manifest, remembering where it came from.</summary>
public sealed class ManifestObject
{
    private readonly Func<IReadOnlyList<string>, int>? _lineOf;

    /// <param name="lineOf">Finds the line of a field (keys from the root) in the source, 0 when it cannot; null when the source has no lines.</param>
    public ManifestObject(JsonObject body, SourceLocation source, string? component = null, Func<IReadOnlyList<string>, int>? lineOf = null)
    {
        Body = body;
        Source = source;
        Component = component;
        _lineOf = lineOf;
    }

    public JsonObject Body { get; }
    public SourceLocation Source { get; }
    public string? Component { get; }

    /// <summary>Where a field of this object is written (the line of its key), or the object's own location when that is not known.</summary>
    public SourceLocation LocationOf(IReadOnlyList<string>? path) =>
        path is { Count: > 0 } && _lineOf?.Invoke(path) is > 0 and var line ? Source with { Line = line } : Source;

    public string ApiVersion => (string?)Body["apiVersion"] ?? "";
    public string Kind => (string?)Body["kind"] ?? "";
    public string Name => (string?)Body["metadata"]?["name"] ?? "";

    /// <summary>The namespace written in the manifest, if any.</summary>
    public string? Namespace => (string?)Body["metadata"]?["namespace"];

    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";

    public override string ToString() => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}
