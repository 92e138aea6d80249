using System.Text.Json.Nodes;

namespace KubeSim.Api;

/// <summary>An error the API answers with a <c>Status</c> object, shaped like kube-apiserver's.</summary>
public sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }
    public string Reason { get; }
    public JsonObject? Details { get; }

    /// <summary>Seconds a client should wait, sent as Retry-After and in details.</summary>
    public int? RetryAfterSeconds { get; init; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
        };
        // Go's omitempty: a plain error kube-apiserver did not classify has no reason (StatusReasonUnknown).
        if (Reason.Length > 0) status["reason"] = Reason;
        if (Details is not null) status["details"] = Details.DeepClone();
        status["code"] = Code;
        return status;
    }

    static JsonObject DetailsFor(ResourceType? rt, string? name)
    {
        var d = new JsonObject();
        if (name is not null) d["name"] = name;
        if (rt is not null)
        {
            if (rt.Group.Length > 0) d["group"] = rt.Group;
            d["kind"] = rt.Plural;
        }
        return d;
    }

    public static ApiException NotFound(ResourceType rt, string name) =>
        new(404, "NotFound", $"{rt.GroupResource} \"{name}\" not found", DetailsFor(rt, name));

    public static ApiException NotFoundPath() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiException AlreadyExists(ResourceType rt, string name) =>
        new(409, "AlreadyExists", $"{rt.GroupResource} \"{name}\" already exists", DetailsFor(rt, name));

    public static ApiException Conflict(ResourceType rt, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {rt.GroupResource} \"{name}\": {why}", DetailsFor(rt, name));

    public static ApiException Modified(ResourceType rt, string name) =>
        Conflict(rt, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new JsonObject());

    public static ApiException UnsupportedMediaType(string contentType, IEnumerable<string> accepted) =>
        new(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}",
            new JsonObject());

    public static ApiException NotAcceptable() =>
        new(406, "NotAcceptable", "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf");

    public static ApiException Forbidden(ResourceType? rt, string? name, string why)
    {
        var what = rt is null ? "" : name is null ? $"{rt.GroupResource} " : $"{rt.GroupResource} \"{name}\" ";
        return new(403, "Forbidden", $"{what}is forbidden: {why}", DetailsFor(rt, name));
    }

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException Internal(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}",
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    /// <summary>422 Invalid with one cause per field error, message like kube-apiserver's.</summary>
    public static ApiException Invalid(ResourceType rt, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var e in errors)
            causes.Add(new JsonObject { ["reason"] = e.Reason, ["message"] = e.Detail, ["field"] = e.Field });
        var details = new JsonObject { ["name"] = name };
        if (rt.Group.Length > 0) details["group"] = rt.Group;
        details["kind"] = rt.Kind;
        details["causes"] = causes;
        var listed = errors.Count == 1
            ? errors[0].ToString()
            : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        var kind = rt.Group.Length > 0 ? $"{rt.Kind}.{rt.Group}" : rt.Kind;
        return new(422, "Invalid", $"{kind} \"{name}\" is invalid: {listed}", details);
    }
}

/// <summary>One field validation error (reason is the StatusCause type, e.g. FieldValueInvalid).</summary>
public sealed record FieldError(string Field, string Reason, string Detail)
{
    public static FieldError Required(string field, string detail) =>
        new(field, "FieldValueRequired", "Required value" + (detail.Length > 0 ? ": " + detail : ""));

    public static FieldError InvalidValue(string field, string value, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: \"{value}\": {detail}");

    public static FieldError Unsupported(string field, string value, IEnumerable<string> allowed) =>
        new(field, "FieldValueNotSupported",
            $"Unsupported value: \"{value}\": supported values: {string.Join(", ", allowed.Select(a => $"\"{a}\""))}");

    public override string ToString() => $"{Field}: {Detail}";
}
