using System.Text.Json.Nodes;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Plan;
using Xunit;

namespace IstioPS.Tests;

public class PlannerTests
{
    private const string App = AppManifests.ServiceAndConfig;

    private static Task<InstallPlan> Plan(Sim sim, string file) => sim.PlanAsync(new InstallRequest { ManifestPaths = new[] { file } });

    [Fact]
    public void DiffNamesFieldsByPathMatchesNamedListItemsAndSkipsBookkeeping()
    {
        var live = JsonNode.Parse("""
            {"metadata":{"name":"x","resourceVersion":"5","labels":{"app.kubernetes.io/name":"a"}},
             "spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}],"replicas":1},"status":{"ready":1}}
            """)!.AsObject();
        var planned = JsonNode.Parse("""
            {"metadata":{"name":"x","resourceVersion":"6","labels":{"app.kubernetes.io/name":"b"}},
             "spec":{"containers":[{"name":"b","image":"b:2"},{"name":"a","image":"a:1"}],"replicas":1},"status":{"ready":0}}
            """)!.AsObject();
        var changes = ObjectDiff.Changes(live, planned);
        Assert.Equal(new[] { "metadata.labels['app.kubernetes.io/name']", "spec.containers[b].image" }, changes.Select(c => c.Path));
        Assert.Equal("spec.containers[b].image: b:1 -> b:2", changes[1].ToString());
        Assert.Equal("x: (none) -> " + new string('y', 37) + "...", new FieldChange("x", null, new string('y', 100)).ToString());
    }

    [Fact]
    public async Task PlansCreateThenUnchangedAndIgnoresFieldsOfOtherManagers()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("app.yaml", App);
        var first = await Plan(sim, file);
        Assert.Equal(new[] { "Namespace/apps Create", "ConfigMap/web-config Create", "Service/web Create" }, first.Objects.Select(o => $"{o.Kind}/{o.Name} {o.Action}"));
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });

        // Another manager adds a field the install does not set: no difference.
        var patch = new JsonObject { ["data"] = new JsonObject { ["added-by-someone"] = "yes" } };
        await new Applier(sim.Api).MergePatchAsync(new ResourceInfo("", "v1", "ConfigMap", "configmaps", true), "apps", "web-config", patch, default);
        sim.Server.ClearRequests();
        var again = await Plan(sim, file);
        Assert.All(again.Objects, o => Assert.Equal(PlanAction.Unchanged, o.Action));
        Assert.Empty(sim.Writes());
        Assert.Contains(sim.Server.Requests, r => r.IsDryRun);

        // A value the install sets, changed by hand: Configure, naming it.
        patch = new JsonObject { ["data"] = new JsonObject { ["a"] = "changed" } };
        await new Applier(sim.Api).MergePatchAsync(new ResourceInfo("", "v1", "ConfigMap", "configmaps", true), "apps", "web-config", patch, default);
        var drifted = Assert.Single((await Plan(sim, file)).Changing);
        Assert.Equal(PlanAction.Configure, drifted.Action);
        Assert.Equal("data.a: changed -> b", Assert.Single(drifted.Changes).ToString());
    }

    [Fact]
    public async Task AChangedClusterIpIsRecreateAndNeedsForce()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("app.yaml", App.Replace("  selector: {app: web}", "  clusterIP: 10.96.0.50\n  selector: {app: web}"));
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        File.WriteAllText(file, App.Replace("  selector: {app: web}", "  clusterIP: 10.96.0.51\n  selector: {app: web}"));

        var recreate = Assert.Single((await Plan(sim, file)).Changing);
        Assert.Equal(PlanAction.Recreate, recreate.Action);
        // The field as kube-apiserver names it in its refusal (spec.clusterIPs[0]: may not change once set).
        var change = Assert.Single(recreate.Changes);
        Assert.Equal("spec.clusterIPs[0]", change.Path);
        Assert.Equal("10.96.0.50", change.Live);

        sim.Server.ClearRequests();
        var ex = await Assert.ThrowsAsync<IstioPS.Engine.IstioPSException>(() =>
            sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true }));
        Assert.Equal("RecreateRequired", ex.ErrorId);
        Assert.Empty(sim.Writes());

        var result = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true, Force = true });
        Assert.Equal(ApplyAction.Recreated, result!.Objects.Single(o => o.Kind == "Service").Action);
        var live = await sim.Api.GetAsync("/api/v1/namespaces/apps/services/web", default);
        Assert.Equal("10.96.0.51", (string?)live["spec"]!["clusterIP"]);
    }
}
