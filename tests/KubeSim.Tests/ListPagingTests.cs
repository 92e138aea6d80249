using System.Net;
using System.Text.Json.Nodes;

namespace KubeSim.Tests;

/// <summary>
/// What big clusters and long waits meet on a real API server: metadata-only lists, paging with continue
/// tokens that expire once history is compacted, watches the server ends, and 410 on compacted versions.
/// </summary>
public class ListPagingTests
{
    const string MetadataList = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

    static JsonObject Pod(string ns, string name, bool sidecar) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { ["app"] = name },
            ["annotations"] = sidecar ? new JsonObject { ["sidecar.istio.io/status"] = "{}" } : new JsonObject(),
        },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "example/app:1" }) },
    };

    static JsonObject ConfigMap(string ns, string name) =>
        new() { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns } };

    static async Task<JsonObject> GetJson(HttpClient http, string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    static async Task<(HttpStatusCode Code, JsonObject Body)> Send(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task MetadataOnlyListsPageThroughEveryObjectWithoutSpecs()
    {
        await using var sim = await SimClient.StartAsync();
        foreach (var i in Enumerable.Range(0, 7)) sim.Server.Seed(Pod("default", $"p{i}", sidecar: i % 3 == 0));
        using var http = new HttpClient { BaseAddress = sim.Server.Url };

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            // client-go's metadata client puts protobuf first: this server answers the JSON form it also accepts.
            var page = await GetJson(http, "/api/v1/namespaces/default/pods?limit=3" + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token)),
                "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1," + MetadataList + ",application/json");
            pages++;
            Assert.Equal("PartialObjectMetadataList", (string?)page["kind"]);
            Assert.Equal("meta.k8s.io/v1", (string?)page["apiVersion"]);
            foreach (var item in page["items"]!.AsArray().Select(i => i!.AsObject()))
            {
                Assert.Equal("PartialObjectMetadata", (string?)item["kind"]);
                Assert.Null(item["spec"]);
                Assert.Null(item["status"]);
                var name = (string)item["metadata"]!["name"]!;
                Assert.Equal(name, (string?)item["metadata"]!["labels"]!["app"]);
                Assert.Equal(name is "p0" or "p3" or "p6", item["metadata"]!["annotations"]?["sidecar.istio.io/status"] is not null);
                names.Add(name);
            }

            token = (string?)page["metadata"]!["continue"];
            if (token is not null) Assert.Equal(7 - names.Count, (long?)page["metadata"]!["remainingItemCount"]);
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"p{i}"), names);

        // One object, and a plain list, keep their full form.
        var one = await GetJson(http, "/api/v1/namespaces/default/pods/p1", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
        Assert.Equal("PartialObjectMetadata", (string?)one["kind"]);
        Assert.Null(one["spec"]);
        var full = await GetJson(http, "/api/v1/namespaces/default/pods?limit=1", "application/json");
        Assert.Equal("PodList", (string?)full["kind"]);
        Assert.NotNull(full["items"]![0]!["spec"]);
    }

    [Fact]
    public async Task FieldSelectorsFilterEveryPageAndLeaveNoEmptyLastPage()
    {
        await using var sim = await SimClient.StartAsync();
        foreach (var i in Enumerable.Range(0, 6)) sim.Server.Seed(Pod("default", $"p{i}", false));
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        var page = await GetJson(http, "/api/v1/pods?limit=2&fieldSelector=" + Uri.EscapeDataString("metadata.name!=p1,metadata.name!=p5"), MetadataList);
        Assert.Equal(["p0", "p2"], page["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
        page = await GetJson(http, "/api/v1/pods?limit=2&fieldSelector=" + Uri.EscapeDataString("metadata.name!=p1,metadata.name!=p5") + "&continue=" + Uri.EscapeDataString((string)page["metadata"]!["continue"]!), MetadataList);
        Assert.Equal(["p3", "p4"], page["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
        Assert.Null(page["metadata"]!["continue"]);
        Assert.Null(page["metadata"]!["remainingItemCount"]);
    }

    [Fact]
    public async Task ContinueTokensFromBeforeACompactionAnswer410Expired()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, HistoryLimit = 5 });
        foreach (var i in Enumerable.Range(0, 4)) sim.Server.Seed(ConfigMap("default", $"c{i}"));
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        var first = await GetJson(http, "/api/v1/namespaces/default/configmaps?limit=2");
        var token = Uri.EscapeDataString((string)first["metadata"]!["continue"]!);
        var (code, _) = await Send(http, $"/api/v1/namespaces/default/configmaps?limit=2&continue={token}");
        Assert.Equal(HttpStatusCode.OK, code);

        // (ConfigMaps: no controller writes in between.) More writes than the history keeps: the token's resourceVersion is compacted away.
        foreach (var i in Enumerable.Range(0, 6)) sim.Server.Seed(ConfigMap("default", $"d{i}"));
        var (expired, status) = await Send(http, $"/api/v1/namespaces/default/configmaps?limit=2&continue={token}");
        Assert.Equal(HttpStatusCode.Gone, expired);
        Assert.Equal("Expired", (string?)status["reason"]);
        Assert.Equal(410, (int?)status["code"]);

        // A fresh list works; an explicit compaction expires its token too.
        var again = await GetJson(http, "/api/v1/namespaces/default/configmaps?limit=2");
        sim.Server.Seed(ConfigMap("default", "e"));
        sim.Server.Compact();
        (expired, _) = await Send(http, $"/api/v1/namespaces/default/configmaps?limit=2&continue={Uri.EscapeDataString((string)again["metadata"]!["continue"]!)}");
        Assert.Equal(HttpStatusCode.Gone, expired);
    }

    [Fact]
    public async Task CompactionExpiresWatchesFromEarlierVersionsButNotFromNow()
    {
        await using var sim = await SimClient.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        var before = (string)(await GetJson(http, "/api/v1/namespaces/default/configmaps"))["metadata"]!["resourceVersion"]!;
        sim.Server.Seed(ConfigMap("default", "a"));
        var now = (string)(await GetJson(http, "/api/v1/namespaces/default/configmaps"))["metadata"]!["resourceVersion"]!;
        sim.Server.Compact();

        var old = JsonNode.Parse((await http.GetStringAsync($"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={before}&timeoutSeconds=1")).Trim())!;
        Assert.Equal("ERROR", (string?)old["type"]);
        Assert.Equal(410, (int?)old["object"]!["code"]);

        var current = await http.GetStringAsync($"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={now}&timeoutSeconds=1");
        Assert.DoesNotContain("ERROR", current);
    }

    [Fact]
    public async Task TheServerEndsWatchesAfterItsWatchTimeout()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, WatchTimeoutSeconds = 1 });
        using var http = new HttpClient { BaseAddress = sim.Server.Url, Timeout = TimeSpan.FromSeconds(30) };
        // No timeoutSeconds from the client: the server still ends the watch, after the initial events.
        var text = await http.GetStringAsync("/api/v1/namespaces?watch=1");
        var events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, events.Count(e => (string?)e["type"] == "ADDED"));

        // A metadata-only watch sends PartialObjectMetadata objects.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces?watch=1");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
        using var response = await http.SendAsync(request);
        var first = JsonNode.Parse((await response.Content.ReadAsStringAsync()).Split('\n')[0])!;
        Assert.Equal("PartialObjectMetadata", (string?)first["object"]!["kind"]);
    }
}
