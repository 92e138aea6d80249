using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeSim.Tests;

/// <summary>The simulated istiod: webhook CA bundles, fail-closed validation and root-cert ConfigMaps, by pilot-discovery.</summary>
public class IstiodTests
{
    static JsonObject Validator(string revision) => new()
    {
        ["apiVersion"] = "admissionregistration.k8s.io/v1",
        ["kind"] = "ValidatingWebhookConfiguration",
        ["metadata"] = new JsonObject
        {
            ["name"] = $"istio-validator-{revision}-istio-system",
            ["labels"] = new JsonObject { ["istio.io/rev"] = revision, ["app"] = "istiod" },
        },
        ["webhooks"] = new JsonArray(new JsonObject
        {
            ["name"] = "rev.validation.istio.io",
            ["clientConfig"] = new JsonObject { ["service"] = new JsonObject { ["name"] = "istiod", ["namespace"] = "istio-system", ["path"] = "/validate" } },
            ["rules"] = new JsonArray(new JsonObject
            {
                ["operations"] = new JsonArray("CREATE", "UPDATE"), ["apiGroups"] = new JsonArray("networking.istio.io"),
                ["apiVersions"] = new JsonArray("*"), ["resources"] = new JsonArray("*"),
            }),
            ["failurePolicy"] = "Ignore",
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = new JsonArray("v1"),
        }),
    };

    static V1Deployment Istiod(string revision) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = revision == "default" ? "istiod" : $"istiod-{revision}",
            Labels = new Dictionary<string, string> { ["app"] = "istiod", ["istio.io/rev"] = revision },
        },
        Spec = new V1DeploymentSpec
        {
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "istiod", ["istio.io/rev"] = revision } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "istiod", ["istio.io/rev"] = revision } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "discovery", Image = "docker.io/istio/pilot:1.30.3" }] },
            },
        },
    };

    [Fact]
    public async Task AReadyIstiodPatchesItsRevisionsWebhooksAndKeepsRootCertsUntilItIsGone()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5, Istiod = true });
        var client = sim.Client;
        var admission = client.AdmissionregistrationV1;
        sim.Server.Seed(InjectionTests.Injector(""));
        sim.Server.Seed(InjectionTests.Injector("canary"));
        sim.Server.Seed(Validator("default"));
        sim.Server.Seed(Validator("canary"));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "istio-system" } });
        // Nothing happens before an istiod is ready.
        Assert.DoesNotContain(sim.Server.ReadAll("v1", "ConfigMap"), c => (string?)c["metadata"]!["name"] == "istio-ca-root-cert");

        await client.AppsV1.CreateNamespacedDeploymentAsync(Istiod("default"), "istio-system");
        await Eventually.Until(async () => (await admission.ReadValidatingWebhookConfigurationAsync("istio-validator-default-istio-system")).Webhooks[0].FailurePolicy == "Fail",
            "istiod switched validation to fail closed");
        var validator = await admission.ReadValidatingWebhookConfigurationAsync("istio-validator-default-istio-system");
        var pem = Encoding.ASCII.GetString(validator.Webhooks[0].ClientConfig.CaBundle);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem);
        var entry = Assert.Single(validator.Metadata.ManagedFields, f => f.Manager == "pilot-discovery");
        Assert.Equal("Update", entry.Operation);
        Assert.Contains("failurePolicy", entry.FieldsV1.ToString());

        await Eventually.Until(async () => (await admission.ReadMutatingWebhookConfigurationAsync("istio-sidecar-injector")).Webhooks.All(w => w.ClientConfig.CaBundle is { Length: > 0 }),
            "injector CA bundles");
        Assert.Equal(pem, Encoding.ASCII.GetString((await admission.ReadMutatingWebhookConfigurationAsync("istio-sidecar-injector")).Webhooks[0].ClientConfig.CaBundle));
        // Another revision's configurations are that revision's istiod's business.
        Assert.All((await admission.ReadMutatingWebhookConfigurationAsync("istio-sidecar-injector-canary")).Webhooks, w => Assert.Null(w.ClientConfig.CaBundle));
        Assert.Equal("Ignore", (await admission.ReadValidatingWebhookConfigurationAsync("istio-validator-canary-istio-system")).Webhooks[0].FailurePolicy);

        await Eventually.Until(() => sim.Server.ReadAll("v1", "ConfigMap").Count(c => (string?)c["metadata"]!["name"] == "istio-ca-root-cert") == 3, "root certs in default, istio-system, kube-system");
        var rootCert = await client.CoreV1.ReadNamespacedConfigMapAsync("istio-ca-root-cert", "kube-system");
        Assert.Equal((pem, "true"), (rootCert.Data["root-cert.pem"], rootCert.Metadata.Labels["istio.io/config"]));
        Assert.Null(sim.Server.Read("v1", "ConfigMap", "kube-public", "istio-ca-root-cert"));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "apps" } });
        await Eventually.Until(() => sim.Server.Read("v1", "ConfigMap", "apps", "istio-ca-root-cert") is not null, "a new namespace gets the root cert");
        // A changed root cert is put back.
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"root-cert.pem":"stale"}}""", V1Patch.PatchType.MergePatch), "istio-ca-root-cert", "apps");
        await Eventually.Until(async () => (await client.CoreV1.ReadNamespacedConfigMapAsync("istio-ca-root-cert", "apps")).Data["root-cert.pem"] == pem, "root cert restored");

        // Once istiod is gone nothing is written for its revision any more.
        await client.AppsV1.DeleteNamespacedDeploymentAsync("istiod", "istio-system");
        await Eventually.Until(() => sim.Server.Read("apps/v1", "Deployment", "istio-system", "istiod") is null, "istiod gone");
        await admission.PatchValidatingWebhookConfigurationAsync(new V1Patch("""{"webhooks":[{"name":"rev.validation.istio.io","failurePolicy":"Ignore"}]}""", V1Patch.PatchType.StrategicMergePatch),
            "istio-validator-default-istio-system");
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "later" } });
        // The controllers share one work queue: once a Deployment created now has its ReplicaSet, the sweeps
        // queued by the changes above have run.
        var probe = Istiod("probe");
        probe.Metadata.Labels["app"] = "probe";
        await client.AppsV1.CreateNamespacedDeploymentAsync(probe, "later");
        await Eventually.Until(() => sim.Server.ReadAll("apps/v1", "ReplicaSet", "later").Count == 1, "probe replica set");
        Assert.Equal("Ignore", (await admission.ReadValidatingWebhookConfigurationAsync("istio-validator-default-istio-system")).Webhooks[0].FailurePolicy);
        Assert.Null(sim.Server.Read("v1", "ConfigMap", "later", "istio-ca-root-cert"));
    }

    [Fact]
    public async Task WithoutTheOptionNothingIsPatched()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5, Istiod = false });
        sim.Server.Seed(Validator("default"));
        await sim.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "istio-system" } });
        await sim.Client.AppsV1.CreateNamespacedDeploymentAsync(Istiod("default"), "istio-system");
        await Eventually.Until(async () => (await sim.Client.AppsV1.ReadNamespacedDeploymentAsync("istiod", "istio-system")).Status?.AvailableReplicas == 1, "istiod available");
        Assert.Equal("Ignore", (await sim.Client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync("istio-validator-default-istio-system")).Webhooks[0].FailurePolicy);
        Assert.DoesNotContain(sim.Server.ReadAll("v1", "ConfigMap"), c => (string?)c["metadata"]!["name"] == "istio-ca-root-cert");
    }
}
