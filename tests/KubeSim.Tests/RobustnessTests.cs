using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace KubeSim.Tests;

/// <summary>Fuzzing, process mode and the bench entry point.</summary>
public class RobustnessTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    static readonly string[] ContentTypes =
    [
        "application/json", "application/yaml", "application/merge-patch+json", "application/strategic-merge-patch+json",
        "application/apply-patch+yaml", "application/json-patch+json", "application/vnd.kubernetes.protobuf", "text/plain", "x/garbage",
    ];
    static readonly string[] Paths =
    [
        "/api/v1/namespaces", "/api/v1/namespaces/{ns}", "/api/v1/namespaces/{ns}/configmaps", "/api/v1/namespaces/{ns}/configmaps/{name}",
        "/api/v1/namespaces/{ns}/pods/{name}/status", "/api/v1/namespaces/{ns}/pods/{name}/log", "/apis/apps/v1/namespaces/{ns}/deployments/{name}",
        "/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale", "/apis/apps/v1/deployments", "/api/v1/nodes/{name}", "/apis",
        "/apis/{name}", "/apis/{name}/{name}", "/api/{name}", "/openapi/v3/{name}", "/openapi/v2", "/version", "/{name}",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}",
        "/api/v1/namespaces/{ns}/services/{name}", "/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}", "/api/v1/namespaces/{ns}/{name}/{name}/{name}/{name}",
    ];

    static string RandomName(Random r) => r.Next(6) switch
    {
        0 => "default",
        1 => "x" + r.Next(5),
        2 => "Bad_Name",
        3 => new string('a', r.Next(1, 300)),
        4 => "%2e%2e",
        _ => "kube-system",
    };

    static JsonNode? RandomJson(Random r, int depth) => (depth > 3 ? r.Next(4) : r.Next(7)) switch
    {
        0 => JsonValue.Create(r.Next(-5, 5)),
        1 => JsonValue.Create(RandomName(r)),
        2 => null,
        3 => JsonValue.Create(r.Next(2) == 0),
        4 => new JsonArray([.. Enumerable.Range(0, r.Next(3)).Select(_ => RandomJson(r, depth + 1))]),
        _ => new JsonObject(Enumerable.Range(0, r.Next(4)).Select(i => KeyValuePair.Create(
            new[] { "metadata", "spec", "data", "name", "labels", "op", "path", "value", "apiVersion", "kind", "containers", "$patch", "status" }[r.Next(13)] + (i > 0 ? i.ToString() : ""),
            RandomJson(r, depth + 1)))),
    };

    static byte[] RandomBody(Random r)
    {
        switch (r.Next(7))
        {
            case 0: return [];
            case 6:
                // The protobuf envelope of a Deployment followed by garbage: exercises the protobuf decoder.
                var garbage = new byte[r.Next(0, 48)];
                r.NextBytes(garbage);
                return [0x6b, 0x38, 0x73, 0x00, 0x0a, 0x15, 0x0a, 0x07, .. "apps/v1"u8, 0x12, 0x0a, .. "Deployment"u8, 0x12, (byte)garbage.Length, .. garbage];
            case 1:
                var bytes = new byte[r.Next(1, 64)];
                r.NextBytes(bytes);
                return bytes;
            case 2: return Encoding.UTF8.GetBytes("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + RandomName(r) + "\"}");
            case 3:
                return Encoding.UTF8.GetBytes(new JsonObject
                {
                    ["apiVersion"] = r.Next(2) == 0 ? "v1" : "apps/v1",
                    ["kind"] = new[] { "ConfigMap", "Namespace", "Deployment", "Pod", "Service" }[r.Next(5)],
                    ["metadata"] = new JsonObject { ["name"] = RandomName(r), ["labels"] = RandomJson(r, 2) },
                    ["spec"] = RandomJson(r, 1),
                    ["data"] = RandomJson(r, 2),
                }.ToJsonString());
            case 4: return Encoding.UTF8.GetBytes("[{\"op\":\"" + new[] { "add", "remove", "replace", "move", "test", "bogus" }[r.Next(6)] + "\",\"path\":\"/" + RandomName(r) + "\",\"value\":1}]");
            default: return Encoding.UTF8.GetBytes(RandomJson(r, 0)?.ToJsonString() ?? "null");
        }
    }

    /// <summary>
    /// The one 500 kube-apiserver 1.32 answers a client's input with: an applied configuration that does not fit the
    /// kind's schema (the field manager's plain error, no reason).
    /// </summary>
    static bool TypedPatchFailure(int code, string text) =>
        code == 500 && JsonNode.Parse(text) is JsonObject status && status["reason"] is null
        && ((string?)status["message"])?.StartsWith("failed to create typed patch object (", StringComparison.Ordinal) == true;

    [Fact]
    public async Task RandomRequestsAlwaysGetWellFormedAnswers()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        // Fixed seed and size by default; KUBESIM_FUZZ_SEED and KUBESIM_FUZZ_COUNT widen a local run.
        var random = new Random(int.TryParse(Environment.GetEnvironmentVariable("KUBESIM_FUZZ_SEED"), out var seed) ? seed : 20241125);
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("KUBESIM_FUZZ_COUNT"), out var n) ? n : 2500;
        for (var i = 0; i < iterations; i++)
        {
            var method = Methods[random.Next(Methods.Length)];
            var path = Paths[random.Next(Paths.Length)].Replace("{ns}", random.Next(3) == 0 ? RandomName(random) : "default");
            while (path.Contains("{name}")) path = path.Replace("{name}", RandomName(random));
            var query = random.Next(4) switch
            {
                0 => "",
                1 => "?dryRun=All&fieldManager=fuzz",
                2 => "?labelSelector=" + Uri.EscapeDataString(new[] { "a=b", "a in (b", "!x", "x notin (a,b)", "==", "a,b=c" }[random.Next(6)]),
                _ => "?fieldSelector=" + Uri.EscapeDataString(new[] { "metadata.name=x", "bogus", "=x", "status.phase!=Running" }[random.Next(4)]) + "&limit=" + random.Next(-1, 3) + "&continue=" + (random.Next(2) == 0 ? "junk" : ""),
            };
            using var request = new HttpRequestMessage(new HttpMethod(method), path + query);
            if (method is "POST" or "PUT" or "PATCH" || random.Next(5) == 0)
            {
                request.Content = new ByteArrayContent(RandomBody(random));
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentTypes[random.Next(ContentTypes.Length)]);
            }
            if (random.Next(4) == 0) request.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
            using var response = await http.SendAsync(request);
            var code = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            var where = $"#{i} {method} {path}{query} -> {code}: {text[..Math.Min(200, text.Length)]}";
            var typedPatchFailure = TypedPatchFailure(code, text);
            Assert.True(code < 500 || typedPatchFailure, where);
            if (method == "HEAD" || code == 204) continue;
            if (code >= 400)
            {
                var status = JsonNode.Parse(text) as JsonObject;
                Assert.True(status is not null && (string?)status["kind"] == "Status" && (int?)status["code"] == code
                    && (string?)status["status"] == "Failure" && (status["reason"] is not null || typedPatchFailure), where);
            }
            else if (response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                var doc = JsonDocument.Parse(text);
                Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/version")).StatusCode);
        Assert.Equal(sim.Server.ReadAll("v1", "Namespace").Count, (await sim.Client.CoreV1.ListNamespaceAsync()).Items.Count);
        Assert.Null(sim.Server.LastControllerError as NullReferenceException);
    }

    [Fact]
    public async Task RandomPatchesOfEveryKindNeverBreakALiveObject()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        const string path = "/apis/apps/v1/namespaces/default/deployments/web";
        const string deployment = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx","ports":[{"containerPort":80}]}]}}}}
            """;
        var create = await http.SendTextAsync(HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", deployment);
        Assert.Equal(201, (int)create.StatusCode);
        var random = new Random(7);
        string[] fields = ["replicas", "paused", "minReadySeconds", "template", "selector", "strategy", "containers", "labels", "$patch", "$retainKeys", "$setElementOrder/containers", "$deleteFromPrimitiveList/finalizers"];
        string[] types = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];
        for (var i = 0; i < 1500; i++)
        {
            var type = types[random.Next(types.Length)];
            JsonNode body = type == types[0]
                ? new JsonArray(new JsonObject
                {
                    ["op"] = new[] { "add", "remove", "replace", "copy", "move", "test" }[random.Next(6)],
                    ["path"] = "/" + string.Join('/', Enumerable.Range(0, random.Next(1, 4)).Select(_ => new[] { "spec", "metadata", "labels", "0", "-", "containers", "template" }[random.Next(7)])),
                    ["from"] = "/spec/replicas",
                    ["value"] = RandomJson(random, 2),
                })
                : new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "Deployment",
                    ["metadata"] = new JsonObject { ["name"] = "web", ["labels"] = random.Next(3) == 0 ? RandomJson(random, 3) : new JsonObject { ["k" + random.Next(3)] = "v" } },
                    ["spec"] = new JsonObject
                    {
                        [fields[random.Next(fields.Length)]] = RandomJson(random, 1),
                        ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "nginx:" + random.Next(3), [fields[random.Next(fields.Length)]] = RandomJson(random, 2) }) } },
                    },
                };
            var query = type == types[3] ? "?fieldManager=m" + random.Next(3) + (random.Next(2) == 0 ? "&force=true" : "") : "";
            using var request = new HttpRequestMessage(HttpMethod.Patch, path + query) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500 || type == types[3] && TypedPatchFailure((int)response.StatusCode, text),
                $"#{i} {type} {body.ToJsonString()} -> {(int)response.StatusCode} {text}");
            var node = JsonNode.Parse(text)!;
            Assert.Equal((int)response.StatusCode >= 400 ? "Status" : "Deployment", (string?)node["kind"]);
        }
        var final = await http.GetAsync(path);
        Assert.Equal(200, (int)final.StatusCode);
    }

    [Fact]
    public async Task ProcessModePrintsOneLineWritesKubeconfigAndExitsWhenStdinCloses()
    {
        var dir = TempDir.Create();
        var kubeconfig = Path.Combine(dir, "sub", "kubeconfig");
        var dll = typeof(KubeSimServer).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--kubeconfig", kubeconfig, "--ready-after-ms", "10", "--nodes", "2", "--token", "abc" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var line = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Matches(@"^KubeSim listening on http://127\.0\.0\.1:\d+$", line);
        var url = line!["KubeSim listening on ".Length..];
        Assert.Contains($"server: \"{url}\"", await File.ReadAllTextAsync(kubeconfig));
        using (var http = new HttpClient { BaseAddress = new Uri(url) })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", "abc");
            var nodes = JsonNode.Parse(await http.GetStringAsync("/api/v1/nodes"))!;
            Assert.Equal(2, nodes["items"]!.AsArray().Count);
        }
        p.StandardInput.Close();
        Assert.True(p.WaitForExit(15_000), "KubeSim did not exit after stdin closed");
        Assert.Equal(0, p.ExitCode);
        Assert.Equal("", await p.StandardOutput.ReadToEndAsync());
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ProcessModeRejectsBadArguments()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(KubeSimServer).Assembly.Location);
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add("x");
        using var p = Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("usage: KubeSim --kubeconfig", err);
    }

    [Fact]
    public async Task BenchListsEveryNamespaceAmongTenThousandObjects()
    {
        var (elapsed, count) = await KubeSimBench.ListNamespacesAsync(2000, 10_000);
        Assert.Equal(2004, count);
        Assert.True(elapsed > TimeSpan.Zero);
        output.WriteLine($"listed {count} namespaces among 10,000 objects in {elapsed.TotalMilliseconds:F1} ms");
    }
}
