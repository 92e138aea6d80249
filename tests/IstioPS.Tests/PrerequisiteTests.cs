using System.Net;
using System.Text.Json.Nodes;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Prerequisites;
using IstioPS.Engine.Sources;
using IstioPS.Engine.Releases;
using KubeSim;
using Xunit;

namespace IstioPS.Tests;

/// <summary>The prerequisite checks: their rules alone, and against the simulated cluster.</summary>
public class PrerequisiteTests
{
    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private static LabelRequirements Of(string selector) => LabelRequirements.Of(Json(selector));

    [Fact]
    public void SelectorsOverlapWhenSomeLabelsSatisfyBoth()
    {
        // Istio's own: the default revision's namespace webhook, a canary revision's, and a revision tag "default".
        var defaultNamespace = Of("""{"matchExpressions":[{"key":"istio-injection","operator":"In","values":["enabled"]}]}""");
        var canaryNamespace = Of("""{"matchExpressions":[{"key":"istio.io/rev","operator":"In","values":["canary"]},{"key":"istio-injection","operator":"DoesNotExist"}]}""");
        var tagDefault = Of("""{"matchLabels":{"istio-injection":"enabled"}}""");
        Assert.False(defaultNamespace.And(canaryNamespace).Satisfiable);
        var both = defaultNamespace.And(tagDefault);
        Assert.True(both.Satisfiable);
        Assert.Equal("labelled istio-injection=enabled", both.Describe("labelled", "any"));
        Assert.Equal("labelled istio.io/rev=canary and without istio-injection", canaryNamespace.Describe("labelled", "any"));

        Assert.False(Of("""{"matchExpressions":[{"key":"a","operator":"In","values":["x"]},{"key":"a","operator":"NotIn","values":["x"]}]}""").Satisfiable);
        Assert.False(Of("""{"matchLabels":{"a":"x"},"matchExpressions":[{"key":"a","operator":"In","values":["y"]}]}""").Satisfiable);
        Assert.False(Of("""{"matchExpressions":[{"key":"a","operator":"Exists"},{"key":"a","operator":"DoesNotExist"}]}""").Satisfiable);
        var open = Of("""{"matchExpressions":[{"key":"a","operator":"Exists"},{"key":"a","operator":"NotIn","values":["false"]}]}""");
        Assert.True(open.Satisfiable);
        Assert.Equal("labelled a", open.Describe("labelled", "any"));
        Assert.True(LabelRequirements.Of(null).And(open).Satisfiable);
        Assert.Equal("any", LabelRequirements.Of(null).Describe("labelled", "any"));
    }

    [Fact]
    public void TheMinimumKubernetesVersionComesFromTheChartsWhenTheySayElseFromIstioctlsTable()
    {
        Assert.Equal(32, IstioRequirements.MinimumKubernetesMinor(ReleaseVersion.Parse("1.30.3"), null)!.Value.Minor);
        Assert.Equal(30, IstioRequirements.MinimumKubernetesMinor(ReleaseVersion.Parse("1.29.6"), null)!.Value.Minor);
        var newer = IstioRequirements.MinimumKubernetesMinor(ReleaseVersion.Parse("1.31.0"), null)!.Value;
        Assert.Equal(32, newer.Minor);
        Assert.Contains("assumed", newer.Source);
        Assert.Null(IstioRequirements.MinimumKubernetesMinor(ReleaseVersion.Parse("1.5.1"), null));
        Assert.Equal(29, IstioRequirements.NewestIstioFor(31));

        var release = TestData.TempDir();
        var chart = Directory.CreateDirectory(Path.Combine(release, "manifests", "charts", "istiod")).FullName;
        File.WriteAllText(Path.Combine(chart, "Chart.yaml"), "apiVersion: v2\nname: istiod\nversion: 1.31.0\nkubeVersion: \">=1.33.0-0\"\n");
        Assert.Equal((33, "kubeVersion in manifests/charts/istiod/Chart.yaml"), IstioRequirements.MinimumKubernetesMinor(ReleaseVersion.Parse("1.31.0"), release));
    }

    [SkippableFact]
    public async Task TwoRevisionsOfIstioDoNotOverlapButASecondDefaultDoes()
    {
        TestData.RequireIstio();
        await using var sim = await Sim.StartAsync();
        var installer = new Installer(sim.Api);
        var defaults = Render(null);
        foreach (var webhook in defaults.Objects.Where(o => o.Kind == "MutatingWebhookConfiguration")) sim.Server.Seed(webhook.Body);

        var canary = await installer.CheckPrerequisitesAsync(Request(Render("canary"), "canary"), new OperationCallbacks(), default);
        Assert.DoesNotContain(canary, f => f.Code == InjectionWebhookCheck.Overlap);

        // The same default webhook under another name (a second control plane of the default revision) overlaps.
        var copy = defaults.Objects.First(o => o.Kind == "MutatingWebhookConfiguration").Body.DeepClone().AsObject();
        copy["metadata"]!["name"] = "istio-sidecar-injector-second";
        sim.Server.Seed(copy);
        var overlap = Assert.Single(await installer.CheckPrerequisitesAsync(Request(Render("canary"), "canary"), new OperationCallbacks(), default),
            f => f.Code == InjectionWebhookCheck.Overlap);
        Assert.Equal(FindingSeverity.Warning, overlap.Severity);
        Assert.Contains("are both called", overlap.Message);
    }

    [Fact]
    public async Task AnAppsManifestsDoNotCompeteWithTheMeshTheyJoin()
    {
        await using var sim = await Sim.StartAsync();
        sim.Server.Seed(Json("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"aks-istio-system"}}"""));
        var app = TestData.WriteTemp("app.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: web, namespace: default}
            """);
        var findings = await new Installer(sim.Api).CheckPrerequisitesAsync(new InstallRequest { ManifestPaths = new[] { app } }, new OperationCallbacks(), default);
        Assert.Empty(findings);

        // Istio's own objects do compete with the add-on.
        var istiod = TestData.WriteTemp("istiod.yaml", """
            apiVersion: v1
            kind: Service
            metadata: {name: istiod, namespace: istio-system, labels: {app: istiod}}
            spec: {ports: [{port: 15012}]}
            """);
        var managed = Assert.Single(await new Installer(sim.Api).CheckPrerequisitesAsync(new InstallRequest { ManifestPaths = new[] { istiod } }, new OperationCallbacks(), default));
        Assert.Equal(ControlPlaneCheck.Managed, managed.Code);
    }

    [Fact]
    public async Task AnOperatorsCrdIsAWarningAndWhatItManagesAnError()
    {
        await using var sim = await Sim.StartAsync();
        var crd = Json("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"istios.sailoperator.io"},
             "spec":{"group":"sailoperator.io","scope":"Cluster","names":{"plural":"istios","singular":"istio","kind":"Istio","listKind":"IstioList"},
              "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """);
        await sim.Api.WriteAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd, "application/json", default);
        var checker = new PrerequisiteChecker(sim.Api);
        var istio = new PrerequisiteRequest
        {
            Objects = new[] { new Engine.Manifests.ManifestObject(Json("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"istiod","labels":{"app":"istiod"}}}"""), new Engine.Manifests.SourceLocation("istiod.yaml", 1, 1)) },
        };
        var operatorOnly = Assert.Single(await checker.CheckAsync(istio, default));
        Assert.Equal(("MeshOperatorPresent", FindingSeverity.Warning), (operatorOnly.Code, operatorOnly.Severity));

        await WaitForAsync(async () =>
        {
            try
            {
                await sim.Api.WriteAsync(HttpMethod.Post, "/apis/sailoperator.io/v1/istios", Json("""{"apiVersion":"sailoperator.io/v1","kind":"Istio","metadata":{"name":"default"}}"""), "application/json", default);
                return true;
            }
            catch (KubeApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false; // not Established yet
            }
        });
        var managed = Assert.Single(await checker.CheckAsync(istio, default));
        Assert.Equal((ControlPlaneCheck.Managed, FindingSeverity.Error, "customresourcedefinition/istios.sailoperator.io"), (managed.Code, managed.Severity, managed.Target));
        Assert.Contains("the Sail operator", managed.Message);
        Assert.Contains("1 istios (default)", managed.Message);
    }

    [SkippableFact]
    public async Task WithoutTheCheckTheApiServerStillRefusesACreateThroughApplyAndTheErrorSaysCreate()
    {
        TestData.RequireIstio();
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 50, Deny = ["create:clusterroles.rbac.authorization.k8s.io"] });
        var request = Request(Render(null), "default") with { SkipPrerequisiteCheck = true };
        var ex = await Assert.ThrowsAsync<KubeApiException>(() => new Installer(sim.Api).InstallAsync(request, new OperationCallbacks(), default));
        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Contains("may not create clusterroles.rbac.authorization.k8s.io", ex.Message);
        Assert.Empty(sim.Writes());

        var checkedFirst = await Assert.ThrowsAsync<PrerequisiteException>(() => new Installer(sim.Api).InstallAsync(request with { SkipPrerequisiteCheck = false }, new OperationCallbacks(), default));
        Assert.Equal(PermissionCheck.Code, Assert.Single(checkedFirst.Findings).Code);
        Assert.Empty(sim.Writes());
    }

    /// <summary>
    /// A user who may write but not watch: the waits would fail after every write. The check asks about the watches
    /// (and lists) of the waits with the writes, so the install stops before its first write; -NoWait needs no
    /// workload watch, the CRDs' Established wait still does.
    /// </summary>
    [Fact]
    public async Task TheWatchesOfTheWaitsAreCheckedWithTheWrites()
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, Deny = ["watch:deployments.apps"] });
        var file = TestData.WriteTemp("app.yaml", AppManifests.Workload);
        var ex = await Assert.ThrowsAsync<PrerequisiteException>(() => sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, Timeout = TimeSpan.FromSeconds(20) }));
        var finding = Assert.Single(ex.Findings);
        Assert.Equal("watch deployments.apps in apps", finding.Target);
        Assert.Contains("may not watch deployments.apps in namespace 'apps'", finding.Message, StringComparison.Ordinal);
        Assert.Empty(sim.Writes());

        var result = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        Assert.Equal(4, result!.Created); // namespace apps, the Deployment, the Service and the ConfigMap
    }

    private static SourceObjects Render(string? revision) =>
        InstallSources.Load(new InstallSource { ReleasePath = TestData.Release, Revision = revision });

    private static InstallRequest Request(SourceObjects loaded, string revision) => new()
    {
        Objects = loaded.Objects, ComponentOrder = loaded.ComponentOrder, Prune = loaded.Prune, ReleaseVersion = loaded.ReleaseVersion,
        ReleasePath = TestData.Release, Revision = revision, Timeout = TimeSpan.FromSeconds(30),
    };

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }
}
