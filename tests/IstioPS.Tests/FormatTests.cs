using System.Text.Json.Nodes;
using IstioPS.Engine.Components;
using IstioPS.Engine.Kube;
using Xunit;

namespace IstioPS.Tests;

public class FormatTests
{
    [Theory]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(200, "3m20s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 600, "3h10m")]
    [InlineData(20 * 3600, "20h")]
    [InlineData(3 * 86400 + 7200, "3d2h")]
    [InlineData(100 * 86400, "100d")]
    [InlineData(3 * 365 * 86400 + 86400 * 20, "3y20d")]
    public void AgeIsKubectls(int seconds, string expected) => Assert.Equal(expected, KubeFormat.Age(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("istiod", "istiod")]
    [InlineData("istio-ingressgateway", "ingressgateway")]
    [InlineData("istio-egressgateway", "egressgateway")]
    [InlineData("istio-cni-node", "cni")]
    [InlineData("ztunnel", "ztunnel")]
    [InlineData("prometheus", "prometheus")]
    [InlineData("grafana", "grafana")]
    [InlineData("jaeger", "jaeger")]
    [InlineData("kiali", "kiali")]
    [InlineData("loki", "loki")]
    [InlineData("istio-pilot", "pilot")]
    [InlineData("istio-citadel", "citadel")]
    [InlineData("istio-galley", "galley")]
    [InlineData("istio-sidecar-injector", "sidecar-injector")]
    [InlineData("istio-policy", "policy")]
    [InlineData("istio-telemetry", "telemetry")]
    [InlineData("istio-tracing", "tracing")]
    public void KnownComponentsHaveRoles(string name, string component)
    {
        var role = ComponentCatalog.Identify(name, new Dictionary<string, string>());
        Assert.Equal(component, role.Component);
        Assert.DoesNotContain("Other", role.Role);
    }

    [Fact]
    public void LegacyRolesSayWhatTheyDid()
    {
        Assert.Contains("Envoy service discovery", ComponentCatalog.Identify("istio-pilot", new Dictionary<string, string>()).Role);
        Assert.Contains("certificate", ComponentCatalog.Identify("istio-citadel", new Dictionary<string, string>()).Role);
        Assert.Contains("validation", ComponentCatalog.Identify("istio-galley", new Dictionary<string, string>()).Role);
        Assert.Contains("Mixer", ComponentCatalog.Identify("istio-telemetry", new Dictionary<string, string>()).Role);
    }

    [Fact]
    public void RevisionedAndRelabelledWorkloadsAreRecognised()
    {
        Assert.Equal("istiod", ComponentCatalog.Identify("istiod-canary", new Dictionary<string, string> { ["istio.io/rev"] = "canary" }).Component);
        Assert.Equal("ingressgateway", ComponentCatalog.Identify("my-gw", new Dictionary<string, string> { ["istio"] = "ingressgateway" }).Component);
        var other = ComponentCatalog.Identify("my-app", new Dictionary<string, string>());
        Assert.Equal("my-app", other.Component);
        Assert.Contains("Other", other.Role);
    }

    [Fact]
    public void PodStatusPrefersWaitingReasons()
    {
        var pod = JsonNode.Parse("""
            {"metadata":{"name":"p","namespace":"x","creationTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"containers":[{"name":"a"},{"name":"b"}]},
             "status":{"phase":"Pending","containerStatuses":[
               {"name":"a","ready":true,"restartCount":1,"state":{"running":{}}},
               {"name":"b","ready":false,"restartCount":2,"state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image"}}}]}}
            """)!.AsObject();
        Assert.Equal("ImagePullBackOff", PodStatus.Status(pod));
        Assert.Equal((1, 2), PodStatus.Readiness(pod));
        var view = PodStatus.ToPod(pod, DateTimeOffset.Parse("2026-01-01T00:05:00Z"), null);
        Assert.Equal("1/2", view.Ready);
        Assert.Equal(3, view.Restarts);
        Assert.Equal("5m", view.AgeText);
        Assert.Equal(TimeSpan.FromMinutes(5), view.Age);
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), view.Created);
        Assert.Equal((1, 2), (view.ReadyContainers, view.Containers));
        Assert.Contains("ImagePullBackOff", IstioPS.Engine.Wait.ReadinessWaiter.PodProblem(pod));
    }

    [Theory]
    [InlineData("""{"metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":2,"replicas":2,"updatedReplicas":2,"availableReplicas":2,"readyReplicas":2}}""", true)]
    [InlineData("""{"metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"availableReplicas":2}}""", false)]
    [InlineData("""{"metadata":{"generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":3,"updatedReplicas":2,"availableReplicas":2}}""", false)]
    [InlineData("""{"metadata":{"generation":1},"spec":{},"status":{"observedGeneration":1,"replicas":1,"updatedReplicas":1,"availableReplicas":0}}""", false)]
    public void DeploymentReadinessFollowsRolloutStatus(string json, bool ready)
        => Assert.Equal(ready, WorkloadStatus.Evaluate("Deployment", JsonNode.Parse(json)!.AsObject()).Ready);
}
