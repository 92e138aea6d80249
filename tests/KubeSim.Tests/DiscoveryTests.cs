using System.Text.Json.Nodes;
using k8s;

namespace KubeSim.Tests;

/// <summary>Discovery (plain and aggregated), OpenAPI and tables over plain HTTP.</summary>
public class DiscoveryTests
{
    static async Task<(HttpClient Http, SimClient Sim)> Start(bool aggregated = false)
    {
        var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, AggregatedDiscovery = aggregated });
        return (new HttpClient { BaseAddress = sim.Server.Url }, sim);
    }

    static async Task<JsonNode> Get(HttpClient http, string path, string? accept = null) => (await GetTyped(http, path, accept)).Body;

    static async Task<(JsonNode Body, string ContentType)> GetTyped(HttpClient http, string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!, response.Content.Headers.ContentType!.ToString().Replace(" ", ""));
    }

    [Fact]
    public async Task VersionReportsTheConfiguredServerVersionToTheClientAndKubectl()
    {
        await using (var sim = await SimClient.StartAsync())
        {
            var info = await sim.Client.Version.GetCodeAsync();
            Assert.Equal(("1", "32"), (info.Major, info.Minor));
            Assert.StartsWith("v1.32.0", info.GitVersion);
        }
        await using (var sim = await SimClient.StartAsync(new KubeSimOptions { ServerVersion = "v1.31.4" }))
        {
            var info = await sim.Client.Version.GetCodeAsync();
            Assert.Equal(("1", "31", "v1.31.4-kubesim"), (info.Major, info.Minor, info.GitVersion));
        }
        await Assert.ThrowsAsync<ArgumentException>(() => KubeSimServer.StartAsync(new KubeSimOptions { ServerVersion = "latest" }));

        if (Kubectl.Path_ is null) return;
        await using var k = await Kubectl.StartAsync(new KubeSimOptions { ServerVersion = "1.30" });
        Assert.Contains("Server Version: v1.30.0-kubesim", await k.Ok("version"));
    }

    [Fact]
    public async Task PlainAndAggregatedDiscoveryDescribeTheSameResources()
    {
        var (http, sim) = await Start(aggregated: true);
        await using var _ = sim;
        using var __ = http;
        Assert.Equal("1", (string?)(await Get(http, "/version"))["major"]);
        Assert.Equal(["v1"], (await Get(http, "/api"))["versions"]!.AsArray().Select(v => (string?)v));
        var groups = (await Get(http, "/apis"))["groups"]!.AsArray().Select(g => (string?)g!["name"]).ToList();
        Assert.Contains("apps", groups);
        Assert.Contains("apiextensions.k8s.io", groups);
        var apps = await Get(http, "/apis/apps/v1");
        Assert.Equal("APIResourceList", (string?)apps["kind"]);
        var deployments = apps["resources"]!.AsArray().Single(r => (string?)r!["name"] == "deployments")!;
        Assert.Equal(["deploy"], deployments["shortNames"]!.AsArray().Select(s => (string?)s));
        Assert.Equal(["all"], deployments["categories"]!.AsArray().Select(s => (string?)s));
        Assert.Contains(apps["resources"]!.AsArray(), r => (string?)r!["name"] == "deployments/scale" && (string?)r["kind"] == "Scale");

        const string aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
        var (list, contentType) = await GetTyped(http, "/apis", aggregated);
        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", contentType);
        Assert.Equal("APIGroupDiscoveryList", (string?)list["kind"]);
        var appsGroup = list["items"]!.AsArray().Single(i => (string?)i!["metadata"]!["name"] == "apps")!;
        var deploy = appsGroup["versions"]![0]!["resources"]!.AsArray().Single(r => (string?)r!["resource"] == "deployments")!;
        Assert.Equal("Namespaced", (string?)deploy["scope"]);
        Assert.Equal("Deployment", (string?)deploy["responseKind"]!["kind"]);
        var core = await Get(http, "/api", aggregated);
        Assert.Contains(core["items"]![0]!["versions"]![0]!["resources"]!.AsArray(), r => (string?)r!["resource"] == "pods" && (string?)r["shortNames"]![0] == "po");

        Assert.Equal(404, (int)(await http.GetAsync("/apis/apiextensions.k8s.io/v1beta1")).StatusCode);
    }

    [Fact]
    public async Task AggregatedRequestsGetThePlainAnswerByDefault()
    {
        var (http, sim) = await Start();
        await using var _ = sim;
        using var __ = http;
        const string aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        var (list, contentType) = await GetTyped(http, "/apis", aggregated);
        Assert.Equal("application/json", contentType);
        Assert.Equal("APIGroupList", (string?)list["kind"]);
    }

    [Fact]
    public async Task OpenApiV3TagsPatchOperationsForServerSideValidation()
    {
        var (http, sim) = await Start();
        await using var _ = sim;
        using var __ = http;
        var index = (await Get(http, "/openapi/v3"))["paths"]!.AsObject();
        var url = (string?)index["apis/apps/v1"]!["serverRelativeURL"];
        Assert.StartsWith("/openapi/v3/apis/apps/v1?hash=", url);
        var doc = await Get(http, url!);
        var item = doc["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!;
        var patch = item["patch"]!;
        Assert.Equal("Deployment", (string?)patch["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.Contains(patch["parameters"]!.AsArray(), p => (string?)p!["name"] == "fieldValidation" && (string?)p["in"] == "query");
        Assert.NotNull(patch["requestBody"]!["content"]!["application/apply-patch+yaml"]);
        var schema = doc["components"]!["schemas"]!["io.k8s.api.apps.v1.Deployment"]!;
        Assert.Equal("Deployment", (string?)schema["x-kubernetes-group-version-kind"]![0]!["kind"]);
        var v2 = await Get(http, "/openapi/v2", "application/json");
        Assert.Equal("2.0", (string?)v2["swagger"]);
        Assert.NotNull(v2["definitions"]!["io.k8s.api.core.v1.ConfigMap"]);
    }

    [Fact]
    public async Task TablesCarryTheColumnsKubectlPrints()
    {
        var (http, sim) = await Start();
        await using var _ = sim;
        using var __ = http;
        const string table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
        var namespaces = await Get(http, "/api/v1/namespaces?includeObject=Object", table);
        Assert.Equal("Table", (string?)namespaces["kind"]);
        Assert.Equal(["Name", "Status", "Age"], namespaces["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]));
        var row = namespaces["rows"]![0]!;
        Assert.Equal("default", (string?)row["cells"]![0]);
        Assert.Equal("Active", (string?)row["cells"]![1]);
        Assert.Equal("Namespace", (string?)row["object"]!["kind"]);
        var partial = await Get(http, "/api/v1/namespaces/default", table);
        Assert.Equal("PartialObjectMetadata", (string?)partial["rows"]![0]!["object"]!["kind"]);
        Assert.Equal("default", (string?)partial["rows"]![0]!["object"]!["metadata"]!["labels"]!["kubernetes.io/metadata.name"]);
        var none = await Get(http, "/api/v1/namespaces?includeObject=None", table);
        Assert.Null(none["rows"]![0]!["object"]);
        var services = await Get(http, "/api/v1/services", table);
        Assert.Equal(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"], services["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Equal(1, (int?)services["columnDefinitions"]![6]!["priority"]);
    }
}
