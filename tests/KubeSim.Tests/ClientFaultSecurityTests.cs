using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeSim.Faults;

namespace KubeSim.Tests;

/// <summary>Faults, latency, the request log, bearer tokens and TLS trust.</summary>
public class ClientFaultSecurityTests
{
    [Fact]
    public async Task FaultsAnswerMatchingRequestsThenStop()
    {
        await using var sim = await SimClient.StartAsync();
        sim.Server.AddFault(new FaultRule { Method = "GET", PathRegex = "/configmaps$", Count = 1, Kind = FaultKind.Status429, RetryAfterSeconds = 7 });
        sim.Server.AddFault(new FaultRule { Method = "*", PathRegex = "/secrets", Count = 1, Kind = FaultKind.Status503 });
        sim.Server.AddFault(new FaultRule { Method = "POST", PathRegex = "/configmaps$", Count = 1, Kind = FaultKind.DropConnection });
        using var http = new HttpClient { BaseAddress = sim.Server.Url };

        var limited = await http.GetAsync("/api/v1/namespaces/default/configmaps");
        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal("7", limited.Headers.GetValues("Retry-After").Single());
        Assert.Equal("TooManyRequests", (string?)JsonNode.Parse(await limited.Content.ReadAsStringAsync())!["reason"]);
        Assert.Equal(200, (int)(await http.GetAsync("/api/v1/namespaces/default/configmaps")).StatusCode);

        Assert.Equal(503, (int)(await http.GetAsync("/api/v1/namespaces/default/secrets")).StatusCode);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
            http.SendTextAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"x\"}}"));
        var created = await http.SendTextAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"x\"}}");
        Assert.Equal(201, (int)created.StatusCode);

        sim.Server.AddFault(new FaultRule { PathRegex = ".*", Count = 100, Kind = FaultKind.Status500 });
        Assert.Equal(500, (int)(await http.GetAsync("/version")).StatusCode);
        sim.Server.ClearFaults();
        Assert.Equal(200, (int)(await http.GetAsync("/version")).StatusCode);

        var statuses = sim.Server.Requests.Select(r => r.Status).ToList();
        Assert.Equal([429, 200, 503, 0, 201, 500, 200], statuses);
        Assert.Equal("POST", sim.Server.Requests[4].Method);
        Assert.StartsWith("application/json", sim.Server.Requests[4].ContentType);
    }

    [Fact]
    public async Task ControlEndpointsWorkOverHttpAndAreNotLogged()
    {
        await using var sim = await SimClient.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        var post = await http.SendTextAsync(HttpMethod.Post, "/_sim/faults", """{"method":"GET","pathRegex":"^/version$","count":1,"kind":"Status429","retryAfterSeconds":2}""", contentType: null);
        Assert.Equal(201, (int)post.StatusCode);
        Assert.Equal(429, (int)(await http.GetAsync("/version")).StatusCode);
        Assert.Equal(204, (int)(await http.PutAsync("/_sim/latency?ms=150", null)).StatusCode);
        Assert.Equal(150, sim.Server.LatencyMs);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await http.GetAsync("/version");
        Assert.True(watch.ElapsedMilliseconds >= 140);
        await http.PutAsync("/_sim/latency?ms=0", null);

        var log = JsonNode.Parse(await http.GetStringAsync("/_sim/requests"))!.AsArray();
        Assert.Equal(2, log.Count);
        Assert.Equal("/version", (string?)log[0]!["path"]);
        Assert.Equal(429, (int?)log[0]!["status"]);
        Assert.Equal(204, (int)(await http.DeleteAsync("/_sim/requests")).StatusCode);
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync("/_sim/requests"))!.AsArray());
        Assert.Equal(204, (int)(await http.DeleteAsync("/_sim/faults")).StatusCode);
    }

    [Fact]
    public async Task TokenIsRequiredWhenConfigured()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { Token = "s3cret", ReadyAfterMs = 10 });
        var list = await sim.Client.CoreV1.ListNamespaceAsync();
        Assert.Equal(4, list.Items.Count);

        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        var anonymous = await http.GetAsync("/api/v1/namespaces");
        Assert.Equal(403, (int)anonymous.StatusCode);
        Assert.Contains("system:anonymous", await anonymous.Content.ReadAsStringAsync());
        Assert.Equal(200, (int)(await http.GetAsync("/version")).StatusCode);

        http.DefaultRequestHeaders.Authorization = new("Bearer", "wrong");
        var wrong = await http.GetAsync("/api/v1/namespaces");
        Assert.Equal(401, (int)wrong.StatusCode);
        Assert.Equal("Unauthorized", (string?)JsonNode.Parse(await wrong.Content.ReadAsStringAsync())!["reason"]);

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(sim.KubeconfigPath);
        config.AccessToken = "wrong";
        using var wrongClient = new Kubernetes(config);
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => wrongClient.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, e.Response.StatusCode);
    }

    [Fact]
    public async Task TlsIsTrustedThroughTheKubeconfigCaOnly()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { Tls = true, ReadyAfterMs = 10 });
        Assert.Equal("https", sim.Server.Url.Scheme);
        Assert.Contains("certificate-authority-data:", sim.Server.KubeconfigYaml);
        var ns = await sim.Client.CoreV1.ReadNamespaceAsync("default");
        Assert.Equal("Active", ns.Status.Phase);

        using var untrusting = new HttpClient();
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri(sim.Server.Url, "/version")));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(e.InnerException);
    }

    [Fact]
    public async Task KubeconfigNamesClusterUserAndContextKubesim()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { Token = "t0k", ReadyAfterMs = 10 });
        var config = await k8s.KubernetesClientConfiguration.LoadKubeConfigAsync(sim.KubeconfigPath);
        Assert.Equal("kubesim", config.CurrentContext);
        Assert.Equal("kubesim", Assert.Single(config.Clusters).Name);
        Assert.Equal("t0k", Assert.Single(config.Users).UserCredentials.Token);
        Assert.Equal(sim.Server.Url.ToString().TrimEnd('/'), config.Clusters.Single().ClusterEndpoint.Server);
    }
}
