using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeSim.Tests;

/// <summary>The real KubernetesClient against the in-process server: CRUD, paging, selectors, errors, dry runs.</summary>
public class ClientCrudTests
{
    static V1ConfigMap ConfigMap(string name, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Data = new Dictionary<string, string> { ["key"] = "value" },
    };

    [Fact]
    public async Task ConfigMapCrudWithResourceVersionConflict()
    {
        await using var sim = await SimClient.StartAsync();
        var api = sim.Client.CoreV1;
        var created = await api.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "default");
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);

        var read = await api.ReadNamespacedConfigMapAsync("settings", "default");
        Assert.Equal("value", read.Data["key"]);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);

        read.Data["key"] = "changed";
        var updated = await api.ReplaceNamespacedConfigMapAsync(read, "settings", "default");
        Assert.True(long.Parse(updated.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));

        // The stale copy carries the old resourceVersion: 409 Conflict.
        created.Data["key"] = "stale";
        var conflict = await StatusAssert.Fails(409, () => api.ReplaceNamespacedConfigMapAsync(created, "settings", "default"));
        Assert.Equal("Conflict", (string?)conflict["reason"]);
        Assert.Contains("the object has been modified", (string?)conflict["message"]);

        await api.DeleteNamespacedConfigMapAsync("settings", "default");
        var missing = await StatusAssert.Fails(404, () => api.ReadNamespacedConfigMapAsync("settings", "default"));
        Assert.Equal("NotFound", (string?)missing["reason"]);
        Assert.Equal("configmaps \"settings\" not found", (string?)missing["message"]);
        Assert.Equal("configmaps", (string?)missing["details"]!["kind"]);
    }

    /// <summary>Labels and annotation keys as apimachinery's ValidateLabels/ValidateAnnotations word them, a pod template's too.</summary>
    [Fact]
    public async Task InvalidLabelsAndAnnotationKeysAreRefusedInTheObjectAndItsPodTemplate()
    {
        await using var sim = await SimClient.StartAsync();
        var invalid = await StatusAssert.Fails(422, () => sim.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", Annotations = new Dictionary<string, string> { ["a/b/c"] = "x" } },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web", ["Tier/x"] = "not valid!" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
                },
            },
        }, "default"));
        const string nameRule = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        var expected = new[]
        {
            ("metadata.annotations", "a qualified name " + nameRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
            ("spec.template.metadata.labels", "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
            ("spec.template.metadata.labels", "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        };
        var causes = invalid["details"]!["causes"]!.AsArray().Select(c => ((string)c!["field"]!, (string)c["message"]!)).ToArray();
        Assert.Equal(expected.Length, causes.Length);
        for (var n = 0; n < expected.Length; n++)
        {
            Assert.Equal(expected[n].Item1, causes[n].Item1);
            Assert.EndsWith(": " + expected[n].Item2, causes[n].Item2);
        }
        Assert.Null(sim.Server.Read("apps/v1", "Deployment", "default", "web"));
    }

    [Fact]
    public async Task CreateTwiceIsAlreadyExistsAndInvalidNamesAre422WithCauses()
    {
        await using var sim = await SimClient.StartAsync();
        await sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } });
        var exists = await StatusAssert.Fails(409, () => sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } }));
        Assert.Equal("AlreadyExists", (string?)exists["reason"]);

        var invalid = await StatusAssert.Fails(422, () => sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "Bad_Name" } }));
        Assert.Equal("Invalid", (string?)invalid["reason"]);
        Assert.StartsWith("Namespace \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label", (string?)invalid["message"]);
        var cause = invalid["details"]!["causes"]![0]!;
        Assert.Equal("FieldValueInvalid", (string?)cause["reason"]);
        Assert.Equal("metadata.name", (string?)cause["field"]);

        var noContainers = await StatusAssert.Fails(422, () => sim.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } }, Spec = new V1PodSpec() },
            },
        }, "default"));
        Assert.Contains("spec.template.spec.containers: Required value", (string?)noContainers["message"]);

        var noNamespace = await StatusAssert.Fails(404, () => sim.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x"), "missing"));
        Assert.Equal("namespaces \"missing\" not found", (string?)noNamespace["message"]);
    }

    [Fact]
    public async Task ListPagingAndSelectors()
    {
        await using var sim = await SimClient.StartAsync();
        for (var i = 0; i < 25; i++)
            await sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace
            {
                Metadata = new V1ObjectMeta
                {
                    Name = $"ns-{i:D2}",
                    Labels = new Dictionary<string, string> { ["tier"] = i % 2 == 0 ? "even" : "odd", ["index"] = i.ToString() },
                },
            });
        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await sim.Client.CoreV1.ListNamespaceAsync(limit: 10, continueParameter: token);
            names.AddRange(page.Items.Select(n => n.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
            if (token is not null) Assert.True(page.Metadata.RemainingItemCount > 0);
        } while (!string.IsNullOrEmpty(token));
        Assert.Equal(3, pages);
        Assert.Equal(29, names.Count); // 25 + default, kube-node-lease, kube-public, kube-system
        Assert.Equal(names.Order(StringComparer.Ordinal), names);

        var even = await sim.Client.CoreV1.ListNamespaceAsync(labelSelector: "tier=even");
        Assert.Equal(13, even.Items.Count);
        var set = await sim.Client.CoreV1.ListNamespaceAsync(labelSelector: "index in (1,2,3),tier!=odd");
        Assert.Equal(["ns-02"], set.Items.Select(n => n.Metadata.Name));
        var notIn = await sim.Client.CoreV1.ListNamespaceAsync(labelSelector: "tier,index notin (0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22)");
        Assert.Equal(["ns-23", "ns-24"], notIn.Items.Select(n => n.Metadata.Name));
        var missing = await sim.Client.CoreV1.ListNamespaceAsync(labelSelector: "!tier");
        Assert.Equal(4, missing.Items.Count);
        var byName = await sim.Client.CoreV1.ListNamespaceAsync(fieldSelector: "metadata.name=ns-07");
        Assert.Single(byName.Items);
        var active = await sim.Client.CoreV1.ListNamespaceAsync(fieldSelector: "status.phase=Active,metadata.name!=default");
        Assert.Equal(28, active.Items.Count);

        var bad = await StatusAssert.Fails(400, () => sim.Client.CoreV1.ListNamespaceAsync(labelSelector: "a in (b"));
        Assert.Equal("BadRequest", (string?)bad["reason"]);
    }

    [Fact]
    public async Task DryRunWritesNothing()
    {
        await using var sim = await SimClient.StartAsync();
        var dry = await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dry"), "default", dryRun: "All");
        Assert.Equal("dry", dry.Metadata.Name);
        await StatusAssert.Fails(404, () => sim.Client.CoreV1.ReadNamespacedConfigMapAsync("dry", "default"));

        var real = await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("real"), "default");
        var patch = new V1Patch("{\"data\":{\"key\":\"patched\"}}", V1Patch.PatchType.MergePatch);
        var dryPatched = await sim.Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "real", "default", dryRun: "All");
        Assert.Equal("patched", dryPatched.Data["key"]);
        await sim.Client.CoreV1.DeleteNamespacedConfigMapAsync("real", "default", dryRun: "All");
        var after = await sim.Client.CoreV1.ReadNamespacedConfigMapAsync("real", "default");
        Assert.Equal("value", after.Data["key"]);
        Assert.Equal(real.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task PatchesJsonMergeAndStrategic()
    {
        await using var sim = await SimClient.StartAsync();
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container { Name = "app", Image = "nginx:1.27" },
                            new V1Container { Name = "sidecar", Image = "busybox:1.36" },
                        ],
                    },
                },
            },
        };
        var created = await sim.Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default");
        Assert.Equal(1, created.Metadata.Generation);

        var smp = new V1Patch("""
            {"metadata":{"labels":{"tier":"frontend"}},
             "spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2024-01-01T00:00:00Z"}},
                     "spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}
            """, V1Patch.PatchType.StrategicMergePatch);
        var patched = await sim.Client.AppsV1.PatchNamespacedDeploymentAsync(smp, "web", "default");
        Assert.Equal(["app", "sidecar"], patched.Spec.Template.Spec.Containers.Select(c => c.Name));
        Assert.Equal("nginx:1.28", patched.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("busybox:1.36", patched.Spec.Template.Spec.Containers[1].Image);
        Assert.Equal("frontend", patched.Metadata.Labels["tier"]);
        Assert.Equal("2024-01-01T00:00:00Z", patched.Spec.Template.Metadata.Annotations["kubectl.kubernetes.io/restartedAt"]);
        Assert.Equal(2, patched.Metadata.Generation);

        var labelsOnly = await sim.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"tier\":null}}}", V1Patch.PatchType.MergePatch), "web", "default");
        Assert.False(labelsOnly.Metadata.Labels.ContainsKey("tier"));
        Assert.Equal(2, labelsOnly.Metadata.Generation); // metadata-only change keeps the generation

        var reorder = new V1Patch("""{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}""", V1Patch.PatchType.StrategicMergePatch);
        var reordered = await sim.Client.AppsV1.PatchNamespacedDeploymentAsync(reorder, "web", "default");
        Assert.Equal(["sidecar", "app"], reordered.Spec.Template.Spec.Containers.Select(c => c.Name));
        Assert.Equal("busybox:1.37", reordered.Spec.Template.Spec.Containers[0].Image);

        var deleteSidecar = new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}""", V1Patch.PatchType.StrategicMergePatch);
        var oneContainer = await sim.Client.AppsV1.PatchNamespacedDeploymentAsync(deleteSidecar, "web", "default");
        Assert.Single(oneContainer.Spec.Template.Spec.Containers);

        var jsonPatch = new V1Patch("""[{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/metadata/annotations","value":{"a":"b"}}]""", V1Patch.PatchType.JsonPatch);
        var scaled = await sim.Client.AppsV1.PatchNamespacedDeploymentAsync(jsonPatch, "web", "default");
        Assert.Equal(3, scaled.Spec.Replicas);
        Assert.Equal("b", scaled.Metadata.Annotations["a"]);

        var badPath = await StatusAssert.Fails(422, () => sim.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""[{"op":"remove","path":"/spec/nothing"}]""", V1Patch.PatchType.JsonPatch), "web", "default"));
        Assert.Equal("Invalid", (string?)badPath["reason"]);
    }

    [Fact]
    public async Task UndecodableBodiesAndUnsupportedVerbsAreStatusErrors()
    {
        await using var sim = await SimClient.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        var bad = await http.SendTextAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", "{not json");
        Assert.Equal(400, (int)bad.StatusCode);
        var status = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
        Assert.Equal("BadRequest", (string?)status["reason"]);

        var wrongKind = await http.SendTextAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\"}}");
        Assert.Equal(400, (int)wrongKind.StatusCode);

        var method = await http.SendTextAsync(HttpMethod.Put, "/api/v1/namespaces/default/configmaps", "{}", contentType: null);
        Assert.Equal(405, (int)method.StatusCode);
        Assert.Equal("MethodNotAllowed", (string?)JsonNode.Parse(await method.Content.ReadAsStringAsync())!["reason"]);

        var unknown = await http.GetAsync("/apis/apiextensions.k8s.io/v1beta1/customresourcedefinitions");
        Assert.Equal(404, (int)unknown.StatusCode);
        Assert.Equal("Status", (string?)JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["kind"]);

        var smpOnCustomTypes = await http.SendTextAsync(HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/none",
            "{}", "application/strategic-merge-patch+json");
        Assert.Equal(404, (int)smpOnCustomTypes.StatusCode);
    }

    [Fact]
    public async Task SeedAndReadHelpersBypassHttp()
    {
        await using var sim = await SimClient.StartAsync();
        sim.Server.ClearRequests();
        sim.Server.Seed(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "seeded", ["namespace"] = "default" },
        });
        Assert.Empty(sim.Server.Requests);
        Assert.NotNull(sim.Server.Read("v1", "ConfigMap", "default", "seeded"));
        var fromApi = await sim.Client.CoreV1.ReadNamespacedConfigMapAsync("seeded", "default");
        Assert.Equal("seeded", fromApi.Metadata.Name);
        var entry = Assert.Single(sim.Server.Requests);
        Assert.Equal("GET", entry.Method);
        Assert.Equal("/api/v1/namespaces/default/configmaps/seeded", entry.Path);
        Assert.Equal(200, entry.Status);
    }
}
