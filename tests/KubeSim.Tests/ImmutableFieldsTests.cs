using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeSim.Tests;

/// <summary>Immutable fields through the real KubernetesClient and kubectl: 422 with kube-apiserver's messages, dry runs too.</summary>
public class ImmutableFieldsTests
{
    static V1Patch Apply(string json) => new(json, V1Patch.PatchType.ApplyPatch);

    static string Workload(string kind, string name, string selectorJson, string labelsJson, string extraSpec = "") =>
        "{\"apiVersion\":\"" + (kind == "Job" ? "batch/v1" : "apps/v1") + "\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"default\"},\"spec\":{" + extraSpec + "\"selector\":" + selectorJson
        + ",\"template\":{\"metadata\":{\"labels\":" + labelsJson + "},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.27\"}]}}}}";

    static async Task<JsonObject> Invalid(Func<Task> call, string message, string field, string reason)
    {
        var status = await StatusAssert.Fails(422, call);
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Equal(message, (string?)status["message"]);
        var cause = status["details"]!["causes"]!.AsArray().Single()!;
        Assert.Equal((field, reason), ((string?)cause["field"], (string?)cause["reason"]));
        return status;
    }

    [Fact]
    public async Task WorkloadSelectorsAreImmutableWithKubeApiserversMessageOnUpdatesApplyAndDryRuns()
    {
        await using var sim = await SimClient.StartAsync();
        var apps = sim.Client.AppsV1;
        await apps.PatchNamespacedDeploymentAsync(Apply(Workload("Deployment", "web", """{"matchLabels":{"app":"web"}}""", """{"app":"web"}""")), "web", "default", fieldManager: "t");
        var changed = Workload("Deployment", "web", """{"matchLabels":{"app":"web","tier":"front"}}""", """{"app":"web","tier":"front"}""");
        const string deploymentMessage = "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable";
        await Invalid(() => apps.PatchNamespacedDeploymentAsync(Apply(changed), "web", "default", fieldManager: "t"), deploymentMessage, "spec.selector", "FieldValueInvalid");
        await Invalid(() => apps.PatchNamespacedDeploymentAsync(Apply(changed), "web", "default", fieldManager: "t", dryRun: "All"), deploymentMessage, "spec.selector", "FieldValueInvalid");
        var current = await apps.ReadNamespacedDeploymentAsync("web", "default");
        current.Spec.Selector.MatchLabels["tier"] = "front";
        current.Spec.Template.Metadata.Labels["tier"] = "front";
        // An unconditional update (as deployments allow): the controllers' status writes meanwhile must not turn the
        // answer into a 409 Conflict on the resourceVersion read above.
        current.Metadata.ResourceVersion = null;
        await Invalid(() => apps.ReplaceNamespacedDeploymentAsync(current, "web", "default"), deploymentMessage, "spec.selector", "FieldValueInvalid");
        Assert.Equal(["app"], (await apps.ReadNamespacedDeploymentAsync("web", "default")).Spec.Selector.MatchLabels.Keys);

        // Everything else in the spec still changes.
        var scaled = await apps.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", "default");
        Assert.Equal(3, scaled.Spec.Replicas);

        // matchExpressions print as Go does, values included.
        var expr = """{"matchExpressions":[{"key":"app","operator":"In","values":["db"]}]}""";
        await apps.PatchNamespacedReplicaSetAsync(Apply(Workload("ReplicaSet", "db", expr, """{"app":"db"}""")), "db", "default", fieldManager: "t");
        await Invalid(() => apps.PatchNamespacedReplicaSetAsync(Apply(Workload("ReplicaSet", "db", expr.Replace("\"db\"]", "\"db\",\"cache\"]"), """{"app":"db"}""")), "db", "default", fieldManager: "t"),
            "ReplicaSet.apps \"db\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"app\", Operator:\"In\", Values:[]string{\"db\", \"cache\"}}}}: field is immutable",
            "spec.selector", "FieldValueInvalid");

        await apps.PatchNamespacedDaemonSetAsync(Apply(Workload("DaemonSet", "agent", """{"matchLabels":{"app":"agent"}}""", """{"app":"agent"}""")), "agent", "default", fieldManager: "t");
        await Invalid(() => apps.PatchNamespacedDaemonSetAsync(Apply(Workload("DaemonSet", "agent", """{"matchLabels":{"app":"agent2"}}""", """{"app":"agent2"}""")), "agent", "default", fieldManager: "t", dryRun: "All"),
            "DaemonSet.apps \"agent\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"agent2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
            "spec.selector", "FieldValueInvalid");
    }

    [Fact]
    public async Task StatefulSetsChangeOnlyTheirUpdatableFieldsAndJobsKeepTheirTemplate()
    {
        await using var sim = await SimClient.StartAsync();
        var apps = sim.Client.AppsV1;
        var sts = Workload("StatefulSet", "db", """{"matchLabels":{"app":"db"}}""", """{"app":"db"}""", "\"serviceName\":\"db\",");
        await apps.PatchNamespacedStatefulSetAsync(Apply(sts), "db", "default", fieldManager: "t");
        var updated = await apps.PatchNamespacedStatefulSetAsync(Apply(sts.Replace("\"spec\":{\"serviceName\"", "\"spec\":{\"replicas\":2,\"minReadySeconds\":5,\"serviceName\"").Replace("nginx:1.27", "nginx:1.28")), "db", "default", fieldManager: "t");
        Assert.Equal((2, 5, "nginx:1.28"), (updated.Spec.Replicas, updated.Spec.MinReadySeconds, updated.Spec.Template.Spec.Containers[0].Image));
        await Invalid(() => apps.PatchNamespacedStatefulSetAsync(new V1Patch("""{"spec":{"serviceName":"db-headless"}}""", V1Patch.PatchType.MergePatch), "db", "default", dryRun: "All"),
            "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            "spec", "FieldValueForbidden");

        var batch = sim.Client.BatchV1;
        var job = Workload("Job", "migrate", "null", """{"app":"migrate"}""").Replace("\"selector\":null,", "").Replace("\"containers\"", "\"restartPolicy\":\"Never\",\"containers\"");
        await batch.PatchNamespacedJobAsync(Apply(job), "migrate", "default", fieldManager: "t");
        await Invalid(() => batch.PatchNamespacedJobAsync(Apply(job.Replace("nginx:1.27", "nginx:1.28")), "migrate", "default", fieldManager: "t"),
            "Job.batch \"migrate\" is invalid: spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable",
            "spec.template", "FieldValueInvalid");
        Assert.Equal("nginx:1.27", (await batch.ReadNamespacedJobAsync("migrate", "default")).Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task ServiceUpdatesKeepTheirAllocatedClusterIpAndCannotChangeIt()
    {
        await using var sim = await SimClient.StartAsync();
        var core = sim.Client.CoreV1;
        var svc = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        };
        var created = await core.CreateNamespacedServiceAsync(svc, "default");
        var ip = created.Spec.ClusterIP;
        Assert.False(string.IsNullOrEmpty(ip));

        // A replace that leaves the cluster IPs out keeps them, as kube-apiserver's service registry does.
        svc.Metadata.ResourceVersion = created.Metadata.ResourceVersion;
        svc.Spec.Ports[0].Port = 8080;
        var replaced = await core.ReplaceNamespacedServiceAsync(svc, "web", "default");
        Assert.Equal((ip, 8080), (replaced.Spec.ClusterIP, replaced.Spec.Ports[0].Port));
        Assert.Equal([ip], replaced.Spec.ClusterIPs);

        const string message = "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.200.200\"}: may not change once set";
        await Invalid(() => core.PatchNamespacedServiceAsync(new V1Patch("""{"spec":{"clusterIP":"10.96.200.200"}}""", V1Patch.PatchType.MergePatch), "web", "default"),
            message, "spec.clusterIPs[0]", "FieldValueInvalid");
        await Invalid(() => core.PatchNamespacedServiceAsync(new V1Patch("""{"spec":{"clusterIP":"10.96.200.200","clusterIPs":["10.96.200.200"]}}""", V1Patch.PatchType.MergePatch), "web", "default", dryRun: "All"),
            message, "spec.clusterIPs[0]", "FieldValueInvalid");
        Assert.Equal(ip, (await core.ReadNamespacedServiceAsync("web", "default")).Spec.ClusterIP);
    }

    [SkippableFact]
    public async Task KubectlApplyReportsTheImmutableSelector()
    {
        await using var k = await Kubectl.StartAsync();
        var file = Path.Combine(k.Sim.Directory, "web.yaml");
        await File.WriteAllTextAsync(file, Workload("Deployment", "web", """{"matchLabels":{"app":"web"}}""", """{"app":"web"}"""));
        await k.Ok("apply", "-f", file);
        await File.WriteAllTextAsync(file, Workload("Deployment", "web", """{"matchLabels":{"app":"web2"}}""", """{"app":"web2"}"""));
        var (exit, _, stderr) = await k.Run("apply", "-f", file);
        Assert.NotEqual(0, exit);
        Assert.Contains("The Deployment \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable", stderr);
        var (dryExit, _, dryErr) = await k.Run("apply", "--server-side", "--dry-run=server", "--force-conflicts", "-f", file);
        Assert.NotEqual(0, dryExit);
        Assert.Contains("field is immutable", dryErr);
    }
}
