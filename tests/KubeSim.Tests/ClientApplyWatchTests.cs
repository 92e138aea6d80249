using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeSim.Tests;

/// <summary>Server-side apply (field ownership, conflicts, idempotency) and watches through KubernetesClient.</summary>
public class ClientApplyWatchTests
{
    static V1Patch Apply(string json) => new(json, V1Patch.PatchType.ApplyPatch);

    const string ConfigMapV1 = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","labels":{"app":"demo"}},"data":{"a":"1","b":"2"}}""";

    [Fact]
    public async Task ApplyCreatesThenUnchangedApplyKeepsResourceVersion()
    {
        await using var sim = await SimClient.StartAsync();
        var api = sim.Client.CoreV1;
        var first = await api.PatchNamespacedConfigMapAsync(Apply(ConfigMapV1), "cfg", "default", fieldManager: "istiops");
        var entry = Assert.Single(first.Metadata.ManagedFields);
        Assert.Equal("istiops", entry.Manager);
        Assert.Equal("Apply", entry.Operation);
        var fields = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(entry.FieldsV1))!;
        Assert.NotNull(fields["f:data"]!["f:a"]);
        Assert.NotNull(fields["f:metadata"]!["f:labels"]!["f:app"]);

        var second = await api.PatchNamespacedConfigMapAsync(Apply(ConfigMapV1), "cfg", "default", fieldManager: "istiops");
        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Equal(entry.Time, second.Metadata.ManagedFields[0].Time);

        // Dropping a field the manager owned removes it from the object.
        var third = await api.PatchNamespacedConfigMapAsync(Apply("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"1"}}"""), "cfg", "default", fieldManager: "istiops");
        Assert.Equal(["a"], third.Data.Keys);
        Assert.Null(third.Metadata.Labels);
        Assert.NotEqual(first.Metadata.ResourceVersion, third.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task ConflictingManagersGet409UntilForced()
    {
        await using var sim = await SimClient.StartAsync();
        var apps = sim.Client.AppsV1;
        const string deployment = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}}}
            """;
        await apps.PatchNamespacedDeploymentAsync(Apply(deployment), "web", "default", fieldManager: "owner");
        var other = deployment.Replace("\"replicas\":2", "\"replicas\":5");
        var status = await StatusAssert.Fails(409, () => apps.PatchNamespacedDeploymentAsync(Apply(other), "web", "default", fieldManager: "intruder"));
        Assert.Equal("Conflict", (string?)status["reason"]);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"owner\": .spec.replicas", (string?)status["message"]);
        var cause = status["details"]!["causes"]![0]!;
        Assert.Equal("FieldManagerConflict", (string?)cause["reason"]);
        Assert.Equal(".spec.replicas", (string?)cause["field"]);

        // An Update manager (kubectl scale, an editor) also owns what it changed.
        await apps.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.28\"}]}}}}", V1Patch.PatchType.StrategicMergePatch),
            "web", "default", fieldManager: "editor");
        var twoConflicts = await StatusAssert.Fails(409, () => apps.PatchNamespacedDeploymentAsync(Apply(other.Replace("1.27", "1.29")), "web", "default", fieldManager: "intruder"));
        Assert.StartsWith("Apply failed with 2 conflicts: conflicts with \"editor\" using apps/v1:\n- .spec.template.spec.containers[name=\"app\"].image\nconflicts with \"owner\":\n- .spec.replicas",
            (string?)twoConflicts["message"]);

        var forced = await apps.PatchNamespacedDeploymentAsync(Apply(other), "web", "default", fieldManager: "intruder", force: true);
        Assert.Equal(5, forced.Spec.Replicas);
        Assert.Equal(3, forced.Metadata.Generation);
        var managers = forced.Metadata.ManagedFields.Select(m => $"{m.Manager}/{m.Operation}").ToList();
        Assert.Contains("intruder/Apply", managers);

        var missingManager = await StatusAssert.Fails(422, () => apps.PatchNamespacedDeploymentAsync(Apply(deployment), "web", "default"));
        Assert.Contains("fieldManager: Required value", (string?)missingManager["message"]);
    }

    [Fact]
    public async Task ItemsTheApplierStopsApplyingGoEvenWhereOthersOwnFieldsInThem()
    {
        await using var sim = await SimClient.StartAsync();
        const string two = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
                       {"name":"app","image":"app:1"},{"name":"helper","image":"helper:1"}]}}}}
            """;
        var apps = sim.Client.AppsV1;
        await apps.PatchNamespacedDeploymentAsync(Apply(two), "web", "default", fieldManager: "installer");
        await apps.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"helper","image":"helper:2","env":[{"name":"DEBUG","value":"1"}]}]}}}}""", V1Patch.PatchType.StrategicMergePatch),
            "web", "default", fieldManager: "operator");
        var one = two.Replace(""",{"name":"helper","image":"helper:1"}""", "");
        var applied = await apps.PatchNamespacedDeploymentAsync(Apply(one), "web", "default", fieldManager: "installer");
        // The installer owned the helper item: it goes, although the operator owns fields inside it
        // (structured-merge-diff removes an item its applier stops applying; others own fields, not the item).
        Assert.Equal(["app"], applied.Spec.Template.Spec.Containers.Select(c => c.Name));
        var operatorEntry = applied.Metadata.ManagedFields.SingleOrDefault(e => e.Manager == "operator");
        Assert.Null(operatorEntry);
    }

    [Fact]
    public async Task ManagedFieldsSentByAClientReplaceTheStoredOnes()
    {
        await using var sim = await SimClient.StartAsync();
        var api = sim.Client.CoreV1;
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "m" }, Data = new Dictionary<string, string> { ["key"] = "1" } },
            "default", fieldManager: "creator");
        // What kubectl does when it migrates client-side apply ownership to a server-side apply manager.
        var migrate = new V1Patch("""
            [{"op":"replace","path":"/metadata/managedFields","value":[
              {"manager":"kubectl","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:key":{}}}}]}]
            """, V1Patch.PatchType.JsonPatch);
        var migrated = await api.PatchNamespacedConfigMapAsync(migrate, "m", "default", fieldManager: "kubectl");
        Assert.Equal(["kubectl/Apply"], migrated.Metadata.ManagedFields.Select(e => $"{e.Manager}/{e.Operation}"));
        var status = await StatusAssert.Fails(409, () => api.PatchNamespacedConfigMapAsync(
            Apply("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m"},"data":{"key":"2"}}"""), "m", "default", fieldManager: "other"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl\": .data.key", (string?)status["message"]);
    }

    [Fact]
    public async Task WatchStreamsEventsFromAResourceVersion()
    {
        await using var sim = await SimClient.StartAsync();
        var api = sim.Client.CoreV1;
        var list = await api.ListNamespacedConfigMapAsync("default");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = new List<(WatchEventType Type, string Name, string? Value)>();
        var watching = Task.Run(async () =>
        {
            var stream = api.WatchListNamespacedConfigMapAsync("default",
                resourceVersion: list.Metadata.ResourceVersion, labelSelector: "watched=yes", cancellationToken: cts.Token);
            await foreach (var (type, cm) in stream)
            {
                events.Add((type, cm.Metadata.Name, cm.Data?["k"]));
                if (type == WatchEventType.Deleted) break;
            }
        }, cts.Token);
        await Task.Delay(100);
        var labels = new Dictionary<string, string> { ["watched"] = "yes" };
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "other" } }, "default");
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "w", Labels = labels }, Data = new Dictionary<string, string> { ["k"] = "1" } }, "default");
        await api.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"k\":\"2\"}}", V1Patch.PatchType.MergePatch), "w", "default");
        await api.DeleteNamespacedConfigMapAsync("w", "default");
        await watching;
        Assert.Equal(
            [(WatchEventType.Added, "w", "1"), (WatchEventType.Modified, "w", "2"), (WatchEventType.Deleted, "w", "2")],
            events);
    }

    [Fact]
    public async Task WatchWithoutResourceVersionStartsWithTheCurrentStateAndHonoursTimeout()
    {
        await using var sim = await SimClient.StartAsync();
        var started = DateTime.UtcNow;
        var names = new List<string>();
        await foreach (var (type, ns) in sim.Client.CoreV1.WatchListNamespaceAsync(timeoutSeconds: 1))
        {
            Assert.Equal(WatchEventType.Added, type);
            names.Add(ns.Metadata.Name);
        }
        Assert.Equal(["default", "kube-node-lease", "kube-public", "kube-system"], names);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task IdleWatchesThatAllowBookmarksGetThem()
    {
        // Shortened for the whole test process; only clients that ask for bookmarks see the difference.
        KubeSim.Api.ApiHandler.BookmarkInterval = TimeSpan.FromMilliseconds(100);
        await using var sim = await SimClient.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        var list = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/default/configmaps"))!;
        var rv = (string?)list["metadata"]!["resourceVersion"];
        var text = await http.GetStringAsync($"/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion={rv}&timeoutSeconds=1");
        var events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e =>
        {
            Assert.Equal("BOOKMARK", (string?)e["type"]);
            Assert.Equal("ConfigMap", (string?)e["object"]!["kind"]);
            Assert.True(long.Parse((string)e["object"]!["metadata"]!["resourceVersion"]!) >= long.Parse(rv!));
        });
    }

    [Fact]
    public async Task WatchFromACompactedVersionGetsExpired()
    {
        await using var sim = await SimClient.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "x");
        var text = await http.GetStringAsync("/api/v1/namespaces?watch=true&resourceVersion=5");
        var evt = JsonNode.Parse(text.Trim())!;
        Assert.Equal("ERROR", (string?)evt["type"]);
        Assert.Equal(410, (int?)evt["object"]!["code"]);
        Assert.Equal("Expired", (string?)evt["object"]!["reason"]);
    }
}
