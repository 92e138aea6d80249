using System.Text.Json.Nodes;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;
using KubeSim;
using Xunit;

namespace IstioPS.Tests;

/// <summary>An apply leaves out the webhook fields a live istiod took (KubeSim --istiod as pilot-discovery).</summary>
public class ControlPlaneFieldsTests
{
    private static readonly ResourceInfo Validators = new("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false);

    private static JsonObject Validator() => JsonNode.Parse("""
        {"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration",
         "metadata":{"name":"istio-validator-istio-system","labels":{"istio.io/rev":"default","app":"istiod"}},
         "webhooks":[{"name":"rev.validation.istio.io","failurePolicy":"Ignore","sideEffects":"None","admissionReviewVersions":["v1"],
           "clientConfig":{"service":{"name":"istiod","namespace":"istio-system","path":"/validate"}},
           "rules":[{"operations":["CREATE","UPDATE"],"apiGroups":["networking.istio.io"],"apiVersions":["*"],"resources":["*"]}]}]}
        """)!.AsObject();

    private static JsonObject Istiod() => JsonNode.Parse("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"istiod","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"default"}},
         "spec":{"selector":{"matchLabels":{"app":"istiod"}},"template":{"metadata":{"labels":{"app":"istiod"}},
           "spec":{"containers":[{"name":"discovery","image":"docker.io/istio/pilot:1.30.3"}]}}}}
        """)!.AsObject();

    private static Task<(System.Net.HttpStatusCode, JsonObject)> ApplyAsync(Sim sim, ResourceInfo resource, string? ns, JsonObject body) =>
        sim.Api.WriteAsync(HttpMethod.Patch, resource.ObjectPath(ns, (string)body["metadata"]!["name"]!) + $"?fieldManager={Applier.FieldManager}&force=true",
            body, KubeApi.ApplyPatch, CancellationToken.None);

    [Fact]
    public async Task FieldsIstiodTookAreLeftOutOfTheNextApplyAndStayAsIstiodSetThem()
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, Istiod = true });
        var path = Validators.ObjectPath(null, "istio-validator-istio-system");
        await ApplyAsync(sim, Validators, null, Validator());
        // Before istiod runs, IstioPS owns what it applied: nothing is left out.
        var ours = await sim.Api.TryGetAsync(path, CancellationToken.None);
        Assert.Empty(ControlPlaneFields.Yield(Validator(), ours, Applier.FieldManager));

        await sim.Api.WriteAsync(HttpMethod.Post, ResourceInfo.Namespaces.CollectionPath(null), new JsonObject { ["metadata"] = new JsonObject { ["name"] = "istio-system" } }, "application/json", CancellationToken.None);
        await ApplyAsync(sim, ResourceInfo.Deployments, "istio-system", Istiod());
        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonObject? live;
        while ((string?)(live = await sim.Api.TryGetAsync(path, CancellationToken.None))!["webhooks"]![0]!["failurePolicy"] != "Fail")
        {
            Assert.True(DateTime.UtcNow < deadline, "istiod did not switch the webhook to Fail");
            await Task.Delay(20);
        }

        var body = Validator();
        body["webhooks"]![0]!["clientConfig"]!["caBundle"] = "c3RhbGU=";
        Assert.Equal(["webhooks[name=rev.validation.istio.io].failurePolicy", "webhooks[name=rev.validation.istio.io].clientConfig.caBundle"],
            ControlPlaneFields.Yield(body, live, Applier.FieldManager));
        Assert.Null(body["webhooks"]![0]!["failurePolicy"]);
        Assert.Equal("rev.validation.istio.io", (string?)body["webhooks"]![0]!["name"]);

        var (_, after) = await ApplyAsync(sim, Validators, null, body);
        Assert.Equal(live!["metadata"]!["resourceVersion"]!.ToString(), after["metadata"]!["resourceVersion"]!.ToString());
        Assert.Equal("Fail", (string?)after["webhooks"]![0]!["failurePolicy"]);
        Assert.Equal((string?)live["webhooks"]![0]!["clientConfig"]!["caBundle"], (string?)after["webhooks"]![0]!["clientConfig"]!["caBundle"]);

        // Other kinds are left alone.
        var deployment = Istiod();
        Assert.Empty(ControlPlaneFields.Yield(deployment, live, Applier.FieldManager));
    }
}
