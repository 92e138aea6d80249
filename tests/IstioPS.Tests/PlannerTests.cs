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
    public async Task AnObjectOutsideItsKindsSchemaIsRefusedAtItsSourceWithoutRetriesOrWrites()
    {
        await using var sim = await Sim.StartAsync();
        // A typo kube-apiserver's field manager cannot type: 500 "failed to create typed patch object", which no retry
        // changes; the plan names the object's source and nothing is written.
        var file = TestData.WriteTemp("typo.yaml", AppManifests.ServiceAndConfig + "\n" + """
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: reader
            rules:
            - apiGroups: [""]
              resources: [pods]
              verb: [get]
            """);
        sim.Server.ClearRequests();
        var e = await Assert.ThrowsAnyAsync<IstioPS.Engine.IstioPSException>(() => Plan(sim, file));
        Assert.Equal("ObjectRejected", e.ErrorId);
        Assert.Contains("typo.yaml:", e.Message);
        Assert.Contains("ClusterRole 'reader' was refused by the API server (dry run): failed to create typed patch object (/reader; rbac.authorization.k8s.io/v1, Kind=ClusterRole): .rules[0].verb: field not declared in schema", e.Message);
        Assert.Equal(0, sim.Api.RetryCount);
        Assert.Empty(sim.Writes());
        Assert.Single(sim.Server.Requests, r => r.Path.EndsWith("/clusterroles/reader", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KnowsWhatExistsFromOneMetadataListPerKindAndReadsOnlyThat()
    {
        await using var sim = await Sim.StartAsync();
        sim.Server.Seed(JsonNode.Parse("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"theirs"},"rules":[]}""")!.AsObject());
        var file = TestData.WriteTemp("roles.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: fresh
            rules: []
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: theirs
            rules: []
            """);
        sim.Server.ClearRequests();
        var plan = await Plan(sim, file);
        Assert.Equal(new[] { "fresh Create", "theirs Adopt" }, plan.Objects.Select(o => $"{o.Name} {o.Action}"));

        const string roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
        var requests = sim.Server.Requests;
        Assert.Contains(requests, r => r.Path == roles && r.Method == "GET" && r.Accept!.Contains("as=PartialObjectMetadataList"));
        // The absent one is dry-run (the server still validates and authorizes it) but never read; the one that exists
        // is read and dry-run, so its plan is the server's answer.
        Assert.Equal(["PATCH"], requests.Where(r => r.Path == roles + "/fresh").Select(r => r.IsDryRun ? r.Method : "not a dry run"));
        Assert.Contains(requests, r => r.Path == roles + "/theirs" && r.Method == "GET");
        Assert.Contains(requests, r => r.Path == roles + "/theirs" && r.IsDryRun);
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

    [Fact]
    public async Task ARecreateWaitsUntilAFinalizerLetsTheOldObjectGoThenCreatesTheNewOne()
    {
        await using var sim = await Sim.StartAsync();
        var services = new ResourceInfo("", "v1", "Service", "services", true);
        var file = TestData.WriteTemp("app.yaml", App.Replace("  selector: {app: web}", "  clusterIP: 10.96.0.50\n  selector: {app: web}"));
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        // What a cloud controller puts on a LoadBalancer Service: the object outlives its delete until the controller lets go.
        var hold = JsonNode.Parse("""{"metadata":{"finalizers":["service.kubernetes.io/load-balancer-cleanup"]}}""")!.AsObject();
        await new Applier(sim.Api).MergePatchAsync(services, "apps", "web", hold, default);
        var oldUid = (string?)(await sim.Api.GetAsync("/api/v1/namespaces/apps/services/web", default))["metadata"]!["uid"];
        File.WriteAllText(file, App.Replace("  selector: {app: web}", "  clusterIP: 10.96.0.51\n  selector: {app: web}"));

        var install = sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true, Force = true });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await sim.Api.GetAsync("/api/v1/namespaces/apps/services/web", default))["metadata"]!["deletionTimestamp"] is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        // Marked for deletion and held: the install waits rather than applying to the dying object.
        await Task.Delay(300);
        Assert.False(install.IsCompleted);
        await new Applier(sim.Api).MergePatchAsync(services, "apps", "web", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!.AsObject(), default);

        var result = await install;
        Assert.Equal(ApplyAction.Recreated, result!.Objects.Single(o => o.Kind == "Service").Action);
        var live = await sim.Api.GetAsync("/api/v1/namespaces/apps/services/web", default);
        Assert.Equal("10.96.0.51", (string?)live["spec"]!["clusterIP"]);
        Assert.Null(live["metadata"]!["deletionTimestamp"]);
        Assert.NotEqual(oldUid, (string?)live["metadata"]!["uid"]);
    }

    [Fact]
    public async Task ARecreateHeldPastTheTimeoutNamesTheFinalizer()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("app.yaml", App.Replace("  selector: {app: web}", "  clusterIP: 10.96.0.50\n  selector: {app: web}"));
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        var hold = JsonNode.Parse("""{"metadata":{"finalizers":["example.com/hold"]}}""")!.AsObject();
        await new Applier(sim.Api).MergePatchAsync(new ResourceInfo("", "v1", "Service", "services", true), "apps", "web", hold, default);
        File.WriteAllText(file, App.Replace("  selector: {app: web}", "  clusterIP: 10.96.0.51\n  selector: {app: web}"));

        var ex = await Assert.ThrowsAnyAsync<IstioPS.Engine.IstioPSException>(() =>
            sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true, Force = true, Timeout = TimeSpan.FromSeconds(1) }));
        Assert.Equal("RecreateTimeout", ex.ErrorId);
        Assert.Contains("Service 'web' in namespace apps was still being deleted", ex.Message, StringComparison.Ordinal);
        Assert.Contains("example.com/hold", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadsAheadWhatTheSurveyListsAndReadsNothingTwice()
    {
        await using var sim = await Sim.StartAsync();
        sim.Server.Seed(JsonNode.Parse("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"theirs"},"rules":[]}""")!.AsObject());
        var file = TestData.WriteTemp("ahead.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: fresh
            rules: []
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: theirs
            rules: []
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data: {}
            """);
        sim.Server.ClearRequests();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var reads = Installer.ReadAhead(sim.Api, "mesh", lists: true, timeout.Token);
        // What a render would overlap: the lists of every kind IstioPS installs, and the namespace, are asked for meanwhile.
        const string roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
        while (!sim.Server.Requests.Any(r => r.Path == roles && r.Accept!.Contains("as=PartialObjectMetadataList")) || !sim.Server.Requests.Any(r => r.Path == "/api/v1/namespaces/mesh"))
        {
            await Task.Delay(10, timeout.Token);
        }

        var plan = await sim.PlanAsync(new InstallRequest { ManifestPaths = new[] { file }, Namespace = "mesh", Reads = reads }, timeout.Token);
        Assert.Equal(new[] { "mesh Create", "fresh Create", "theirs Adopt", "settings Create" }, plan.Objects.Select(o => $"{o.Name} {o.Action}"));
        var readTwice = sim.Server.Requests.Where(r => r.Method == "GET").GroupBy(r => (r.Path, r.Query, r.Accept)).Where(g => g.Count() > 1).Select(g => g.Key.Path);
        Assert.Empty(readTwice);
        Assert.Contains(sim.Server.Requests, r => r.Path == "/api/v1/configmaps" && r.Query.Contains("labelSelector", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ComparesTheAnswerWithTheVersionItWasMadeFromWhenAnotherWriterWroteSinceTheList()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("config.yaml", AppManifests.Config);
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        sim.Server.ClearRequests();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // The survey's lists are read ahead (as while a release renders); then another writer adds a field our apply does not set.
        var reads = Installer.ReadAhead(sim.Api, "apps", lists: true, timeout.Token);
        while (!sim.Server.Requests.Any(r => r.Path == "/api/v1/configmaps" && r.Query.Contains("labelSelector", StringComparison.Ordinal)))
        {
            await Task.Delay(10, timeout.Token);
        }

        sim.Server.Service.Mutate(sim.Server.Registry.Get("", "configmaps"), "apps", "web-config", o =>
        {
            o["metadata"]!["annotations"]!["example.com/owner"] = "someone";
            return true;
        }, manager: "someone-else");

        var plan = await sim.PlanAsync(new InstallRequest { ManifestPaths = new[] { file }, Reads = reads }, timeout.Token);
        var config = Assert.Single(plan.Objects, o => o.Name == "web-config");
        Assert.Equal(PlanAction.Unchanged, config.Action);
    }

    [Fact]
    public async Task AnObjectBeingDeletedIsPlannedAsCreateAndCreatedAnewOnceGone()
    {
        await using var sim = await Sim.StartAsync();
        var configMaps = new ResourceInfo("", "v1", "ConfigMap", "configmaps", true);
        var file = TestData.WriteTemp("app.yaml", App);
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        var applier = new Applier(sim.Api);
        await applier.MergePatchAsync(configMaps, "apps", "web-config", JsonNode.Parse("""{"metadata":{"finalizers":["example.com/hold"]}}""")!.AsObject(), default);
        await applier.DeleteAsync(configMaps, "apps", "web-config", default);

        // Someone else's delete (kubectl delete, an uninstall by another tool) still held by a finalizer.
        var planned = (await Plan(sim, file)).Objects.Single(o => o.Kind == "ConfigMap");
        Assert.Equal(PlanAction.Create, planned.Action);
        Assert.True(planned.AfterDeletion);
        Assert.Equal("Create (once the configmap being deleted is gone)", planned.Describe);

        var install = sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        await Task.Delay(300);
        Assert.False(install.IsCompleted);
        await applier.MergePatchAsync(configMaps, "apps", "web-config", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!.AsObject(), default);
        var result = await install;
        Assert.Equal(ApplyAction.Created, result!.Objects.Single(o => o.Kind == "ConfigMap").Action);
        var live = await sim.Api.GetAsync("/api/v1/namespaces/apps/configmaps/web-config", default);
        Assert.Null(live["metadata"]!["deletionTimestamp"]);
        Assert.Equal("b", (string?)live["data"]!["a"]);
    }

    /// <summary>
    /// A CRD someone deleted (kubectl delete crd) and a user's custom resource's finalizer holds, Terminating: the API
    /// server refuses every create of its kind meanwhile (403 "create not allowed while custom resource definition is
    /// terminating"), so its custom resources are not dry-run but planned as creates, and applied once the CRD is gone
    /// and created again.
    /// </summary>
    [Fact]
    public async Task ACrdBeingDeletedIsCreatedAnewOnceGoneAndItsCustomResourcesAppliedAfterIt()
    {
        await using var sim = await Sim.StartAsync();
        // KubeSim's tests' Widget CRD, and one Widget.
        var file = TestData.WriteTemp("widgets.yaml", File.ReadAllText(Path.Combine(TestData.RepoRoot, "tests", "KubeSim.Tests", "Manifests", "widgets-crd.yaml")) + """
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: main
              namespace: default
            spec: {size: 1}
            """);
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        var widgets = new ResourceInfo("example.com", "v1", "Widget", "widgets", true);
        await sim.Api.WriteAsync(HttpMethod.Post, widgets.CollectionPath("default"), JsonNode.Parse("""
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"held","finalizers":["example.com/hold"]}}
            """)!.AsObject(), "application/json", default);
        await new Applier(sim.Api).DeleteAsync(ResourceInfo.CustomResourceDefinitions, null, "widgets.example.com", default);
        Assert.NotNull((await sim.Api.GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", default))["metadata"]!["deletionTimestamp"]);

        sim.Server.ClearRequests();
        var plan = await Plan(sim, file);
        var crd = plan.Objects.Single(o => o.Kind == "CustomResourceDefinition");
        Assert.Equal("Create (once the customresourcedefinition being deleted is gone)", crd.Describe);
        var widget = plan.Objects.Single(o => o.Kind == "Widget");
        Assert.Equal(PlanAction.Create, widget.Action);
        // Not asked: the server would refuse the dry run of a create of a kind whose CRD is terminating.
        Assert.DoesNotContain(sim.Server.Requests, r => r.Path.Contains("/widgets/main", StringComparison.Ordinal));

        var install = sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        await Task.Delay(300);
        Assert.False(install.IsCompleted);
        await new Applier(sim.Api).MergePatchAsync(widgets, "default", "held", JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!.AsObject(), default);
        var result = await install;
        Assert.Equal(new[] { "CustomResourceDefinition Created", "Widget Created" }, result!.Objects.Select(o => $"{o.Kind} {o.Action}"));
        Assert.Null((await sim.Api.GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", default))["metadata"]!["deletionTimestamp"]);
        Assert.Equal(1, (int?)(await sim.Api.GetAsync(widgets.ObjectPath("default", "main"), default))["spec"]!["size"]);
        Assert.Null(await sim.Api.TryGetAsync(widgets.ObjectPath("default", "held"), default));
    }

    [Fact]
    public async Task AnInstallIntoANamespaceBeingDeletedWaitsForItThenCreatesItAndEverythingInIt()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("app.yaml", App);
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        // A user's ConfigMap with a finalizer keeps the namespace terminating after its delete.
        await sim.Api.WriteAsync(HttpMethod.Post, "/api/v1/namespaces/apps/configmaps", JsonNode.Parse("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]}}
            """)!.AsObject(), "application/json", default);
        await new Applier(sim.Api).DeleteAsync(ResourceInfo.Namespaces, null, "apps", default);
        Assert.NotNull((await sim.Api.GetAsync("/api/v1/namespaces/apps", default))["metadata"]!["deletionTimestamp"]);

        var plan = await Plan(sim, file);
        Assert.True(plan.Objects.Single(o => o.Kind == "Namespace").AfterDeletion);
        Assert.All(plan.Objects, o => Assert.Equal(PlanAction.Create, o.Action));

        var install = sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        await Task.Delay(300);
        Assert.False(install.IsCompleted);
        await new Applier(sim.Api).MergePatchAsync(new ResourceInfo("", "v1", "ConfigMap", "configmaps", true), "apps", "held",
            JsonNode.Parse("""{"metadata":{"finalizers":null}}""")!.AsObject(), default);
        var result = await install;
        Assert.Equal(new[] { "Created" }, result!.Objects.Select(o => o.Action.ToString()).Distinct());
        Assert.Null((await sim.Api.GetAsync("/api/v1/namespaces/apps", default))["metadata"]!["deletionTimestamp"]);
        Assert.NotNull(await sim.Api.TryGetAsync("/api/v1/namespaces/apps/services/web", default));
    }

    [Fact]
    public async Task ForceAsksForTheDeletesOfWhatItRecreatesBeforeAnyWrite()
    {
        await using var sim = await Sim.StartAsync(new KubeSim.KubeSimOptions { Deny = ["delete:services"] });
        var file = TestData.WriteTemp("app.yaml", App.Replace("  selector: {app: web}", "  clusterIP: 10.96.0.50\n  selector: {app: web}"));
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        File.WriteAllText(file, App.Replace("  selector: {app: web}", "  clusterIP: 10.96.0.51\n  selector: {app: web}"));

        sim.Server.ClearRequests();
        var ex = await Assert.ThrowsAsync<IstioPS.Engine.Prerequisites.PrerequisiteException>(() =>
            sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true, Force = true }));
        var finding = Assert.Single(ex.Findings);
        Assert.Equal("delete services in apps", finding.Target);
        Assert.Contains("needs for 1 object(s): web", finding.Message, StringComparison.Ordinal);
        Assert.Empty(sim.Writes());
    }

    [Fact]
    public async Task AnObjectThatExistsIsOnlyPatchedSoAdoptingItNeedsNoCreate()
    {
        await using var sim = await Sim.StartAsync(new KubeSim.KubeSimOptions { Deny = ["create:configmaps"] });
        sim.Server.Seed(JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"apps"}}""")!.AsObject());
        sim.Server.Seed(JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web-config","namespace":"apps"},"data":{"a":"b"}}""")!.AsObject());
        var file = TestData.WriteTemp("config.yaml", AppManifests.Config);

        // Made by someone else (istioctl, Helm): taken over by a patch, which the user may make; were a create asked
        // about, the prerequisite check would stop the install (PermissionMissing for create configmaps).
        var result = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true, Adopt = true });
        Assert.Equal(ApplyAction.Adopted, Assert.Single(result!.Objects).Action);
    }
}
