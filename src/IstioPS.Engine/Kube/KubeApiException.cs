using System.Net;
using System.Text.Json.Nodes;

namespace IstioPS.Engine.Kube;

/// <summary>A Status answer of the API server, mapped onto a stable error id and kind.</summary>
public sealed class KubeApiException : IstioPSException
{
    public KubeApiException(HttpStatusCode statusCode, string reason, string message, string method, string path, object? target)
        : base(IsSchemaMismatchAnswer(statusCode, message) ? "SchemaMismatch" : ErrorIdFor(statusCode, reason),
               IsSchemaMismatchAnswer(statusCode, message) ? ErrorKind.InvalidData : KindFor(statusCode), message, target)
    {
        StatusCode = statusCode;
        Reason = reason;
        Method = method;
        Path = path;
    }

    public HttpStatusCode StatusCode { get; }
    public string Reason { get; }

    /// <summary>
    /// The start of kube-apiserver's answer to a server-side apply whose configuration does not fit the kind's schema
    /// (an undeclared field, a mistyped value): its field manager's plain error, a 500 that no retry changes.
    /// </summary>
    public const string TypedPatchFailure = "failed to create typed patch object (";

    /// <summary>Whether the server refused an applied configuration for not fitting the kind's schema.</summary>
    public bool IsSchemaMismatch => IsSchemaMismatchAnswer(StatusCode, Message);

    public static bool IsSchemaMismatchAnswer(HttpStatusCode code, string message) =>
        code == HttpStatusCode.InternalServerError && message.Contains(TypedPatchFailure, StringComparison.Ordinal);
    public string Method { get; }
    public string Path { get; }

    /// <summary>The Status's details.causes: the field (may be empty) and the message of each.</summary>
    public IReadOnlyList<(string Field, string Message)> Causes { get; private init; } = Array.Empty<(string, string)>();

    public static KubeApiException FromResponse(HttpStatusCode code, string body, string method, string path, object? target)
    {
        string reason = code.ToString();
        string message = $"{method} {path}: HTTP {(int)code} {code}";
        var causes = new List<(string, string)>();
        try
        {
            if (JsonNode.Parse(body) is JsonObject status && (string?)status["kind"] == "Status")
            {
                reason = (string?)status["reason"] ?? reason;
                var text = (string?)status["message"];
                if (!string.IsNullOrEmpty(text))
                {
                    message = text!;
                }

                if (status["details"]?["causes"] is JsonArray list)
                {
                    causes.AddRange(list.OfType<JsonObject>().Select(c => ((string?)c["field"] ?? "", (string?)c["message"] ?? "")));
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // not a Status body: keep the generic message
        }

        return new KubeApiException(code, reason, message, method, path, target) { Causes = causes };
    }

    private static string ErrorIdFor(HttpStatusCode code, string reason) => code switch
    {
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.NotFound => "NotFound",
        HttpStatusCode.Conflict => reason == "AlreadyExists" ? "AlreadyExists" : "Conflict",
        HttpStatusCode.UnprocessableEntity => "Invalid",
        HttpStatusCode.BadRequest => "BadRequest",
        HttpStatusCode.TooManyRequests => "TooManyRequests",
        HttpStatusCode.Gone => "Expired",
        _ => "ApiServerError",
    };

    private static ErrorKind KindFor(HttpStatusCode code) => code switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ErrorKind.PermissionDenied,
        HttpStatusCode.NotFound => ErrorKind.ObjectNotFound,
        HttpStatusCode.Conflict => ErrorKind.ResourceExists,
        HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest => ErrorKind.InvalidData,
        HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => ErrorKind.ResourceUnavailable,
        _ => ErrorKind.InvalidOperation,
    };
}
