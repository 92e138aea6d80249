using System.Text.Json;
using System.Text.Json.Nodes;

namespace IstioPS.Engine.Kube;

/// <summary>
/// Reads one watch event (a line of a watch stream) straight from its UTF-8 bytes into only what the waits use: its
/// type and its object without <c>metadata.managedFields</c> and without the object's top-level fields the caller
/// omits. What is left out is skipped by the reader, never built: a CRD's event is hundreds of kilobytes of schema,
/// and an install sees each CRD two or three times while it waits for them to be Established.
/// </summary>
public static class WatchEvents
{
    /// <summary>The event's type and object, or null for a line that is not an event with an object (a blank one too).</summary>
    public static (string Type, JsonObject Object)? Parse(ReadOnlySpan<byte> line, IReadOnlyCollection<string>? omit = null)
    {
        if (line.Trim(" \t\r"u8).IsEmpty) return null;
        var reader = new Utf8JsonReader(line, JsonProjection.Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        string? type = null;
        JsonObject? obj = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            var isObject = !isType && reader.ValueTextEquals("object"u8);
            reader.Read();
            if (isType && reader.TokenType == JsonTokenType.String) type = reader.GetString();
            else if (isObject && reader.TokenType == JsonTokenType.StartObject) obj = JsonProjection.Read(ref reader, omit);
            else reader.Skip();
        }

        return obj is null ? null : (type ?? "", obj);
    }
}
