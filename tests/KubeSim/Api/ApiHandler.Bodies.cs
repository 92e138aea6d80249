using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeSim.Storage;
using KubeSim.Tables;
using Microsoft.AspNetCore.Http;

namespace KubeSim.Api;

/// <summary>Request bodies, media types and response writing.</summary>
public sealed partial class ApiHandler
{
    static string MediaType(string? contentType) =>
        (contentType ?? "application/json").Split(';')[0].Trim().ToLowerInvariant();

    static void CheckAccept(HttpContext ctx)
    {
        var accept = ctx.Request.Headers.Accept.ToString();
        if (accept.Length == 0) return;
        var types = accept.Split(',').Select(a => a.Split(';')[0].Trim().ToLowerInvariant()).ToList();
        if (types.Any(t => t is "*/*" or "application/*" or "application/json" or "application/yaml")) return;
        if (types.All(t => t.Contains("protobuf") || t.Contains("cbor"))) throw ApiException.NotAcceptable();
    }

    public const string Table = "Table";
    public const string PartialObjectMetadata = "PartialObjectMetadata";
    public const string PartialObjectMetadataList = "PartialObjectMetadataList";

    /// <summary>
    /// The meta.k8s.io/v1 form the Accept header asks for, in the client's order of preference, among the forms
    /// this endpoint serves (a list: Table or PartialObjectMetadataList; one object or a watch: Table or
    /// PartialObjectMetadata); null for the object itself. Media types this server does not speak are skipped.
    /// </summary>
    static string? Transform(HttpContext ctx, bool list)
    {
        var accept = ctx.Request.Headers.Accept.ToString();
        if (!accept.Contains("as=", StringComparison.Ordinal)) return null;
        foreach (var part in accept.Split(','))
        {
            var fields = part.Split(';').Select(f => f.Trim()).ToList();
            var media = fields[0].ToLowerInvariant();
            if (media.Contains("protobuf") || media.Contains("cbor")) continue;
            string? Param(string name) => fields.Skip(1).Select(f => f.Split('=', 2)).FirstOrDefault(kv => kv.Length == 2 && kv[0].Trim() == name)?[1].Trim();
            var asKind = Param("as");
            if (asKind is null) return null;
            if (!media.StartsWith("application/json", StringComparison.Ordinal) || Param("g") != "meta.k8s.io" || Param("v") != "v1") continue;
            if (asKind == Table || asKind == (list ? PartialObjectMetadataList : PartialObjectMetadata)) return asKind;
        }
        return null;
    }

    static string IncludeObject(HttpContext ctx) => ctx.Request.Query["includeObject"].FirstOrDefault() switch
    {
        "None" => "None",
        "Object" => "Object",
        _ => "Metadata",
    };

    static async Task<byte[]> ReadBodyAsync(HttpContext ctx)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await ctx.Request.Body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
        {
            ms.Write(buffer, 0, read);
            if (ms.Length > MaxBody) throw new ApiException(413, "RequestEntityTooLarge", "the request body is too large");
        }
        return ms.ToArray();
    }

    static async Task<JsonObject> ReadObjectAsync(HttpContext ctx)
    {
        var contentType = MediaType(ctx.Request.ContentType);
        var body = await ReadBodyAsync(ctx);
        if (body.Length == 0) throw ApiException.BadRequest("the request body is empty: couldn't get version/kind; json parse error: unexpected end of JSON input");
        JsonNode? node;
        try
        {
            node = contentType switch
            {
                "application/json" or "*/*" or "" => Json.ParseRequest(body),
                "application/yaml" or "application/x-yaml" or "text/yaml" => Yaml.Parse(Encoding.UTF8.GetString(body)),
                ProtobufDecoder.MediaType => ProtobufDecoder.Decode(body),
                _ => throw ApiException.UnsupportedMediaType(contentType, ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]),
            };
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw ApiException.BadRequest($"error converting YAML to JSON: {e.Message}");
        }
        return node as JsonObject ?? throw ApiException.BadRequest("couldn't get version/kind; json parse error: the body is not a JSON object");
    }

    static async Task<(DeletePropagation, JsonObject?, bool)> ReadDeleteOptionsAsync(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        string? policy = q["propagationPolicy"].FirstOrDefault();
        JsonObject? preconditions = null;
        var dry = false;
        var body = await ReadBodyAsync(ctx);
        if (body.Length > 0)
        {
            JsonNode? node;
            try { node = Json.ParseRequest(body); }
            catch (JsonException e) { throw ApiException.BadRequest($"couldn't get version/kind; json parse error: {e.Message}"); }
            if (node is JsonObject o)
            {
                policy ??= o.Str("propagationPolicy");
                if (o["orphanDependents"] is JsonValue ov && ov.TryGetValue<bool>(out var orphan) && orphan) policy ??= "Orphan";
                preconditions = o["preconditions"] as JsonObject;
                dry = o["dryRun"] is JsonArray d && d.Any(x => x.AsString() == "All");
            }
            else if (node is not null) throw ApiException.BadRequest("DeleteOptions must be a JSON object");
        }
        var propagation = policy switch
        {
            null or "" or "Background" => DeletePropagation.Background,
            "Foreground" => DeletePropagation.Foreground,
            "Orphan" => DeletePropagation.Orphan,
            _ => throw ApiException.BadRequest($"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""),
        };
        return (propagation, preconditions, dry);
    }

    async Task WriteObject(HttpContext ctx, int status, ResourceType rt, StoredObject obj)
    {
        switch (Transform(ctx, list: false))
        {
            case Table:
                await WriteJson(ctx, status, TablePrinter.Table(rt, [View(rt, obj)], obj.Rv.ToString(), null, IncludeObject(ctx)));
                return;
            case PartialObjectMetadata:
                await WriteBytes(ctx, status, obj.MetadataJson);
                return;
            default:
                await WriteBytes(ctx, status, BytesAs(rt, obj));
                return;
        }
    }

    public static Task WriteJson(HttpContext ctx, int status, JsonNode node) => WriteBytes(ctx, status, Json.Bytes(node));

    public static async Task WriteBytes(HttpContext ctx, int status, byte[] bytes, string contentType = "application/json")
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        ctx.Response.ContentLength = bytes.Length;
        if (HttpMethods.IsHead(ctx.Request.Method)) return;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }
}
