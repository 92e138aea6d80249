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
    public ManifestObject(JsonObject body, SourceLocation source, string? component = null)
    {
        Body = body;
        Source = source;
        Component = component;
    }

    public JsonObject Body { get; }
    public SourceLocation Source { get; }
    public string? Component { get; }

    public string ApiVersion => (string?)Body["apiVersion"] ?? "";
    public string Kind => (string?)Body["kind"] ?? "";
    public string Name => (string?)Body["metadata"]?["name"] ?? "";

    /// <summary>The namespace written in the manifest, if any.</summary>
    public string? Namespace => (string?)Body["metadata"]?["namespace"];

    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";

    public override string ToString() => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}
