using System.Net;
using System.Text.Json.Nodes;

namespace IstioPS.Engine.Kube;

/// <summary>A Status answer of the API server, mapped onto a stable error id and kind.</summary>
public sealed class KubeApiException : IstioPSException
{
    public KubeApiException(HttpStatusCode statusCode, string reason, string message, string method, string path, object? target)
        : base(ErrorIdFor(statusCode, reason), KindFor(statusCode), message, target)
    {
        StatusCode = statusCode;
        Reason = reason;
        Method = method;
        Path = path;
    }

    public HttpStatusCode StatusCode { get; }
    public string Reason { get; }
    public string Method { get; }
    public string Path { get; }

    public static KubeApiException FromResponse(HttpStatusCode code, string body, string method, string path, object? target)
    {
        string reason = code.ToString();
        string message = $"{method} {path}: HTTP {(int)code} {code}";
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
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // not a Status body: keep the generic message
        }

        return new KubeApiException(code, reason, message, method, path, target);
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
