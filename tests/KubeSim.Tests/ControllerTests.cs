using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeSim.Tests;

/// <summary>The simulated controllers: workloads, pod lifecycle, namespaces, CRDs, garbage collection, services.</summary>
public class ControllerTests
{
    static V1Deployment Deployment(string name, string image, int replicas = 2) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] },
            },
        },
    };

    [Fact]
    public async Task DeploymentBecomesAvailableAndRollsOnTemplateChange()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 30 });
        var apps = sim.Client.AppsV1;
        await apps.CreateNamespacedDeploymentAsync(Deployment("web", "nginx:1.27"), "default");
        await Eventually.Until(async () =>
        {
            var d = await apps.ReadNamespacedDeploymentAsync("web", "default");
            return d.Status?.AvailableReplicas == 2 && d.Status.ObservedGeneration == 1;
        }, "deployment available");
        var deployment = await apps.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Contains(deployment.Status.Conditions, c => c.Type == "Available" && c.Status == "True" && c.Reason == "MinimumReplicasAvailable");
        Assert.Contains(deployment.Status.Conditions, c => c.Type == "Progressing" && c.Reason == "NewReplicaSetAvailable");
        var rs = Assert.Single((await apps.ListNamespacedReplicaSetAsync("default")).Items);
        var hash = rs.Metadata.Labels["pod-template-hash"];
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        var pods = (await sim.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web")).Items;
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Equal("Running", p.Status.Phase);
            Assert.StartsWith($"web-{hash}-", p.Metadata.Name);
            Assert.Equal("kubesim-node-1", p.Spec.NodeName);
            Assert.True(p.Status.ContainerStatuses.Single().Ready);
        });

        await sim.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }] },
        }, "default");
        // The endpoints controller makes the Endpoints after the Service is stored: until then a read is 404.
        await Eventually.Until(async () =>
        {
            var ep = sim.Server.Read("v1", "Endpoints", "default", "web") is null ? null : await sim.Client.CoreV1.ReadNamespacedEndpointsAsync("web", "default");
            return ep?.Subsets?.Single().Addresses?.Count == 2 && ep.Subsets.Single().Ports.Single().Port == 8080;
        }, "endpoints list both ready pods");

        var restart = new V1Patch("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"now\"}}}}}", V1Patch.PatchType.StrategicMergePatch);
        await apps.PatchNamespacedDeploymentAsync(restart, "web", "default");
        await Eventually.Until(async () =>
        {
            var d = await apps.ReadNamespacedDeploymentAsync("web", "default");
            var sets = (await apps.ListNamespacedReplicaSetAsync("default")).Items;
            var current = (await sim.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web")).Items;
            return d.Status.ObservedGeneration == 2 && d.Status.UpdatedReplicas == 2 && d.Status.AvailableReplicas == 2
                && sets.Count == 2 && sets.Single(s => s.Metadata.Labels["pod-template-hash"] == hash).Spec.Replicas == 0
                && current.Count == 2 && current.All(p => !p.Metadata.Labels["pod-template-hash"].Equals(hash));
        }, "rolled to a new ReplicaSet");
        var revision = (await apps.ReadNamespacedDeploymentAsync("web", "default")).Metadata.Annotations["deployment.kubernetes.io/revision"];
        Assert.Equal("2", revision);
    }

    [Fact]
    public async Task ReorderedPropertiesAreTheSameTemplate()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        await sim.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", "nginx:1.27", replicas: 1), "default");
        await Eventually.Until(() => (int?)sim.Server.Read("apps/v1", "Deployment", "default", "web")!["status"]?["availableReplicas"] == 1, "deployment available");
        var live = sim.Server.Read("apps/v1", "Deployment", "default", "web")!;
        static JsonNode? Reorder(JsonNode? n) => n switch
        {
            JsonObject o => new JsonObject(o.Reverse().Select(kv => KeyValuePair.Create(kv.Key, Reorder(kv.Value)))),
            JsonArray a => new JsonArray([.. a.Select(Reorder)]),
            _ => n?.DeepClone(),
        };
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        async Task<JsonNode> Put(JsonNode body)
        {
            var put = await http.SendTextAsync(HttpMethod.Put, "/apis/apps/v1/namespaces/default/deployments/web", body.ToJsonString());
            Assert.Equal(200, (int)put.StatusCode);
            return JsonNode.Parse(await put.Content.ReadAsStringAsync())!;
        }
        // Let the controllers settle: the object must not change between two reads 100 ms apart.
        await Eventually.Until(async () =>
        {
            var before = (string?)sim.Server.Read("apps/v1", "Deployment", "default", "web")!["metadata"]!["resourceVersion"];
            await Task.Delay(100);
            live = sim.Server.Read("apps/v1", "Deployment", "default", "web")!;
            return before == (string?)live["metadata"]!["resourceVersion"];
        }, "deployment settled");
        // Same content, other order: no write at all.
        var same = await Put(Reorder(live)!);
        Assert.Equal((string?)live["metadata"]!["resourceVersion"], (string?)same["metadata"]!["resourceVersion"]);
        // A metadata change stores the reordered template: still the same pod template, no rollout.
        var touched = Reorder(live)!;
        touched["metadata"]!["labels"] = new JsonObject { ["touched"] = "yes" };
        var changed = await Put(touched);
        Assert.NotEqual((string?)live["metadata"]!["resourceVersion"], (string?)changed["metadata"]!["resourceVersion"]);
        Assert.Equal(1, (int?)changed["metadata"]!["generation"]);
        await Task.Delay(100);
        Assert.Single(sim.Server.ReadAll("apps/v1", "ReplicaSet", "default"));
    }

    [Fact]
    public async Task FailingImagesStayInImagePullBackOff()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 10, FailImage = "broken/.*" });
        await sim.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("bad", "broken/image:1", replicas: 1), "default");
        await Eventually.Until(async () =>
        {
            var pods = (await sim.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=bad")).Items;
            return pods.Count == 1 && pods[0].Status.ContainerStatuses?.Single().State.Waiting?.Reason == "ImagePullBackOff";
        }, "pod in ImagePullBackOff");
        var pod = (await sim.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=bad")).Items.Single();
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "Ready" && c.Status == "False");
        var d = await sim.Client.AppsV1.ReadNamespacedDeploymentAsync("bad", "default");
        Assert.Contains(d.Status.Conditions, c => c.Type == "Available" && c.Status == "False" && c.Reason == "MinimumReplicasUnavailable");
        var events = await sim.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod.Metadata.Name}");
        Assert.Contains(events.Items, e => e.Reason == "BackOff" && e.Message == "Back-off pulling image \"broken/image:1\"");
        Assert.Contains(events.Items, e => e.Reason == "Scheduled" && e.Source.Component == "default-scheduler");
    }

    [Fact]
    public async Task DaemonSetRunsOnePodPerNodeAndStatefulSetOrdinals()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 10, Nodes = 3 });
        Assert.Equal(3, (await sim.Client.CoreV1.ListNodeAsync()).Items.Count);
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "agent" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "agent", Image = "agent:1" }] },
        };
        await sim.Client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "agent" },
            Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector { MatchLabels = template.Metadata.Labels }, Template = template },
        }, "kube-system");
        await sim.Client.AppsV1.CreateNamespacedStatefulSetAsync(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "db" },
            Spec = new V1StatefulSetSpec
            {
                Replicas = 2, ServiceName = "db",
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "db" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "db", Image = "db:1" }] },
                },
            },
        }, "default");
        await Eventually.Until(async () =>
        {
            var ds = await sim.Client.AppsV1.ReadNamespacedDaemonSetAsync("agent", "kube-system");
            var sts = await sim.Client.AppsV1.ReadNamespacedStatefulSetAsync("db", "default");
            return ds.Status?.NumberReady == 3 && ds.Status.DesiredNumberScheduled == 3 && ds.Status.UpdatedNumberScheduled == 3
                && sts.Status?.ReadyReplicas == 2 && sts.Status.CurrentRevision == sts.Status.UpdateRevision;
        }, "daemonset and statefulset ready");
        var agents = (await sim.Client.CoreV1.ListNamespacedPodAsync("kube-system", labelSelector: "app=agent")).Items;
        Assert.Equal(["kubesim-node-1", "kubesim-node-2", "kubesim-node-3"], agents.Select(p => p.Spec.NodeName).Order());
        var onNode2 = await sim.Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=kubesim-node-2,status.phase=Running");
        Assert.Contains(onNode2.Items, p => p.Metadata.Labels["app"] == "agent");
        var db = (await sim.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=db")).Items;
        Assert.Equal(["db-0", "db-1"], db.Select(p => p.Metadata.Name).Order());
    }

    [Fact]
    public async Task JobsCompleteAndServicesGetClusterIps()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 });
        await sim.Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "once" },
            Spec = new V1JobSpec
            {
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "run", Image = "busybox" }] },
                },
            },
        }, "default");
        await Eventually.Until(async () =>
        {
            var job = await sim.Client.BatchV1.ReadNamespacedJobAsync("once", "default");
            return job.Status?.Succeeded == 1 && job.Status.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true;
        }, "job complete");

        var svc = await sim.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "gw" },
            Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] },
        }, "default");
        Assert.StartsWith("10.96.", svc.Spec.ClusterIP);
        Assert.Equal("TCP", svc.Spec.Ports[0].Protocol);
        Assert.InRange(svc.Spec.Ports[0].NodePort ?? 0, 30000, 32767);
        Assert.Null(svc.Status.LoadBalancer.Ingress);
    }

    [Fact]
    public async Task EvictedPodsAreReplacedByTheirReplicaSet()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        await sim.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", "nginx:1", replicas: 1), "default");
        await Eventually.Until(() => sim.Server.ReadAll("v1", "Pod", "default").Count == 1, "one pod");
        var pod = sim.Server.ReadAll("v1", "Pod", "default").Single()["metadata"]!["name"]!.ToString();
        await sim.Client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = "default" } }, pod, "default");
        await Eventually.Until(() => sim.Server.ReadAll("v1", "Pod", "default") is [var p] && p["metadata"]!["name"]!.ToString() != pod, "a replacement pod");
    }

    [Fact]
    public async Task DisruptionBudgetsBlockEvictionsWhenNoDisruptionIsAllowed()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        // Bare pods: nothing replaces an evicted one, so the budget's arithmetic is deterministic.
        string[] pods = ["web-a", "web-b"];
        foreach (var name in pods)
            await sim.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx:1" }] },
            }, "default");
        await sim.Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } } },
        }, "default");
        await Eventually.Until(async () => (await sim.Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", "default")).Status?.DisruptionsAllowed == 1, "one disruption allowed");
        Task Evict(string pod, string? dryRun = null) => sim.Client.CoreV1.CreateNamespacedPodEvictionAsync(
            new V1Eviction { Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = "default" } }, pod, "default", dryRun: dryRun);

        await Evict(pods[0], dryRun: "All");
        Assert.Equal(1, (await sim.Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", "default")).Status.DisruptionsAllowed);
        await Evict(pods[0]);
        // The eviction used up the budget's one disruption: the second pod stays.
        foreach (var dry in new[] { "All", null })
        {
            var status = await StatusAssert.Fails(429, () => Evict(pods[1], dry));
            Assert.Equal(("TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget."), ((string?)status["reason"], (string?)status["message"]));
            var cause = status["details"]!["causes"]!.AsArray().Single()!;
            Assert.Equal("DisruptionBudget", (string?)cause["reason"]);
            Assert.Matches("^The disruption budget web needs 1 healthy pods and has [12] currently$", (string?)cause["message"]);
        }
        Assert.NotNull(await sim.Client.CoreV1.ReadNamespacedPodAsync(pods[1], "default"));
        Assert.Contains(pods[0], sim.Server.Read("policy/v1", "PodDisruptionBudget", "default", "web")!["status"]!["disruptedPods"]!.AsObject().Select(kv => kv.Key));
    }

    [SkippableFact]
    public async Task KubectlDrainReportsTheDisruptionBudget()
    {
        await using var k = await Kubectl.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        var sim = k.Sim;
        await sim.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", "nginx:1", replicas: 1), "default");
        await sim.Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } } },
        }, "default");
        await Eventually.Until(async () => (await sim.Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", "default")).Status?.CurrentHealthy == 1, "budget observed the pod");
        var (exit, stdout, stderr) = await k.Run("drain", "kubesim-node-1", "--pod-selector", "app=web", "--timeout", "2s");
        Assert.NotEqual(0, exit);
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.", stderr + stdout);
        Assert.Single(sim.Server.ReadAll("v1", "Pod", "default"));
    }

    [Fact]
    public async Task PodsWaitForASchedulableNode()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        var cordon = new V1Patch("{\"spec\":{\"unschedulable\":true}}", V1Patch.PatchType.MergePatch);
        await sim.Client.CoreV1.PatchNodeAsync(cordon, "kubesim-node-1");
        await sim.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "waiting" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "app:1" }] },
        }, "default");
        await Eventually.Until(async () => (await sim.Client.CoreV1.ReadNamespacedPodAsync("waiting", "default")).Status.Conditions?
            .Any(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable") == true, "pod unschedulable");
        Assert.Null((await sim.Client.CoreV1.ReadNamespacedPodAsync("waiting", "default")).Spec.NodeName);
        await sim.Client.CoreV1.PatchNodeAsync(new V1Patch("{\"spec\":{\"unschedulable\":null}}", V1Patch.PatchType.MergePatch), "kubesim-node-1");
        await Eventually.Until(async () => (await sim.Client.CoreV1.ReadNamespacedPodAsync("waiting", "default")).Status.Phase == "Running", "pod running after uncordon");
    }

    [Fact]
    public async Task NamespaceDeletionTerminatesThenRemovesContents()
    {
        await using var sim = await SimClient.StartAsync();
        await sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "doomed" } });
        await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "doomed");
        await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["example.com/hold"] } }, "doomed");
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        var deleted = JsonNode.Parse(await (await http.DeleteAsync("/api/v1/namespaces/doomed")).Content.ReadAsStringAsync())!;
        Assert.Equal("Namespace", (string?)deleted["kind"]);
        Assert.Equal("Terminating", (string?)deleted["status"]!["phase"]);
        Assert.NotNull(deleted["metadata"]!["deletionTimestamp"]);

        // The finalizer keeps the namespace Terminating after the rest of its content is gone.
        await Eventually.Until(() => sim.Server.Read("v1", "ConfigMap", "doomed", "c") is null
            && sim.Server.Read("v1", "ConfigMap", "doomed", "held")?["metadata"]?["deletionTimestamp"] is not null, "content deleted but the held one");
        await Task.Delay(300);
        Assert.Equal("Terminating", (string?)sim.Server.Read("v1", "Namespace", null, "doomed")!["status"]!["phase"]);
        var refused = await StatusAssert.Fails(403, () => sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "d" } }, "doomed"));
        Assert.Contains("because it is being terminated", (string?)refused["message"]);

        await sim.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "held", "doomed");
        await Eventually.Until(() => sim.Server.Read("v1", "Namespace", null, "doomed") is null, "namespace gone");
        Assert.Empty(sim.Server.ReadAll("v1", "ConfigMap", "doomed"));
    }

    [Fact]
    public async Task OwnerDeletionCascadesInBackgroundAndForeground()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        await sim.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("a", "x:1"), "default");
        await sim.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("b", "x:1"), "default");
        await Eventually.Until(() => sim.Server.ReadAll("v1", "Pod", "default").Count == 4, "four pods");

        await sim.Client.AppsV1.DeleteNamespacedDeploymentAsync("a", "default", propagationPolicy: "Background");
        await Eventually.Until(() => sim.Server.ReadAll("v1", "Pod", "default").All(p => p["metadata"]!["labels"]!["app"]!.ToString() == "b")
            && sim.Server.ReadAll("apps/v1", "ReplicaSet", "default").Count == 1, "a's replicaset and pods collected");

        // A dependent whose owner does not exist is collected too.
        await sim.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "orphan",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "gone", Uid = Guid.NewGuid().ToString() }],
            },
        }, "default");
        await Eventually.Until(() => sim.Server.Read("v1", "ConfigMap", "default", "orphan") is null, "dangling dependent collected");

        await sim.Client.AppsV1.DeleteNamespacedDeploymentAsync("b", "default", propagationPolicy: "Foreground");
        var pending = sim.Server.Read("apps/v1", "Deployment", "default", "b");
        if (pending is not null) Assert.Contains("foregroundDeletion", pending["metadata"]!["finalizers"]!.AsArray().Select(f => f!.ToString()));
        await Eventually.Until(() => sim.Server.Read("apps/v1", "Deployment", "default", "b") is null
            && sim.Server.ReadAll("v1", "Pod", "default").Count == 0, "b removed after its dependents");
    }

    [Fact]
    public async Task CrdsBecomeEstablishedAndServeTheirResources()
    {
        await using var sim = await SimClient.StartAsync();
        var crd = new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = "widgets.example.com" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "example.com",
                Scope = "Cluster",
                Names = new V1CustomResourceDefinitionNames { Plural = "widgets", Singular = "widget", Kind = "Widget", ShortNames = ["wd"] },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = "v1", Served = true, Storage = true,
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
                    },
                ],
            },
        };
        await sim.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        await Eventually.Until(async () =>
        {
            var c = await sim.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.example.com");
            return c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true;
        }, "CRD established");
        var established = await sim.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.example.com");
        Assert.Contains(established.Status.Conditions, c => c.Type == "NamesAccepted" && c.Reason == "NoConflicts");
        Assert.Equal(["v1"], established.Status.StoredVersions);

        var widget = new JsonObject { ["apiVersion"] = "example.com/v1", ["kind"] = "Widget", ["metadata"] = new JsonObject { ["name"] = "w1" }, ["spec"] = new JsonObject { ["size"] = 3 } };
        await sim.Client.CustomObjects.CreateClusterCustomObjectAsync(widget, "example.com", "v1", "widgets");
        var listed = await sim.Client.CustomObjects.ListClusterCustomObjectAsync("example.com", "v1", "widgets");
        Assert.Contains("\"w1\"", System.Text.Json.JsonSerializer.Serialize(listed));

        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        var groups = JsonNode.Parse(await http.GetStringAsync("/apis"))!;
        Assert.Contains(groups["groups"]!.AsArray(), g => (string?)g!["name"] == "example.com");
        var resources = JsonNode.Parse(await http.GetStringAsync("/apis/example.com/v1"))!;
        Assert.Equal(["wd"], resources["resources"]![0]!["shortNames"]!.AsArray().Select(s => (string?)s));

        // As apiextensions-apiserver deletes a CRD: marked, with its cleanup finalizer and a Terminating condition,
        // until the finalizer controller has deleted its custom resources; then gone.
        using var deleting = await http.DeleteAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
        Assert.Equal(200, (int)deleting.StatusCode);
        var marked = JsonNode.Parse(await deleting.Content.ReadAsStringAsync())!;
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        Assert.Equal(["customresourcecleanup.apiextensions.k8s.io"], marked["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        Assert.Contains(marked["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Terminating" && (string?)c["status"] == "True" && (string?)c["reason"] == "InstanceDeletionPending");
        await Eventually.Until(async () => (int)(await http.GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).StatusCode == 404, "CRD gone");
        await Eventually.Until(async () => (int)(await http.GetAsync("/apis/example.com/v1")).StatusCode == 404, "group gone");
        Assert.Equal(404, (int)(await http.GetAsync("/apis/example.com/v1/widgets/w1")).StatusCode);
    }
}
