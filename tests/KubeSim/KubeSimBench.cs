using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeSim.Api;

namespace KubeSim;

/// <summary>
/// Measurements for the bench harness (no assertions here): fills an in-process server and times
/// what clients do against it.
/// </summary>
public static class KubeSimBench
{
    /// <summary>
    /// Holds <paramref name="totalObjects"/> objects (among them <paramref name="namespaces"/> namespaces) and
    /// times one list of every namespace over HTTP, after one warm-up list. Returns the time and the count listed.
    /// </summary>
    public static async Task<(TimeSpan ListTime, int Count)> ListNamespacesAsync(int namespaces = 2000, int totalObjects = 10_000,
        CancellationToken ct = default)
    {
        await using var server = await KubeSimServer.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 }, ct).ConfigureAwait(false);
        Fill(server, namespaces, totalObjects);
        using var http = new HttpClient { BaseAddress = server.Url };
        await ListAsync(http, ct).ConfigureAwait(false);
        var watch = Stopwatch.StartNew();
        var count = await ListAsync(http, ct).ConfigureAwait(false);
        watch.Stop();
        return (watch.Elapsed, count);
    }

    /// <summary>Creates namespaces "bench-N" and ConfigMaps across them until the store holds totalObjects.</summary>
    public static void Fill(KubeSimServer server, int namespaces, int totalObjects)
    {
        var options = new WriteOptions { FieldManager = "bench" };
        var nsType = server.Registry.Get("", "namespaces");
        var cmType = server.Registry.Get("", "configmaps");
        for (var i = 0; i < namespaces; i++)
            server.Service.Create(nsType, null, new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = $"bench-{i}", ["labels"] = new JsonObject { ["bench"] = "true" } },
            }, options);
        var existing = server.Store.All().Count;
        for (var i = 0; existing + i < totalObjects; i++)
            server.Service.Create(cmType, $"bench-{i % namespaces}", new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = $"cm-{i}" },
                ["data"] = new JsonObject { ["key"] = "value" },
            }, options);
    }

    static async Task<int> ListAsync(HttpClient http, CancellationToken ct)
    {
        using var response = await http.GetAsync("/api/v1/namespaces", ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        return doc.RootElement.GetProperty("items").GetArrayLength();
    }
}
