using System.Text.Json;
using System.Text.Json.Nodes;

namespace IstioPS.Engine.Kube;

/// <summary>
/// Reads an object straight from UTF-8 bytes into only what its reader uses: without <c>metadata.managedFields</c>
/// and without the top-level fields named in the omissions. What is left out is skipped by the reader, never built
/// (a CustomResourceDefinition is hundreds of kilobytes of schema, and its managedFields mirror them).
/// </summary>
public static class JsonProjection
{
    internal static readonly JsonReaderOptions Options = new() { MaxDepth = Manifests.ObjectValidator.MaxJsonDepth };

    /// <summary>The object in <paramref name="json"/> without <paramref name="omit"/> and managedFields (an empty object for no bytes).</summary>
    public static JsonObject Parse(ReadOnlySpan<byte> json, IReadOnlyCollection<string>? omit)
    {
        if (json.IsEmpty) return new JsonObject();
        var reader = new Utf8JsonReader(json, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return new JsonObject();
        return Read(ref reader, omit);
    }

    /// <summary>The items of a list page (<c>{"items":[...]}</c>), each projected as <see cref="Parse"/> says.</summary>
    public static List<JsonObject> Items(ReadOnlySpan<byte> page, IReadOnlyCollection<string>? omit)
    {
        var items = new List<JsonObject>();
        var reader = new Utf8JsonReader(page, Options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return items;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isItems = reader.ValueTextEquals("items"u8);
            reader.Read();
            if (!isItems || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.StartObject) items.Add(Read(ref reader, omit));
                else reader.Skip();
            }
        }

        return items;
    }

    /// <summary>The object the reader is at (on its StartObject), projected as <see cref="Parse"/> says.</summary>
    internal static JsonObject Read(ref Utf8JsonReader reader, IReadOnlyCollection<string>? omit) => ReadObject(ref reader, omit, "managedFields");

    private static JsonObject ReadObject(ref Utf8JsonReader reader, IReadOnlyCollection<string>? omit, string? omitInMetadata)
    {
        var result = new JsonObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (omit?.Contains(name) == true) reader.Skip();
            else if (omitInMetadata is not null && name == "metadata" && reader.TokenType == JsonTokenType.StartObject)
                result[name] = ReadObject(ref reader, [omitInMetadata], null);
            else result[name] = JsonNode.Parse(ref reader);
        }

        return result;
    }
}
