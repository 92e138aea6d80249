using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Injection;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;
using KubeSim;
using IstioPS.Engine.Wait;
using Xunit;

namespace IstioPS.Tests;

/// <summary>
/// What far-away and big clusters ask of the engine, at small scale: discovery asked once per server and
/// session, metadata-only paged scans that survive expired continue tokens, and waits that survive watches
/// the server closes and history it compacts.
/// </summary>
public class ScaleAndWatchTests
{
    private static JsonObject Pod(string ns, string name, bool sidecar = false, bool completes = false, string? revision = null)
    {
        var labels = new JsonObject { ["app"] = name };
        if (revision is not null) labels["istio.io/rev"] = revision;
        var annotations = new JsonObject();
        if (sidecar) annotations["sidecar.istio.io/status"] = "{\"containers\":[\"istio-proxy\"]}";
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "example/app:1" }) };
        if (completes) spec["restartPolicy"] = "Never";
        return new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labels, ["annotations"] = annotations },
            ["spec"] = spec,
        };
    }

    private static JsonObject Namespace(string name, string? injection = null) => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = injection is null ? new JsonObject() : new JsonObject { ["istio-injection"] = injection } },
    };

    [Fact]
    public async Task DiscoveryIsAskedOncePerServerForTheSession()
    {
        await using var sim = await Sim.StartAsync();
        var first = await new RestMapper(sim.Api).FindAsync("apps/v1", "Deployment", default);
        Assert.Equal("deployments", first!.Plural);
        Assert.Single(sim.Server.Requests, r => r.IsDiscovery);

        // Another connection to the same server (another cmdlet call of the session) asks nothing again.
        sim.Server.ClearRequests();
        using (var again = KubeApi.Connect(new KubeConnectionOptions(sim.Kubeconfig)))
        {
            var mapper = new RestMapper(again);
            Assert.Equal("deployments", (await mapper.FindAsync("apps/v1", "Deployment", default))!.Plural);
            Assert.Equal("statefulsets", (await mapper.FindAsync("apps/v1", "StatefulSet", default))!.Plural);
        }

        Assert.Empty(sim.Server.Requests);

        // What the kept answer does not know is asked again once: a CRD installed meanwhile is found.
        Assert.Null(await new RestMapper(sim.Api).FindAsync("example.com/v1", "Widget", default));
        sim.Server.Seed(new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1", ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = "widgets.example.com" },
            ["spec"] = new JsonObject
            {
                ["group"] = "example.com", ["scope"] = "Namespaced",
                ["names"] = new JsonObject { ["kind"] = "Widget", ["plural"] = "widgets", ["singular"] = "widget", ["listKind"] = "WidgetList" },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = "v1", ["served"] = true, ["storage"] = true,
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
                }),
            },
        });
        var widget = await WaitForAsync(() => new RestMapper(sim.Api).FindAsync("example.com/v1", "Widget", default));
        Assert.Equal("widgets", widget.Plural);
        sim.Server.ClearRequests();
        Assert.NotNull(await new RestMapper(sim.Api).FindAsync("example.com/v1", "Widget", default));
        Assert.Empty(sim.Server.Requests);
    }

    /// <summary>A CRD becomes served once the server has established it: retried until then (bounded).</summary>
    private static async Task<ResourceInfo> WaitForAsync(Func<Task<ResourceInfo?>> find)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (await find() is { } found) return found;
            Assert.True(DateTime.UtcNow < deadline, "the CRD was never served");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task InjectionScansListPodsMetadataOnlyAndLeaveFinishedPodsOut()
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 });
        sim.Server.Seed(Namespace("shop", "enabled"));
        sim.Server.Seed(Namespace("lab"));
        sim.Server.Seed(Pod("shop", "with-sidecar", sidecar: true, revision: "default"));
        sim.Server.Seed(Pod("shop", "without"));
        sim.Server.Seed(Pod("shop", "batch", completes: true));
        sim.Server.Seed(Pod("lab", "plain"));
        await WaitUntilAsync(() => sim.Server.ReadAll("v1", "Pod", "shop").Any(p => (string?)p["status"]?["phase"] == "Succeeded"));

        sim.Server.ClearRequests();
        var service = new InjectionService(sim.Api);
        var all = await service.GetAsync(null, null, default);
        var shop = Assert.Single(all, n => n.Namespace == "shop");
        Assert.Equal(2, shop.Pods);
        Assert.Equal(["without"], shop.StalePods);
        Assert.Equal(1, Assert.Single(all, n => n.Namespace == "lab").Pods);

        // Namespaces too are read metadata only (their phase follows from a deletion having begun).
        Assert.Contains(sim.Server.Requests, r => r.Path == "/api/v1/namespaces" && r.Accept!.Contains("as=PartialObjectMetadataList"));
        Assert.Equal("Active", shop.Status);
        var podLists = sim.Server.Requests.Where(r => r.Path == "/api/v1/pods").ToList();
        var list = Assert.Single(podLists);
        Assert.Contains("as=PartialObjectMetadataList", list.Accept);
        Assert.Contains(Uri.EscapeDataString(PodFacts.LiveFieldSelector), list.Query);

        // A few exact names: one metadata-only list per namespace, the same answer.
        sim.Server.ClearRequests();
        var exact = Assert.Single(await service.GetAsync(["shop"], null, default));
        Assert.Equal(shop with { Age = exact.Age }, exact with { StalePods = shop.StalePods });
        Assert.Contains(sim.Server.Requests, r => r.Path == "/api/v1/namespaces/shop/pods" && r.Accept!.Contains("as=PartialObjectMetadataList"));

        // Enabling reports the pods that need a restart from the same kind of scan.
        var results = new ConcurrentBag<NamespaceInjection>();
        await service.SetAsync(["lab"], new InjectionChange(true), false, new OperationCallbacks(), results.Add, e => Assert.Fail(e.Message), default);
        Assert.Equal(["plain"], Assert.Single(results).StalePods);
    }

    [Fact]
    public async Task APagedListStartsOverWhenItsContinueTokenExpires()
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 10, LatencyMs = 5 });
        foreach (var i in Enumerable.Range(0, 30))
        {
            sim.Server.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = $"c{i:00}", ["namespace"] = "default" } });
        }

        sim.Server.ClearRequests();
        // As soon as the first page is answered, the server compacts: the next continue token is too old.
        var compactor = Task.Run(async () =>
        {
            await WaitUntilAsync(() => sim.Server.Requests.Any(r => r.Path.EndsWith("/configmaps", StringComparison.Ordinal)));
            sim.Server.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "late", ["namespace"] = "kube-public" } });
            sim.Server.Compact();
        });
        var (items, _) = await sim.Api.ListMetadataAsync("/api/v1/namespaces/default/configmaps", m => KubeApi.StringProperty(m, "name"), default, pageSize: 2);
        await compactor;

        // Every object once (the namespace's kube-root-ca.crt too), none twice after the restart.
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"c{i:00}").Append("kube-root-ca.crt"), items);
        var requests = sim.Server.Requests.Where(r => r.Path.EndsWith("/configmaps", StringComparison.Ordinal)).ToList();
        var expired = requests.FindIndex(r => r.Status == (int)HttpStatusCode.Gone);
        Assert.True(expired > 0, "a continue token expired");
        Assert.DoesNotContain("continue=", requests[expired + 1].Query);
    }

    [Theory]
    [InlineData(1, KubeSim.Storage.ObjectStore.DefaultHistoryLimit)]
    [InlineData(1, 0)]
    public async Task WaitsSurviveClosedWatchesAndCompactedHistory(int watchTimeoutSeconds, int historyLimit)
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 2500, WatchTimeoutSeconds = watchTimeoutSeconds, HistoryLimit = historyLimit });
        sim.Server.Seed(new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web" } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "example/web:1" }) },
                },
            },
        });

        // Noise in the same collection: events that move the resourceVersion on while the waiter's watch is closed.
        using var noise = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !noise.IsCancellationRequested; i++)
            {
                sim.Server.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = $"n{i}", ["namespace"] = "default" } });
                await Task.Delay(100);
            }
        });

        var waiter = new ReadinessWaiter(sim.Api);
        await waiter.WaitForWorkloadsAsync([new WaitTarget(ResourceInfo.Deployments, "default", "web")], TimeSpan.FromSeconds(20), null, default);
        noise.Cancel();
        await writer;

        var deployments = sim.Server.Requests.Where(r => r.Path == "/apis/apps/v1/namespaces/default/deployments").ToList();
        var watches = deployments.Where(r => r.Query.Contains("watch=1")).ToList();
        Assert.True(watches.Count >= 2, $"the waiter watched again after the server closed its watch ({watches.Count} watches)");
        Assert.All(watches, w => Assert.Contains("allowWatchBookmarks=true", w.Query));
        Assert.Contains(watches.Skip(1), w => w.Query.Contains("resourceVersion="));
        if (historyLimit == 0)
        {
            // Every resume found its resourceVersion compacted away: the waiter listed again.
            Assert.Contains(deployments, r => !r.Query.Contains("watch=1"));
        }
    }

    [Fact]
    public void AWatchEventIsReadWithoutWhatTheWaitsNeverUse()
    {
        var line = """
            {"type":"MODIFIED","object":{"apiVersion":"v1","kind":"X","metadata":{"name":"a","resourceVersion":"7",
             "managedFields":[{"manager":"m","fieldsV1":{"f:spec":{}}}],"labels":{"l":"v"}},"spec":{"big":[1,2,{"deep":"x"}]},
             "status":{"conditions":[{"type":"Established","status":"True"}]}},"extra":{"ignored":true}}
            """u8;
        var (type, obj) = WatchEvents.Parse(line, ["spec"])!.Value;
        Assert.Equal("MODIFIED", type);
        Assert.Equal("""{"apiVersion":"v1","kind":"X","metadata":{"name":"a","resourceVersion":"7","labels":{"l":"v"}},"status":{"conditions":[{"type":"Established","status":"True"}]}}""", obj.ToJsonString());
        // Without omissions only managedFields go; a line without an object, or not JSON, is no event.
        Assert.NotNull(WatchEvents.Parse(line)!.Value.Object["spec"]);
        Assert.Null(WatchEvents.Parse("""{"type":"BOOKMARK"}"""u8));
        Assert.Null(WatchEvents.Parse(""u8));
        Assert.Null(WatchEvents.Parse(" \r"u8));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => WatchEvents.Parse("{\"type\":"u8));
    }

    [Fact]
    public void ADryRunAnswerIsReadWithoutWhatAPlanNeverCompares()
    {
        var answer = """
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"9","managedFields":[{"manager":"istiops"}]},
             "data":{"k":"v"},"status":{"big":[1,2,3]}}
            """u8;
        Assert.Equal("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"9"},"data":{"k":"v"}}""",
            JsonProjection.Parse(answer, ["status"]).ToJsonString());
        Assert.Equal("{}", JsonProjection.Parse(ReadOnlySpan<byte>.Empty, null).ToJsonString());

        // A list page's items, each without its managedFields.
        var page = """
            {"kind":"ConfigMapList","metadata":{"resourceVersion":"12","continue":"x"},"items":[
             {"metadata":{"name":"a","managedFields":[{"manager":"m"}]},"data":{"k":"1"}},{"metadata":{"name":"b"}}]}
            """u8;
        Assert.Equal(["""{"metadata":{"name":"a"},"data":{"k":"1"}}""", """{"metadata":{"name":"b"}}"""],
            JsonProjection.Items(page, null).Select(i => i.ToJsonString()));
    }

    [Fact]
    public async Task AWatchReadsEventsLargerThanItsBufferAndLeavesOutWhatItIsToldTo()
    {
        await using var sim = await Sim.StartAsync();
        // A CRD of about 300 KB (Istio's biggest are about that size): its events span many reads of the stream.
        var crd = new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1", ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = "widgets.example.com" },
            ["spec"] = new JsonObject
            {
                ["group"] = "example.com", ["scope"] = "Namespaced",
                ["names"] = new JsonObject { ["plural"] = "widgets", ["singular"] = "widget", ["kind"] = "Widget", ["listKind"] = "WidgetList" },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = "v1", ["served"] = true, ["storage"] = true,
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["description"] = new string('d', 300_000) } },
                }),
            },
        };
        var seen = new List<WatchEvent>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watch = Task.Run(async () =>
        {
            await foreach (var ev in sim.Api.WatchAsync(ResourceInfo.CustomResourceDefinitions.CollectionPath(null), null, null, cts.Token, omit: ["spec"]))
            {
                seen.Add(ev);
                if (WorkloadStatus.CrdEstablished(ev.Object)) break;
            }
        });
        sim.Server.Seed(crd);
        await watch;

        Assert.True(seen.Count >= 2, $"{seen.Count} events");
        Assert.All(seen, ev => Assert.Equal("widgets.example.com", (string?)ev.Object["metadata"]?["name"]));
        Assert.All(seen, ev => Assert.Null(ev.Object["spec"]));
        Assert.All(seen, ev => Assert.Null(ev.Object["metadata"]?["managedFields"]));
        Assert.Equal("ADDED", seen[0].Type);
        Assert.Equal("MODIFIED", seen[^1].Type);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 10 s");
            await Task.Delay(10);
        }
    }
}
