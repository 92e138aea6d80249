using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeSim.Tests;

/// <summary>The sidecar injector imitation, driven by webhook configurations shaped like Istio's rendered charts.</summary>
public class InjectionTests
{
    internal static JsonObject Webhook(string prefix, JsonObject namespaceSelector, JsonObject objectSelector, string service) => new()
    {
        ["name"] = prefix + "sidecar-injector.istio.io",
        ["clientConfig"] = new JsonObject { ["service"] = new JsonObject { ["name"] = service, ["namespace"] = "istio-system", ["path"] = "/inject", ["port"] = 443 } },
        ["sideEffects"] = "None",
        ["rules"] = new JsonArray(new JsonObject
        {
            ["operations"] = new JsonArray("CREATE"), ["apiGroups"] = new JsonArray(""), ["apiVersions"] = new JsonArray("v1"), ["resources"] = new JsonArray("pods"),
        }),
        ["failurePolicy"] = "Fail",
        ["admissionReviewVersions"] = new JsonArray("v1"),
        ["namespaceSelector"] = namespaceSelector,
        ["objectSelector"] = objectSelector,
    };

    internal static JsonObject Expr(string key, string op, params string[] values)
    {
        var e = new JsonObject { ["key"] = key, ["operator"] = op };
        if (values.Length > 0) e["values"] = new JsonArray([.. values.Select(v => (JsonNode)v)]);
        return e;
    }

    internal static JsonObject Selector(params JsonObject[] exprs) => new() { ["matchExpressions"] = new JsonArray([.. exprs]) };

    /// <summary>The MutatingWebhookConfiguration Istio renders for a revision ("" = default).</summary>
    internal static JsonObject Injector(string revision)
    {
        var rev = revision.Length == 0 ? "default" : revision;
        var service = revision.Length == 0 ? "istiod" : $"istiod-{revision}";
        var hooks = new JsonArray(
            Webhook("rev.namespace.", Selector(Expr("istio.io/rev", "In", rev), Expr("istio-injection", "DoesNotExist")),
                Selector(Expr("sidecar.istio.io/inject", "NotIn", "false")), service),
            Webhook("rev.object.", Selector(Expr("istio.io/rev", "DoesNotExist"), Expr("istio-injection", "DoesNotExist")),
                Selector(Expr("sidecar.istio.io/inject", "NotIn", "false"), Expr("istio.io/rev", "In", rev)), service));
        if (revision.Length == 0)
        {
            hooks.Add(Webhook("namespace.", Selector(Expr("istio-injection", "In", "enabled")), Selector(Expr("sidecar.istio.io/inject", "NotIn", "false")), service));
            hooks.Add(Webhook("object.", Selector(Expr("istio-injection", "DoesNotExist"), Expr("istio.io/rev", "DoesNotExist")),
                Selector(Expr("sidecar.istio.io/inject", "In", "true"), Expr("istio.io/rev", "DoesNotExist")), service));
        }
        return new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = "MutatingWebhookConfiguration",
            ["metadata"] = new JsonObject
            {
                ["name"] = revision.Length == 0 ? "istio-sidecar-injector" : $"istio-sidecar-injector-{revision}",
                ["labels"] = new JsonObject { ["istio.io/rev"] = rev, ["app"] = "sidecar-injector" },
            },
            ["webhooks"] = hooks,
        };
    }

    static V1Pod Pod(string name, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "app:1" }] },
    };

    static async Task Namespace(Kubernetes client, string name, Dictionary<string, string>? labels) =>
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });

    [Fact]
    public async Task PodsMatchingIstioWebhooksGetTheProxyAndTheirRevision()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        var client = sim.Client;
        sim.Server.Seed(Injector(""));
        sim.Server.Seed(Injector("canary"));
        await Namespace(client, "istio-system", null);
        await client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "istiod" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 0,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "istiod" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "istiod" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "discovery", Image = "docker.io/istio/pilot:1.30.3" }] },
                },
            },
        }, "istio-system");
        await Namespace(client, "enabled", new() { ["istio-injection"] = "enabled" });
        await Namespace(client, "disabled", new() { ["istio-injection"] = "disabled" });
        await Namespace(client, "canary", new() { ["istio.io/rev"] = "canary" });
        await Namespace(client, "plain", null);

        static IEnumerable<string> Containers(V1Pod p) => p.Spec.Containers.Select(c => c.Name);
        var injected = await client.CoreV1.CreateNamespacedPodAsync(Pod("a"), "enabled");
        Assert.Equal(["app", "istio-proxy"], Containers(injected));
        Assert.Equal("default", injected.Metadata.Labels["istio.io/rev"]);
        Assert.Equal("docker.io/istio/proxyv2:1.30.3", injected.Spec.Containers[1].Image);
        Assert.Contains("\"revision\":\"default\"", injected.Metadata.Annotations["sidecar.istio.io/status"]);

        var optedOut = await client.CoreV1.CreateNamespacedPodAsync(Pod("b", new() { ["sidecar.istio.io/inject"] = "false" }), "enabled");
        Assert.Equal(["app"], Containers(optedOut));
        Assert.Equal(["app"], Containers(await client.CoreV1.CreateNamespacedPodAsync(Pod("c"), "disabled")));
        Assert.Equal(["app"], Containers(await client.CoreV1.CreateNamespacedPodAsync(Pod("d"), "plain")));

        var optedIn = await client.CoreV1.CreateNamespacedPodAsync(Pod("e", new() { ["sidecar.istio.io/inject"] = "true" }), "plain");
        Assert.Equal("default", optedIn.Metadata.Labels["istio.io/rev"]);

        // Gateway charts declare istio-proxy with image "auto"; the injector fills in the image.
        var gateway = Pod("gw", new() { ["sidecar.istio.io/inject"] = "true" });
        gateway.Spec.Containers = [new V1Container { Name = "istio-proxy", Image = "auto" }];
        var injectedGateway = await client.CoreV1.CreateNamespacedPodAsync(gateway, "plain");
        Assert.Equal("docker.io/istio/proxyv2:1.30.3", Assert.Single(injectedGateway.Spec.Containers).Image);

        var canary = await client.CoreV1.CreateNamespacedPodAsync(Pod("f"), "canary");
        Assert.Equal(["app", "istio-proxy"], Containers(canary));
        Assert.Equal("canary", canary.Metadata.Labels["istio.io/rev"]);
        Assert.Equal("docker.io/istio/proxyv2:latest", canary.Spec.Containers[1].Image);

        // Pods created before a label change keep what they had.
        await client.CoreV1.PatchNamespaceAsync(new V1Patch("{\"metadata\":{\"labels\":{\"istio-injection\":null}}}", V1Patch.PatchType.MergePatch), "enabled");
        Assert.Equal(["app", "istio-proxy"], Containers(await client.CoreV1.ReadNamespacedPodAsync("a", "enabled")));
        Assert.Equal(["app"], Containers(await client.CoreV1.CreateNamespacedPodAsync(Pod("g"), "enabled")));

        await Eventually.Until(async () => (await client.CoreV1.ReadNamespacedPodAsync("a", "enabled")).Status?.ContainerStatuses?.Count(c => c.Ready) == 2, "both containers ready");
    }

    [Fact]
    public async Task RevisionTagWebhooksInjectTheRevisionTheyPointAt()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 5 });
        var client = sim.Client;
        sim.Server.Seed(Injector("canary"));
        // istioctl's revision tag "prod": its own configuration, labelled with the revision it points at, and
        // selecting namespaces by the tag name.
        var tag = Injector("canary");
        tag["metadata"]!["name"] = "istio-revision-tag-prod";
        tag["metadata"]!["labels"]!["istio.io/tag"] = "prod";
        foreach (var hook in tag["webhooks"]!.AsArray())
            foreach (var e in hook!["namespaceSelector"]!["matchExpressions"]!.AsArray().Concat(hook["objectSelector"]!["matchExpressions"]!.AsArray()))
                if ((string?)e!["key"] == "istio.io/rev" && e["values"] is JsonArray values) e["values"] = new JsonArray("prod");
        sim.Server.Seed(tag);
        await Namespace(client, "tagged", new() { ["istio.io/rev"] = "prod" });
        await Namespace(client, "unknown-tag", new() { ["istio.io/rev"] = "staging" });

        var pod = await client.CoreV1.CreateNamespacedPodAsync(Pod("a"), "tagged");
        Assert.Equal(["app", "istio-proxy"], pod.Spec.Containers.Select(c => c.Name));
        Assert.Equal("canary", pod.Metadata.Labels["istio.io/rev"]);
        Assert.Equal(["app"], (await client.CoreV1.CreateNamespacedPodAsync(Pod("b"), "unknown-tag")).Spec.Containers.Select(c => c.Name));

        // Removing the tag's configuration stops injection through it: the decision is made from what is stored.
        await client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync("istio-revision-tag-prod");
        Assert.Equal(["app"], (await client.CoreV1.CreateNamespacedPodAsync(Pod("c"), "tagged")).Spec.Containers.Select(c => c.Name));
    }
}
