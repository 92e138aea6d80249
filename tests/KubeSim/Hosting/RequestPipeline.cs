using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Faults;
using KubeSim.Storage;
using Microsoft.AspNetCore.Http;

namespace KubeSim.Hosting;

/// <summary>
/// Every request goes through here: /_sim control requests first (never logged, delayed, faulted or
/// authenticated), then latency, faults, authentication, the API itself, Status mapping and the request log.
/// </summary>
public sealed class RequestPipeline(KubeSimServer server, ApiHandler api, FaultSet faults, RequestLog log, string? token, string userName, X509Certificate2? clientCa = null)
{
    public const string ControlPrefix = "/_sim";

    /// <summary>
    /// What the API's common requests run through, once, before the server announces itself: kube-apiserver's code is
    /// compiled ahead of time, KubeSim's on first use, and without this a client's first requests pay for it (the
    /// first 500-pod page of a big cluster took 109 ms, every later one under 2). The requests of <see cref="WarmUp"/>
    /// (reads, and dry runs that store nothing), straight into the API: never logged, delayed, faulted or
    /// authenticated, and their answers go nowhere.
    /// </summary>
    public async Task WarmAsync()
    {
        foreach (var (method, path, query, accept, contentType, body) in WarmUp.Requests(server.Registry))
        {
            var ctx = new DefaultHttpContext();
            ctx.Request.Method = method;
            ctx.Request.Path = path;
            ctx.Request.QueryString = new QueryString(query);
            ctx.Request.Headers.Accept = accept;
            if (body is not null)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(body);
                ctx.Request.ContentType = contentType;
                ctx.Request.ContentLength = bytes.Length;
                ctx.Request.Body = new MemoryStream(bytes);
            }
            ctx.Response.Body = Stream.Null;
            new RequestUser(userName, RequestUser.TokenAdmin.Groups).Attach(ctx);
            try
            {
                await api.HandleAsync(ctx);
            }
            catch (Api.ApiException)
            {
                // Best effort: a server started with deny rules (no create of ConfigMaps) still starts; the warm-up
                // only compiles code paths, and a refusal runs most of them.
            }
        }
    }

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (path.StartsWith(ControlPrefix, StringComparison.Ordinal))
        {
            await ControlAsync(ctx, path[ControlPrefix.Length..]);
            return;
        }
        var started = server.Uptime.Elapsed.TotalMilliseconds;
        double? answered = null;
        var status = 0;
        var logged = false;
        void Log(int code)
        {
            if (logged) return;
            logged = true;
            log.Add(new RequestLogEntry(ctx.Request.Method, path, ctx.Request.QueryString.Value?.TrimStart('?') ?? "",
                ctx.Request.ContentType, code, ctx.Request.Headers.UserAgent.FirstOrDefault(), RequestUser.Of(ctx).Name) { Accept = ctx.Request.Headers.Accept.ToString(), StartedMs = started, AnsweredMs = answered ?? server.Uptime.Elapsed.TotalMilliseconds });
        }
        ctx.Response.OnStarting(() =>
        {
            // Before the first byte of the answer leaves: no later request of the client can arrive before this time,
            // and a client that has its answer finds the request in the log (a watch's too, while it runs).
            answered = server.Uptime.Elapsed.TotalMilliseconds;
            Log(ctx.Response.StatusCode);
            return Task.CompletedTask;
        });
        try
        {
            var latency = server.LatencyMs;
            if (latency > 0) await Task.Delay(latency, ctx.RequestAborted);
            var fault = faults.Take(ctx.Request.Method, path);
            if (fault is not null)
            {
                if (fault.Kind == FaultKind.DropConnection)
                {
                    Log(0);
                    ctx.Abort();
                    return;
                }
                throw fault.Kind switch
                {
                    FaultKind.Status429 => new ApiException(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later",
                        new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = "client rate limited (simulated)" }), ["retryAfterSeconds"] = fault.RetryAfterSeconds })
                    { RetryAfterSeconds = fault.RetryAfterSeconds },
                    FaultKind.Status503 => new ApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request", new JsonObject()),
                    _ => ApiException.Internal("simulated server error"),
                };
            }
            await AuthenticateAsync(ctx, path);
            Impersonate(ctx);
            await api.HandleAsync(ctx);
            status = ctx.Response.StatusCode;
        }
        catch (ApiException e)
        {
            status = await WriteStatusAsync(ctx, e);
        }
        catch (BadHttpRequestException e)
        {
            status = await WriteStatusAsync(ctx, ApiException.BadRequest(e.Message));
        }
        catch (Exception e) when (ctx.RequestAborted.IsCancellationRequested && e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            status = 499;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The server boundary: whatever escaped the API becomes a 500 Status, never a crash.
            status = await WriteStatusAsync(ctx, ApiException.Internal(e.Message));
        }
        Log(status);
    }

    /// <summary>
    /// kube-apiserver's union of authenticators: a client certificate (when a client CA is configured), then the bearer
    /// token; what they accept becomes the request's <see cref="RequestUser"/>. Without either configured every request
    /// is let through as the configured user (the kubeconfig carries a placeholder token).
    /// </summary>
    async Task AuthenticateAsync(HttpContext ctx, string path)
    {
        if (token is null && clientCa is null)
        {
            new RequestUser(userName, RequestUser.TokenAdmin.Groups).Attach(ctx);
            return;
        }
        if (clientCa is not null && await ctx.Connection.GetClientCertificateAsync(ctx.RequestAborted) is { } certificate)
        {
            if (!RequestUser.IsIssuedBy(certificate, clientCa)) throw ApiException.Unauthorized();
            RequestUser.FromCertificate(certificate).Attach(ctx);
            return;
        }
        var header = ctx.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            if (token is not null && header[7..].Trim() == token)
            {
                new RequestUser(userName, RequestUser.TokenAdmin.Groups).Attach(ctx);
                return;
            }
            throw ApiException.Unauthorized();
        }
        if (header.Length > 0) throw ApiException.Unauthorized();
        if (path is "/version" or "/healthz" or "/livez" or "/readyz") return;
        throw new ApiException(403, "Forbidden",
            $"forbidden: User \"system:anonymous\" cannot {ctx.Request.Method.ToLowerInvariant()} path \"{path}\"", new JsonObject());
    }

    /// <summary>
    /// kube-apiserver's impersonation filter: Impersonate-User (with Impersonate-Group, Impersonate-Uid and
    /// Impersonate-Extra-* headers) makes the request that user's, once the authenticated user may impersonate each of
    /// them (verb impersonate on users, groups, uids, userextras; a service account's name on serviceaccounts);
    /// otherwise 403 as the authorizer words it. A non-anonymous user impersonated is in system:authenticated.
    /// </summary>
    void Impersonate(HttpContext ctx)
    {
        var headers = ctx.Request.Headers;
        var name = headers["Impersonate-User"].FirstOrDefault();
        var groups = headers["Impersonate-Group"].OfType<string>().ToList();
        var uid = headers["Impersonate-Uid"].FirstOrDefault();
        var extras = headers.Where(h => h.Key.StartsWith("Impersonate-Extra-", StringComparison.OrdinalIgnoreCase)).ToList();
        if (name is null && groups.Count == 0 && uid is null && extras.Count == 0) return;
        if (string.IsNullOrEmpty(name))
            throw ApiException.Internal("requested impersonation of groups, a uid or extras without impersonating a user");
        var actor = RequestUser.Of(ctx);
        void Check(Access a)
        {
            if (!server.Permissions.Allows(a)) throw Permissions.Forbidden(a);
        }
        var sa = name.Split(':');
        Check(sa is ["system", "serviceaccount", var ns, var account]
            ? new Access(actor.Name, "impersonate", "", "serviceaccounts", null, ns, account, actor.Groups)
            : new Access(actor.Name, "impersonate", "", "users", null, "", name, actor.Groups));
        foreach (var g in groups) Check(new Access(actor.Name, "impersonate", "", "groups", null, "", g, actor.Groups));
        if (uid is not null) Check(new Access(actor.Name, "impersonate", "authentication.k8s.io", "uids", null, "", uid, actor.Groups));
        foreach (var (key, values) in extras)
            foreach (var value in values.OfType<string>())
                Check(new Access(actor.Name, "impersonate", "authentication.k8s.io", "userextras", key["Impersonate-Extra-".Length..].ToLowerInvariant(), "", value, actor.Groups));
        if (name != RequestUser.Anonymous.Name && !groups.Contains("system:authenticated")) groups.Add("system:authenticated");
        new RequestUser(name, groups).Attach(ctx);
    }

    static async Task<int> WriteStatusAsync(HttpContext ctx, ApiException e)
    {
        if (ctx.Response.HasStarted) return ctx.Response.StatusCode;
        ctx.Response.Clear();
        if (e.RetryAfterSeconds is int retry) ctx.Response.Headers.RetryAfter = retry.ToString();
        await ApiHandler.WriteJson(ctx, e.Code, e.ToStatus());
        return e.Code;
    }

    async Task ControlAsync(HttpContext ctx, string path)
    {
        var method = ctx.Request.Method;
        try
        {
            switch (path, method)
            {
                case ("/requests", "GET"):
                    var arr = new JsonArray();
                    foreach (var r in log.Snapshot())
                        arr.Add(new JsonObject
                        {
                            ["method"] = r.Method, ["path"] = r.Path, ["query"] = r.Query,
                            ["contentType"] = r.ContentType, ["status"] = r.Status, ["userAgent"] = r.UserAgent, ["user"] = r.User,
                            ["accept"] = r.Accept, ["discovery"] = r.IsDiscovery,
                            ["startedMs"] = Math.Round(r.StartedMs, 1), ["answeredMs"] = Math.Round(r.AnsweredMs, 1),
                        });
                    await ApiHandler.WriteJson(ctx, 200, arr);
                    return;
                case ("/requests", "DELETE"):
                    log.Clear();
                    ctx.Response.StatusCode = 204;
                    return;
                case ("/faults", "POST"):
                {
                    var body = await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject ?? throw ApiException.BadRequest("expected a JSON object");
                    var kindText = body.Str("kind") ?? "Status500";
                    if (!Enum.TryParse<FaultKind>(kindText, true, out var kind))
                        kind = kindText switch { "429" => FaultKind.Status429, "503" => FaultKind.Status503, "drop" => FaultKind.DropConnection, _ => FaultKind.Status500 };
                    server.AddFault(new FaultRule
                    {
                        Method = body.Str("method") ?? "*",
                        PathRegex = body.Str("pathRegex") ?? ".*",
                        Count = (int)(body.Long("count") ?? 1),
                        Kind = kind,
                        RetryAfterSeconds = (int)(body.Long("retryAfterSeconds") ?? 1),
                    });
                    ctx.Response.StatusCode = 201;
                    return;
                }
                case ("/faults", "DELETE"):
                    faults.Clear();
                    ctx.Response.StatusCode = 204;
                    return;
                case ("/permissions", "GET"):
                    await ApiHandler.WriteJson(ctx, 200, new JsonObject
                    {
                        ["user"] = server.Options.UserName,
                        ["deny"] = new JsonArray(server.Permissions.Rules.Select(r => (JsonNode)r.ToString()).ToArray()),
                    });
                    return;
                case ("/permissions", "POST"):
                {
                    var body = await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject ?? throw ApiException.BadRequest("expected a JSON object");
                    // {"deny":"verbs:resources[:namespaces][@subjects]", "user":"alice" or ["alice",...], "group": ...}
                    static IEnumerable<string> Names(JsonNode? n) => n is JsonArray a ? a.Select(x => x.AsString()).OfType<string>() : n.AsString() is { } one ? [one] : [];
                    server.Permissions.Deny(DenyRule.Parse(body.Str("deny") ?? throw ApiException.BadRequest("deny is required")).For(Names(body["user"]), Names(body["group"])));
                    ctx.Response.StatusCode = 201;
                    return;
                }
                case ("/permissions", "DELETE"):
                    server.Permissions.Clear();
                    ctx.Response.StatusCode = 204;
                    return;
                case ("/compact", "POST"):
                    server.Compact();
                    ctx.Response.StatusCode = 204;
                    return;
                case ("/latency", "PUT" or "POST"):
                    server.LatencyMs = int.TryParse(ctx.Request.Query["ms"], out var ms) && ms >= 0 ? ms : throw ApiException.BadRequest("ms must be a non-negative integer");
                    ctx.Response.StatusCode = 204;
                    return;
                default:
                    throw ApiException.NotFoundPath();
            }
        }
        catch (ApiException e)
        {
            await WriteStatusAsync(ctx, e);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            await WriteStatusAsync(ctx, ApiException.BadRequest(e.Message));
        }
    }
}
