using System.Text.Json.Nodes;
using IstioPS.Engine;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Uninstall;
using Xunit;

namespace IstioPS.Tests;

public class UninstallerTests
{
    private const string Mesh = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: istiod
        spec:
          replicas: 2
          selector:
            matchLabels: {app: istiod}
          template:
            metadata:
              labels: {app: istiod}
            spec:
              containers:
              - name: discovery
                image: istio/pilot:1.0
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: istiod
        spec:
          selector: {app: istiod}
          ports:
          - port: 15012
        """;

    /// <summary>
    /// What goes with IstioPS's objects (the Deployment's ReplicaSet and Pods, the Service's Endpoints) never keeps
    /// the namespace; a user's Secret does, and is named. Once it is gone, a second purge deletes the namespace.
    /// </summary>
    [Fact]
    public async Task PurgeKeepsTheNamespaceOnlyForWhatIsNotGoingWithIstioPSObjects()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("mesh.yaml", Mesh);
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, Namespace = "mesh" });
        Assert.Equal(2, (await sim.Api.ListAsync(ResourceInfo.Pods.CollectionPath("mesh"), null, default)).Items.Count);
        await sim.Api.WriteAsync(HttpMethod.Post, "/api/v1/namespaces/mesh/secrets",
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "cacerts" } }, "application/json", default);

        var warnings = new List<string>();
        var callbacks = new OperationCallbacks { Warning = warnings.Add };
        var request = new UninstallRequest { Purge = true, Namespace = "mesh", Timeout = TimeSpan.FromSeconds(20) };
        var first = await new Uninstaller(sim.Api).UninstallAsync(request, callbacks, default);
        Assert.Equal(new[] { "Service/istiod", "Deployment/istiod" }, first!.Objects.Select(o => $"{o.Kind}/{o.Name}"));
        var kept = Assert.Single(warnings);
        Assert.Equal("The namespace mesh was kept: 1 object that IstioPS does not remove is left in it: secret/cacerts.", kept);
        Assert.NotNull(await sim.Api.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, "mesh"), default));

        warnings.Clear();
        await sim.Api.WriteAsync(HttpMethod.Delete, "/api/v1/namespaces/mesh/secrets/cacerts", null, null, default);
        var second = await new Uninstaller(sim.Api).UninstallAsync(request, callbacks, default);
        Assert.Empty(warnings);
        var ns = Assert.Single(second!.Objects);
        Assert.Equal(("Namespace", "mesh", ApplyAction.Deleted), (ns.Kind, ns.Name, ns.Action));
        Assert.Null(await sim.Api.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, "mesh"), default));
    }

    [Fact]
    public async Task NothingInstalledForARevisionIsAnErrorAndWritesNothing()
    {
        await using var sim = await Sim.StartAsync();
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => new Uninstaller(sim.Api).UninstallAsync(new UninstallRequest { Revision = "nope" }, new OperationCallbacks(), default));
        Assert.Equal("RevisionNotInstalled", ex.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
        Assert.Empty(sim.Writes());
    }

    /// <summary>
    /// A deleted CRD stays Terminating until the API server has deleted its custom resources: -Purge returns only
    /// once the CRDs are gone, so an install right after applies them anew instead of configuring dying ones.
    /// </summary>
    [SkippableFact]
    public async Task PurgeReturnsOnceTheDeletedCrdsAreGoneAndAnInstallRightAfterCreatesThem()
    {
        TestData.RequireIstio();
        await using var sim = await Sim.StartAsync();
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { TestData.CrdFile }, NoWait = true });
        var crdPath = ResourceInfo.CustomResourceDefinitions.ObjectPath(null, "virtualservices.networking.istio.io");
        var oldUid = KubeFormat.Uid(await sim.Api.GetAsync(crdPath, default));

        var result = await new Uninstaller(sim.Api).UninstallAsync(new UninstallRequest { Purge = true, Timeout = TimeSpan.FromSeconds(20) }, new OperationCallbacks(), default);
        Assert.Equal(15, result!.Objects.Count(o => o.Kind == "CustomResourceDefinition" && o.Action == ApplyAction.Deleted));
        Assert.Null(await sim.Api.TryGetAsync(crdPath, default));

        var again = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { TestData.CrdFile }, NoWait = true });
        Assert.Equal(ApplyAction.Created, again!.Objects.Single(o => o.Name == "virtualservices.networking.istio.io").Action);
        var live = await sim.Api.GetAsync(crdPath, default);
        Assert.NotEqual(oldUid, KubeFormat.Uid(live));
        Assert.Null(live["metadata"]!["deletionTimestamp"]);
    }

    /// <summary>
    /// An input that renders Istio's base (CRDs, shared RBAC) removes it only with the last revision: while canary
    /// still runs, uninstalling what the default revision's input stands for keeps the base and says so.
    /// </summary>
    [SkippableFact]
    public async Task RemovingOneRevisionByItsInputKeepsTheBaseOtherRevisionsUse()
    {
        TestData.RequireIstio();
        await using var sim = await Sim.StartAsync();
        IstioPS.Engine.Sources.SourceObjects Load(string? revision) => IstioPS.Engine.Sources.InstallSources.Load(
            new IstioPS.Engine.Sources.InstallSource { ReleasePath = TestData.Release, Profile = "minimal", Revision = revision });
        foreach (var revision in new[] { "default", "canary" })
        {
            var loaded = Load(revision == "default" ? null : revision);
            await sim.InstallAsync(new InstallRequest { Objects = loaded.Objects, ComponentOrder = loaded.ComponentOrder, Prune = loaded.Prune, Revision = revision, NoWait = true });
        }

        var objects = IstioPS.Engine.Sources.InstallSources.Resolve(
            new IstioPS.Engine.Sources.InstallSource { ReleasePath = TestData.Release, Profile = "minimal" }, "nothing was removed").Objects;
        var warnings = new List<string>();
        var result = await new Uninstaller(sim.Api).UninstallAsync(new UninstallRequest { Objects = objects, Timeout = TimeSpan.FromSeconds(20) },
            new OperationCallbacks { Warning = warnings.Add }, default);

        Assert.Contains(result!.Objects, o => o.Kind == "Deployment" && o.Name == "istiod");
        Assert.DoesNotContain(result.Objects, o => o.Kind == "CustomResourceDefinition");
        Assert.Contains(warnings, w => w.StartsWith("Kept, because revision(s) canary still use Istio's base:", StringComparison.Ordinal) && w.Contains("customresourcedefinition", StringComparison.OrdinalIgnoreCase));
        Assert.NotNull(await sim.Api.TryGetAsync(ResourceInfo.CustomResourceDefinitions.ObjectPath(null, "virtualservices.networking.istio.io"), default));
        Assert.NotNull(await sim.Api.TryGetAsync(ResourceInfo.Deployments.ObjectPath("istio-system", "istiod-canary"), default));
        Assert.Null(await sim.Api.TryGetAsync(ResourceInfo.Deployments.ObjectPath("istio-system", "istiod"), default));
    }

    /// <summary>
    /// Uninstall by source finds a release's objects as an install's plan does (the same reads): one labelled list per
    /// kind and one metadata-only list per kind and namespace, each one page, and no GET of any object.
    /// </summary>
    [SkippableFact]
    public async Task UninstallBySourceReadsOneListPerKindAndNoObjectOneByOne()
    {
        TestData.RequireIstio();
        await using var sim = await Sim.StartAsync();
        var source = new IstioPS.Engine.Sources.InstallSource { ReleasePath = TestData.Release, Profile = "demo" };
        var loaded = IstioPS.Engine.Sources.InstallSources.Load(source);
        await sim.InstallAsync(new InstallRequest { Objects = loaded.Objects, ComponentOrder = loaded.ComponentOrder, Prune = loaded.Prune, NoWait = true });
        Assert.True(loaded.Objects.Count > 30, $"a release-sized input ({loaded.Objects.Count} objects)");

        sim.Server.ClearRequests();
        var result = await new Uninstaller(sim.Api).UninstallAsync(new UninstallRequest { Objects = loaded.Objects, Force = true, Timeout = TimeSpan.FromSeconds(20) },
            new OperationCallbacks(), default);
        Assert.Equal(loaded.Objects.Count, result!.Deleted);

        // What it read to find them: everything before its first delete.
        var reads = sim.Server.Requests.TakeWhile(r => r.Method != "DELETE").Where(r => r.Method == "GET" && !r.IsDiscovery).ToList();
        var names = loaded.Objects.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(reads, r => names.Contains(r.Path[(r.Path.LastIndexOf('/') + 1)..]));
        var labelled = reads.Where(r => Uri.UnescapeDataString(r.Query).Contains("labelSelector=istiops.io/managed-by=istiops", StringComparison.Ordinal)).ToList();
        var kinds = loaded.Objects.Select(o => o.Kind).Distinct().Count();
        Assert.Equal(kinds, labelled.Count);
        Assert.Equal(kinds, labelled.Select(r => r.Path).Distinct().Count());
        var metadataLists = reads.Where(r => r.Accept?.Contains("as=PartialObjectMetadataList", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(metadataLists.Count, metadataLists.Select(r => r.Path).Distinct().Count());
        Assert.InRange(metadataLists.Count, kinds, kinds * 2);
        Assert.DoesNotContain(reads, r => Uri.UnescapeDataString(r.Query).Contains("continue=", StringComparison.Ordinal));
    }
}
