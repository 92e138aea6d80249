using System.Text;
using System.Text.Json.Nodes;
using KubeSim.Storage;
using KubeSim.Tables;
using Microsoft.AspNetCore.Http;

namespace KubeSim.Api;

/// <summary>Watches: streamed events from a resourceVersion, or from the current state.</summary>
public sealed partial class ApiHandler
{
    async Task WatchAsync(HttpContext ctx, ApiRequest req)
    {
        var rt = req.Resource;
        var q = ctx.Request.Query;
        var labels = LabelSelector.Parse(q["labelSelector"].FirstOrDefault());
        var fields = FieldSelector.Parse(q["fieldSelector"].FirstOrDefault());
        if (req.Name is not null) fields = FieldSelector.Parse($"metadata.name={req.Name}" + (q["fieldSelector"].FirstOrDefault() is { Length: > 0 } f ? "," + f : ""));
        var rvText = q["resourceVersion"].FirstOrDefault();
        var sendInitial = q["sendInitialEvents"] == "true";
        var bookmarks = q["allowWatchBookmarks"] == "true";
        long? fromRv = string.IsNullOrEmpty(rvText) || rvText == "0" || sendInitial ? null
            : long.TryParse(rvText, out var r) ? r : throw ApiException.BadRequest($"invalid resource version: {rvText}");
        var transform = Transform(ctx, list: false);
        var include = IncludeObject(ctx);

        bool Match(StoredObject? o) => o is not null && (req.Namespace.Length == 0 || o.Namespace == req.Namespace)
            && labels.Matches(o.Labels) && fields.Matches(o);

        var timeout = int.TryParse(q["timeoutSeconds"], out var t) && t > 0 ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(30);
        if (WatchTimeout is { } cap && cap < timeout) timeout = cap;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        cts.CancelAfter(timeout);

        using var sub = TrySubscribe(rt.StorageKey, fromRv, req.Namespace, out var expired);
        if (sub is null)
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.StartAsync();
            var status = new ApiException(410, "Expired", expired!).ToStatus();
            await WriteEvent(ctx, "ERROR", Json.Bytes(status), CancellationToken.None);
            return;
        }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-cache, private";
        ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        await ctx.Response.StartAsync(cts.Token);
        await ctx.Response.Body.FlushAsync(cts.Token);
        try
        {
            byte[] Encode(ResourceType rt0, StoredObject o) => transform switch
            {
                Table => Json.Bytes(TablePrinter.Table(rt0, [View(rt0, o)], o.Rv.ToString(), null, include)),
                PartialObjectMetadata => o.MetadataJson,
                _ => BytesAs(rt0, o),
            };

            if (sub.Initial is not null)
            {
                foreach (var o in sub.Initial)
                    if (Match(o)) await WriteEvent(ctx, "ADDED", Encode(rt, o), cts.Token);
                if (sendInitial)
                    await WriteEvent(ctx, "BOOKMARK", Bookmark(rt, sub.StartRv, initialEnd: true), cts.Token);
            }
            if (sub.Replay is not null)
                foreach (var e in sub.Replay)
                    await Deliver(e);
            Task<bool>? pending = null;
            while (true)
            {
                pending ??= sub.Reader.WaitToReadAsync(cts.Token).AsTask();
                if (bookmarks && await Task.WhenAny(pending, Task.Delay(BookmarkInterval, cts.Token)) != pending)
                {
                    if (cts.IsCancellationRequested) break;
                    await WriteBookmarkIfIdle(ctx, rt, sub, cts.Token);
                    continue;
                }
                if (!await pending) break;
                pending = null;
                while (sub.Reader.TryRead(out var e)) await Deliver(e);
            }

            async Task Deliver(StoreEvent e)
            {
                var now = Match(e.Type == WatchType.Deleted ? e.Object : e.Object);
                var before = e.Type == WatchType.Modified && Match(e.Old);
                string? type = e.Type switch
                {
                    WatchType.Added => now ? "ADDED" : null,
                    WatchType.Deleted => now ? "DELETED" : null,
                    _ => now && before ? "MODIFIED" : now ? "ADDED" : before ? "DELETED" : null,
                };
                if (type is not null) await WriteEvent(ctx, type, Encode(rt, e.Object), cts.Token);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    /// <summary>
    /// Ends every watch after this long (a real server ends them after a few minutes); the client's own
    /// timeoutSeconds still applies when it is shorter. Null: only timeoutSeconds (default 30 minutes).
    /// </summary>
    public TimeSpan? WatchTimeout { get; init; }

    /// <summary>How often an idle watch that allows bookmarks gets one (tests shorten it).</summary>
    internal static TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A BOOKMARK at the current resourceVersion, sent only when every event up to it was delivered.</summary>
    async Task WriteBookmarkIfIdle(HttpContext ctx, ResourceType rt, ObjectStore.Subscription sub, CancellationToken ct)
    {
        long rv;
        lock (Store.Gate)
        {
            if (sub.Reader.Count > 0) return;
            rv = Store.CurrentRv;
        }
        await WriteEvent(ctx, "BOOKMARK", Bookmark(rt, rv, initialEnd: false), ct);
    }

    /// <summary>A subscription from <paramref name="fromRv"/>, or null (and why) when that resourceVersion is too old.</summary>
    ObjectStore.Subscription? TrySubscribe(string storageKey, long? fromRv, string ns, out string? expired)
    {
        try
        {
            expired = null;
            return Store.Subscribe(storageKey, fromRv, ns);
        }
        catch (ResourceVersionTooOldException e)
        {
            expired = e.Message;
            return null;
        }
    }

    static byte[] Bookmark(ResourceType rt, long rv, bool initialEnd)
    {
        var meta = new JsonObject { ["resourceVersion"] = rv.ToString() };
        if (initialEnd) meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        return Json.Bytes(new JsonObject { ["kind"] = rt.Kind, ["apiVersion"] = rt.ApiVersion, ["metadata"] = meta });
    }

    static async Task WriteEvent(HttpContext ctx, string type, byte[] obj, CancellationToken ct)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        var buf = new byte[head.Length + obj.Length + 2];
        head.CopyTo(buf, 0);
        obj.CopyTo(buf, head.Length);
        buf[^2] = (byte)'}';
        buf[^1] = (byte)'\n';
        await ctx.Response.Body.WriteAsync(buf, ct);
        await ctx.Response.Body.FlushAsync(ct);
    }
}
