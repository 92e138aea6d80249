using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeSim.Controllers;
using KubeSim.Discovery;
using KubeSim.Hosting;
using KubeSim.OpenApi;
using KubeSim.Patch;
using KubeSim.Storage;
using KubeSim.Tables;
using Microsoft.AspNetCore.Http;

namespace KubeSim.Api;

/// <summary>Serves discovery, OpenAPI and every resource verb over HTTP, mapping failures to Status objects.</summary>
public sealed partial class ApiHandler(ResourceService service, OpenApiDocuments openApi, Func<string> serverAddress,
    KubeSimOptions simOptions, Permissions permissions, CancellationToken stopping)
{
    readonly bool _aggregatedDiscovery = simOptions.AggregatedDiscovery;
    readonly JsonObject _version = DiscoveryDocuments.Version(simOptions.ServerVersion);

    const int MaxBody = 3 * 1024 * 1024; // kube-apiserver's MaxRequestBodyBytes
    static readonly byte[] Newline = "\n"u8.ToArray();

    ResourceRegistry Registry => service.Registry;
    ObjectStore Store => service.Store;

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var segs = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segs.Length == 0) { await WriteJson(ctx, 200, RootPaths()); return; }
        switch (segs[0])
        {
            case "version" when segs.Length == 1:
                await WriteJson(ctx, 200, _version);
                return;
            case "healthz" or "livez" or "readyz":
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync("ok");
                return;
            case "openapi":
                await OpenApiAsync(ctx, segs);
                return;
            case "api" or "apis" when segs.Length == 1 && _aggregatedDiscovery && DiscoveryDocuments.WantsAggregated(ctx.Request.Headers.Accept.ToString()):
                RequireGet(ctx);
                await WriteBytes(ctx, 200, Json.Bytes(DiscoveryDocuments.Aggregated(Registry, core: segs[0] == "api")), DiscoveryDocuments.AggregatedMediaType);
                return;
            case "api" when segs.Length == 1:
                RequireGet(ctx);
                await WriteJson(ctx, 200, DiscoveryDocuments.CoreVersions(serverAddress()));
                return;
            case "apis" when segs.Length == 1:
                RequireGet(ctx);
                await WriteJson(ctx, 200, DiscoveryDocuments.GroupList(Registry));
                return;
            case "apis" when segs.Length == 2:
                RequireGet(ctx);
                await WriteJson(ctx, 200, DiscoveryDocuments.GroupDocument(Registry, segs[1]) ?? throw ApiException.NotFoundPath());
                return;
            case "api" when segs.Length == 2:
            case "apis" when segs.Length == 3:
            {
                RequireGet(ctx);
                var (g, v) = segs[0] == "api" ? ("", segs[1]) : (segs[1], segs[2]);
                await WriteJson(ctx, 200, DiscoveryDocuments.ResourceList(Registry, g, v) ?? throw ApiException.NotFoundPath());
                return;
            }
            case "api" or "apis":
                await ResourceAsync(ctx, ApiRequest.Parse(Registry, segs) ?? throw ApiException.NotFoundPath());
                return;
            default:
                throw ApiException.NotFoundPath();
        }
    }

    static void RequireGet(HttpContext ctx)
    {
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method)) throw ApiException.MethodNotAllowed();
    }

    JsonObject RootPaths()
    {
        var paths = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version");
        foreach (var (g, versions) in Registry.Groups().Where(g => g.Group.Length > 0))
        {
            paths.Add($"/apis/{g}");
            foreach (var v in versions) paths.Add($"/apis/{g}/{v}");
        }
        return new JsonObject { ["paths"] = paths };
    }

    async Task OpenApiAsync(HttpContext ctx, string[] segs)
    {
        RequireGet(ctx);
        if (segs.Length == 2 && segs[1] == "v2")
        {
            var accept = ctx.Request.Headers.Accept.ToString();
            if (accept.Contains("protobuf") && !accept.Contains("json"))
            {
                // The protobuf form is not generated: an empty message decodes as a document without
                // definitions, which makes clients fall back to OpenAPI v3 or their built-in knowledge.
                // kube-openapi answers with the dotted media type ("@v1.0" is only accepted in Accept headers, and
                // client-go refuses it in a Content-Type: "mime: unexpected content after media subtype").
                ctx.Response.ContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
                ctx.Response.ContentLength = 0;
                return;
            }
            await WriteBytes(ctx, 200, openApi.V2());
            return;
        }
        if (segs.Length >= 2 && segs[1] == "v3")
        {
            if (segs.Length == 2) { await WriteBytes(ctx, 200, openApi.V3Index()); return; }
            var doc = openApi.V3(string.Join('/', segs[2..])) ?? throw ApiException.NotFoundPath();
            if (ctx.Request.Query.ContainsKey("hash"))
                ctx.Response.Headers.CacheControl = "public, immutable";
            await WriteBytes(ctx, 200, doc);
            return;
        }
        throw ApiException.NotFoundPath();
    }

    async Task ResourceAsync(HttpContext ctx, ApiRequest req)
    {
        var method = ctx.Request.Method;
        var q = ctx.Request.Query;
        var rt = req.Resource;
        var watch = req.WatchPath || q["watch"] is var w && (w == "true" || w == "1");
        var options = new WriteOptions
        {
            FieldManager = q["fieldManager"].FirstOrDefault(),
            DryRun = q["dryRun"].Any(v => v == "All"),
            Force = q["force"] == "true",
            UserAgent = ctx.Request.Headers.UserAgent.ToString(),
        };
        CheckAccept(ctx);
        var requester = RequestUser.Of(ctx);
        var user = requester.Name;
        permissions.Authorize(new Access(user, Permissions.VerbOf(method, req, watch), rt.Group, rt.Plural, req.Subresource,
            req.Namespace, method == "POST" && req.Subresource is null ? null : req.Name, requester.Groups));

        if (req.Subresource is "log")
        {
            RequireGet(ctx);
            service.Get(rt, req.Namespace, req.Name!);
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync("");
            return;
        }
        if (req.Subresource is "scale")
        {
            await ScaleAsync(ctx, req, options);
            return;
        }
        if (req.Subresource is "eviction" && method == "POST")
        {
            var evicted = Eviction.Evict(service, rt, req.Namespace, req.Name!, options);
            await WriteJson(ctx, 201, DeletedStatus(rt, evicted.Object));
            return;
        }
        if (req.Subresource is not (null or "status")) throw ApiException.MethodNotAllowed();

        switch (method)
        {
            case "GET" when req.Name is not null && !watch:
                await WriteObject(ctx, 200, rt, service.Get(rt, req.Namespace, req.Name));
                return;
            case "GET" when watch:
                Allow(rt, "watch");
                await WatchAsync(ctx, req);
                return;
            case "GET":
                Allow(rt, "list");
                await ListAsync(ctx, req);
                return;
            case "POST" when req.Name is null && rt.Group == "authorization.k8s.io":
            {
                // Reviews are answered from the deny rules, never stored.
                var review = await ReadObjectAsync(ctx);
                review["apiVersion"] = rt.ApiVersion;
                review["kind"] = rt.Kind;
                review["status"] = AnswerReview(rt, req.Namespace, RequestUser.Of(ctx), review);
                await WriteJson(ctx, 201, review);
                return;
            }
            case "POST" when req.Name is null:
            {
                Allow(rt, "create");
                var body = await ReadObjectAsync(ctx);
                WarnUnknownFields(ctx, rt, body);
                ForbidCreateWhileCrdTerminating(rt, body.Name());
                var created = service.Create(rt, req.Namespace, body, options);
                await WriteObject(ctx, 201, rt, created);
                return;
            }
            case "PUT" when req.Name is not null:
            {
                Allow(rt, "update");
                var body = await ReadObjectAsync(ctx);
                WarnUnknownFields(ctx, rt, body);
                await WriteObject(ctx, 200, rt, service.Update(rt, req.Namespace, req.Name, body, req.Subresource, options));
                return;
            }
            case "PATCH" when req.Name is not null:
            {
                Allow(rt, "patch");
                var contentType = MediaType(ctx.Request.ContentType);
                if (contentType == PatchTypes.ApplyCbor || !PatchTypes.All.Contains(contentType))
                    throw ApiException.UnsupportedMediaType(contentType, rt.IsCustom
                        ? [PatchTypes.Json, PatchTypes.Merge, PatchTypes.ApplyYaml]
                        : PatchTypes.All);
                var body = await ReadBodyAsync(ctx);
                if (contentType is PatchTypes.Merge or PatchTypes.Strategic && ResourceService.ParseBody(body) is JsonObject patch)
                {
                    WarnUnknownFields(ctx, rt, patch);
                    body = Json.Bytes(patch);
                }
                var createAccess = new Access(user, "create", rt.Group, rt.Plural, req.Subresource, req.Namespace, req.Name, requester.Groups);
                var (obj, created) = service.Patch(rt, req.Namespace, req.Name, contentType, body, req.Subresource,
                    options with
                    {
                        // An apply that creates passes admission (a terminating CRD refuses it) before its create is authorized.
                        AuthorizeCreate = () =>
                        {
                            ForbidCreateWhileCrdTerminating(rt, req.Name);
                            if (!permissions.Allows(createAccess)) throw Permissions.ForbiddenCreateOnPatch(createAccess);
                        },
                    });
                await WriteObject(ctx, created ? 201 : 200, rt, obj);
                return;
            }
            case "DELETE" when req.Name is not null && req.Subresource is null:
            {
                Allow(rt, "delete");
                var (propagation, preconditions, dry) = await ReadDeleteOptionsAsync(ctx);
                var outcome = service.Delete(rt, req.Namespace, req.Name, propagation, preconditions, options with { DryRun = options.DryRun || dry });
                if (outcome.Pending || (rt.Kind == "Namespace" && !rt.IsCustom))
                    await WriteObject(ctx, 200, rt, outcome.Object);
                else
                    await WriteJson(ctx, 200, DeletedStatus(rt, outcome.Object));
                return;
            }
            case "DELETE" when req.Name is null:
            {
                Allow(rt, "deletecollection");
                var (propagation, _, dry) = await ReadDeleteOptionsAsync(ctx);
                var matching = Filter(req, Store.List(rt.StorageKey, req.Namespace), q);
                var items = new List<StoredObject>();
                foreach (var o in matching)
                {
                    try
                    {
                        items.Add(service.Delete(rt, o.Namespace, o.Name, propagation, null, options with { DryRun = options.DryRun || dry }).Object);
                    }
                    catch (ApiException e) when (e.Code == 404) { }
                }
                await WriteList(ctx, rt, items, Store.CurrentRv.ToString(), null, null);
                return;
            }
            default:
                throw ApiException.MethodNotAllowed();
        }
    }

    /// <summary>Unknown fields of a request body: 400 (Strict), a Warning header (Warn, the default) or nothing; dropped.</summary>
    static void WarnUnknownFields(HttpContext ctx, ResourceType rt, JsonObject body)
    {
        var directive = SchemaValidation.Parse(ctx.Request.Query["fieldValidation"].FirstOrDefault());
        foreach (var warning in SchemaValidation.CheckUnknown(rt, body, directive))
            ctx.Response.Headers.Append("Warning", "299 - " + ImmutableFields.GoQuote(warning));
    }

    /// <summary>
    /// authorization.k8s.io's reviews, each about its subject: the requester's own (SelfSubjectAccessReview,
    /// SelfSubjectRulesReview in spec.namespace), or spec.user and spec.groups (SubjectAccessReview,
    /// LocalSubjectAccessReview, whose resourceAttributes.namespace must be its own), refused as kube-apiserver refuses them.
    /// </summary>
    JsonObject AnswerReview(ResourceType rt, string ns, RequestUser requester, JsonObject review)
    {
        var spec = review["spec"] as JsonObject;
        switch (rt.Kind)
        {
            case "SelfSubjectRulesReview":
                var rulesNs = spec.Str("namespace");
                if (string.IsNullOrEmpty(rulesNs)) throw ApiException.BadRequest("no namespace on request");
                return permissions.RulesReview(requester.Name, requester.Groups, rulesNs, Registry.All);
            case "SubjectAccessReview" or "LocalSubjectAccessReview":
                var user = spec.Str("user") ?? "";
                var groups = (spec?["groups"] as JsonArray)?.Select(g => g.AsString()).OfType<string>().ToList() ?? [];
                if (user.Length == 0 && groups.Count == 0)
                    throw ApiException.Invalid(rt, "", [FieldError.InvalidValue("spec.user", "", "at least one of user or group must be specified")]);
                if (rt.Kind == "LocalSubjectAccessReview" && spec.At("resourceAttributes").Str("namespace") != ns)
                    throw ApiException.BadRequest($"spec.resourceAttributes.namespace must match namespace: {ns}");
                return permissions.Review(user, groups, review);
            default:
                return permissions.Review(requester.Name, requester.Groups, review);
        }
    }

    /// <summary>
    /// apiextensions-apiserver's forbidCreateAdmission: while a custom resource's CRD is being deleted (marked, or its
    /// Terminating condition True), creates of it (a POST, or a patch that would create) are refused with 403 before
    /// any other admission; reads, updates and deletes of the objects still there go on.
    /// </summary>
    void ForbidCreateWhileCrdTerminating(ResourceType rt, string? name)
    {
        if (!rt.IsCustom || rt.CrdName is null) return;
        var crd = Store.Get(Registry.Get("apiextensions.k8s.io", "customresourcedefinitions").StorageKey, "", rt.CrdName);
        if (crd is null || !CrdController.IsTerminating(crd.Object)) return;
        throw ApiException.Forbidden(rt, string.IsNullOrEmpty(name) ? null : name, "create not allowed while custom resource definition is terminating");
    }

    static void Allow(ResourceType rt, string verb)
    {
        if (!rt.Verbs.Contains(verb)) throw ApiException.MethodNotAllowed();
    }

    static JsonObject DeletedStatus(ResourceType rt, StoredObject obj)
    {
        var details = new JsonObject { ["name"] = obj.Name };
        if (rt.Group.Length > 0) details["group"] = rt.Group;
        details["kind"] = rt.Plural;
        details["uid"] = obj.Uid;
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    async Task ScaleAsync(HttpContext ctx, ApiRequest req, WriteOptions options)
    {
        var rt = req.Resource;
        JsonObject ScaleOf(StoredObject s)
        {
            var o = s.Object;
            var selector = o.At("spec", "selector");
            var sel = string.Join(",", Json.StringMap(selector?["matchLabels"] ?? selector).Select(kv => $"{kv.Key}={kv.Value}"));
            return new JsonObject
            {
                ["kind"] = "Scale",
                ["apiVersion"] = "autoscaling/v1",
                ["metadata"] = new JsonObject
                {
                    ["name"] = s.Name, ["namespace"] = s.Namespace, ["uid"] = o.Uid(),
                    ["resourceVersion"] = s.Rv.ToString(),
                    ["creationTimestamp"] = o.At("metadata", "creationTimestamp")?.DeepClone(),
                },
                ["spec"] = new JsonObject { ["replicas"] = o.At("spec").Long("replicas") ?? 0 },
                ["status"] = new JsonObject { ["replicas"] = o.At("status").Long("replicas") ?? 0, ["selector"] = sel },
            };
        }
        var current = service.Get(rt, req.Namespace, req.Name!);
        JsonObject? desired = ctx.Request.Method switch
        {
            "GET" => null,
            "PUT" => await ReadObjectAsync(ctx),
            "PATCH" => MediaType(ctx.Request.ContentType) switch
            {
                PatchTypes.Json => JsonPatch.Apply(ScaleOf(current), ResourceService.ParseBody(await ReadBodyAsync(ctx))) as JsonObject,
                PatchTypes.Merge or PatchTypes.Strategic => MergePatch.Apply(ScaleOf(current), ResourceService.ParseBody(await ReadBodyAsync(ctx))) as JsonObject,
                var ct => throw ApiException.UnsupportedMediaType(ct, [PatchTypes.Json, PatchTypes.Merge, PatchTypes.Strategic]),
            },
            _ => throw ApiException.MethodNotAllowed(),
        };
        if (desired is not null)
        {
            var replicas = desired.At("spec").Long("replicas") ?? throw ApiException.BadRequest("spec.replicas is required");
            if (options.DryRun)
            {
                var copy = ScaleOf(current);
                copy["spec"]!["replicas"] = replicas;
                await WriteJson(ctx, 200, copy);
                return;
            }
            current = service.Mutate(rt, req.Namespace, req.Name!, o =>
            {
                o.Obj("spec")["replicas"] = replicas;
                return true;
            }, "scale", options.Manager) ?? throw ApiException.NotFound(rt, req.Name!);
        }
        await WriteJson(ctx, 200, ScaleOf(current));
    }

    // ---- list ----

    IEnumerable<StoredObject> Filter(ApiRequest req, IEnumerable<StoredObject> items, IQueryCollection q)
    {
        var labels = LabelSelector.Parse(q["labelSelector"].FirstOrDefault());
        var fields = FieldSelector.Parse(q["fieldSelector"].FirstOrDefault());
        if (labels.IsEmpty && fields.IsEmpty) return items;
        return items.Where(o => labels.Matches(o.Labels) && fields.Matches(o));
    }

    async Task ListAsync(HttpContext ctx, ApiRequest req)
    {
        var rt = req.Resource;
        var q = ctx.Request.Query;
        long listRv;
        List<StoredObject> all;
        long oldest;
        lock (Store.Gate)
        {
            listRv = Store.CurrentRv;
            oldest = Store.OldestRv;
            all = Store.List(rt.StorageKey, req.Namespace);
        }
        var limit = int.TryParse(q["limit"], out var l) && l > 0 ? l : int.MaxValue;
        var start = 0;
        var token = q["continue"].FirstOrDefault();
        if (!string.IsNullOrEmpty(token))
        {
            var (rv, after) = DecodeContinue(token);
            // A token from a compacted resourceVersion cannot give a consistent list (etcd answers the same).
            if (rv < oldest)
                throw new ApiException(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            listRv = rv;
            start = FirstAfter(all, after);
        }
        var unfiltered = q["labelSelector"].FirstOrDefault() is not { Length: > 0 } && q["fieldSelector"].FirstOrDefault() is not { Length: > 0 };
        var filtered = Filter(req, all.Skip(start), q);
        var page = new List<StoredObject>(Math.Min(limit, all.Count - start));
        string? next = null;
        long? remaining = null;
        using (var e = filtered.GetEnumerator())
        {
            while (page.Count < limit && e.MoveNext()) page.Add(e.Current);
            if (page.Count == limit && limit != int.MaxValue)
            {
                // kube-apiserver counts what is left only when no selector filters the list.
                var more = unfiltered ? start + page.Count < all.Count : e.MoveNext();
                if (more)
                {
                    next = EncodeContinue(listRv, page[^1].Key);
                    if (unfiltered) remaining = all.Count - start - page.Count;
                }
            }
        }
        await WriteList(ctx, rt, page, listRv.ToString(), next, remaining);
    }

    /// <summary>The index of the first object whose key sorts after <paramref name="key"/> (the list is in key order).</summary>
    static int FirstAfter(List<StoredObject> sorted, string key)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(sorted[mid].Key, key) > 0) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    static string EncodeContinue(long rv, string key) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = key }))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static (long Rv, string Start) DecodeContinue(string token)
    {
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var node = JsonNode.Parse(Convert.FromBase64String(b64));
            return (node.Long("rv") ?? 0, node.Str("start") ?? throw new FormatException());
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }

    async Task WriteList(HttpContext ctx, ResourceType rt, List<StoredObject> items, string rv, string? next, long? remaining)
    {
        var transform = Transform(ctx, list: true);
        if (transform == Table)
        {
            var table = TablePrinter.Table(rt, items.Select(i => View(rt, i)), rv, next, IncludeObject(ctx));
            await WriteJson(ctx, 200, table);
            return;
        }
        var metadataOnly = transform == PartialObjectMetadataList;
        var meta = new JsonObject { ["resourceVersion"] = rv };
        if (next is not null) meta["continue"] = next;
        if (remaining is not null) meta["remainingItemCount"] = remaining;
        var (kind, apiVersion) = metadataOnly ? (PartialObjectMetadataList, "meta.k8s.io/v1") : (rt.ListKind, rt.ApiVersion);
        var head = Encoding.UTF8.GetBytes($"{{\"kind\":\"{kind}\",\"apiVersion\":\"{apiVersion}\",\"metadata\":{Json.Text(meta)},\"items\":[");
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        var bodies = items.Select(i => metadataOnly ? i.MetadataJson : BytesAs(rt, i)).ToList();
        ctx.Response.ContentLength = head.Length + bodies.Sum(b => (long)b.Length) + Math.Max(0, bodies.Count - 1) + 2;
        if (HttpMethods.IsHead(ctx.Request.Method)) return;
        // Cached item bytes go straight into the response pipe: no copy of the whole list.
        var writer = ctx.Response.BodyWriter;
        writer.Write(head);
        for (var i = 0; i < bodies.Count; i++)
        {
            if (i > 0) writer.Write(","u8);
            writer.Write(bodies[i]);
            // Hand large pages to the socket as they are written rather than holding them all in the pipe.
            if (writer.UnflushedBytes > 256 * 1024) await writer.FlushAsync(ctx.RequestAborted);
        }
        writer.Write("]}"u8);
        await writer.FlushAsync(ctx.RequestAborted);
    }

    static bool SameVersion(ResourceType rt, StoredObject o) => o.ApiVersion == rt.ApiVersion;

    static byte[] BytesAs(ResourceType rt, StoredObject o) =>
        SameVersion(rt, o) ? o.Json : Json.Bytes(ResourceService.ViewAs(rt, o.Object));

    static JsonObject View(ResourceType rt, StoredObject o) =>
        SameVersion(rt, o) ? o.Object : ResourceService.ViewAs(rt, o.Object);
}
