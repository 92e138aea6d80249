using System.Net;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Wait;

/// <summary>
/// Follows a collection across a real server's interruptions, as client-go's reflector does. The first watch
/// sends the current state; a watch the server closes (servers end them after a few minutes) resumes from
/// the last resourceVersion seen, events and bookmarks alike; a resourceVersion the server compacted away
/// (410) lists the collection again and watches on from the list. Bookmarks never reach the handler.
/// </summary>
internal static class CollectionWatch
{
    /// <summary>
    /// Hands every event to <paramref name="onEvent"/> until it answers true (done) or the token is cancelled. With
    /// <paramref name="onList"/>, it starts with a list, and each list (the first, and those after a 410) is also
    /// handed over whole: what is absent is seen there, since no event ever says so. Events come without the object's
    /// top-level fields named in <paramref name="omit"/> (see <see cref="KubeApi.WatchAsync"/>).
    /// </summary>
    public static async Task RunAsync(KubeApi api, string path, string? fieldSelector, Func<WatchEvent, bool> onEvent, CancellationToken ct,
        Func<IReadOnlyList<System.Text.Json.Nodes.JsonObject>, bool>? onList = null, IReadOnlyCollection<string>? omit = null)
    {
        string? resourceVersion = null;
        var relist = onList is not null;
        var quiet = 0;
        while (true)
        {
            if (relist)
            {
                var (items, listVersion) = await api.ListAsync(path, null, ct, fieldSelector: fieldSelector).ConfigureAwait(false);
                foreach (var item in items)
                {
                    if (onEvent(new WatchEvent("ADDED", item))) return;
                }

                if (onList?.Invoke(items) == true) return;

                resourceVersion = listVersion;
                relist = false;
            }

            var delivered = false;
            try
            {
                await foreach (var ev in api.WatchAsync(path, null, fieldSelector, ct, resourceVersion, omit).ConfigureAwait(false))
                {
                    delivered = true;
                    if ((string?)ev.Object["metadata"]?["resourceVersion"] is { Length: > 0 } seen) resourceVersion = seen;
                    if (ev.Type == "BOOKMARK") continue;
                    if (onEvent(ev)) return;
                }
            }
            catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.Gone)
            {
                relist = true;
                continue;
            }

            // A server that closes watches at once, again and again, is not asked in a tight loop.
            quiet = delivered ? 0 : quiet + 1;
            if (quiet > 1) await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 25 << Math.Min(quiet, 6))), ct).ConfigureAwait(false);
        }
    }
}
