using IstioPS.Engine;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Ownership;
using IstioPS.Engine.Kube;
using KubeSim;
using KubeSim.Faults;
using IstioPS.Engine.Wait;
using Xunit;

namespace IstioPS.Tests;

public class InstallerTests
{
    private const string Workload = AppManifests.Workload;

    [Fact]
    public async Task InstallsCreatesNamespaceWaitsAndIsIdempotent()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("app.yaml", Workload);
        var first = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, Namespace = "istio-system" });
        Assert.NotNull(first);
        Assert.True(first!.Waited);
        Assert.Equal(first.Total, first.Created);
        Assert.Contains(first.Objects, o => o.Kind == "Namespace" && o.Name == "apps" && o.Action == ApplyAction.Created);
        // Only the namespaces the input needs: nothing goes to istio-system, so it is not created; the summary names apps.
        Assert.DoesNotContain(first.Objects, o => o.Name == "istio-system");
        Assert.Null(await sim.Api.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, "istio-system"), default));
        Assert.Equal("apps", first.Namespace);
        Assert.Equal(4, first.Total);
        Assert.True(Ownership.IsCreatedByIstioPS(await sim.Api.GetAsync(ResourceInfo.Namespaces.ObjectPath(null, "apps"), default)));

        var deployment = await sim.Api.GetAsync(ResourceInfo.Deployments.ObjectPath("apps", "web"), default);
        Assert.True(WorkloadStatus.Evaluate("Deployment", deployment).Ready);
        Assert.Equal("istiops", KubeFormat.Label(deployment, Installer.ManagedByLabel));
        Assert.Equal(Ownership.Created, Ownership.Of(deployment));

        sim.Server.ClearRequests();
        var second = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file } });
        Assert.NotNull(second);
        Assert.Equal(3, second!.Unchanged);
        Assert.Equal(0, second.Created);
        Assert.Equal(0, second.Configured);
        var after = await sim.Api.GetAsync(ResourceInfo.Deployments.ObjectPath("apps", "web"), default);
        Assert.Equal((string?)deployment["metadata"]!["resourceVersion"], (string?)after["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task ChangedObjectsAreReportedConfigured()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("app.yaml", Workload);
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        File.WriteAllText(file, Workload.Replace("a: b", "a: c"));
        var result = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        Assert.Equal(ApplyAction.Configured, result!.Objects.Single(o => o.Name == "web-config").Action);
        Assert.Equal(ApplyAction.Unchanged, result.Objects.Single(o => o.Kind == "Service").Action);
    }

    [Fact]
    public async Task WhatIfWritesNothing()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("app.yaml", Workload);
        var asked = new List<string>();
        var result = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file } },
            new OperationCallbacks { ShouldProcess = (target, _) => { asked.Add(target); return false; } });
        Assert.Null(result);
        Assert.Empty(sim.Writes());
        Assert.Contains(asked, t => t.StartsWith("deployment.apps/web"));
        Assert.Contains("namespace/apps", asked);
    }

    [Fact]
    public async Task InvalidInputIsReportedWithFileAndLineAndNothingIsWritten()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("bad.yaml", Workload + """

            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: Not_Valid
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: w
            """);
        var ex = await Assert.ThrowsAsync<IstioPSAggregateException>(() => sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file } }));
        Assert.Equal("ManifestInvalid", ex.ErrorId);
        Assert.Equal(2, ex.Errors.Count);
        var workloadLines = Workload.Split('\n').Length; // then the separator, and the bad documents' lines
        Assert.Contains($"{file}:{workloadLines + 5}", ex.Message); // the line of the bad name
        Assert.Contains("Not_Valid", ex.Message);
        Assert.Contains($"{file}:{workloadLines + 7}", ex.Message); // the Widget's document
        Assert.Contains("example.com/v1", ex.Message);
        Assert.Empty(sim.Writes());
    }

    [SkippableFact]
    public async Task LegacyV1beta1CrdsAreRefusedBeforeAnyWrite()
    {
        var legacy = Path.Combine(TestData.RequireIstio(), "legacy", "1.5.1");
        await using var sim = await Sim.StartAsync();
        var ex = await Assert.ThrowsAnyAsync<IstioPSException>(() => sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { legacy } }));
        Assert.Contains("apiextensions.k8s.io/v1beta1", ex.Message);
        Assert.Empty(sim.Writes());
    }

    [SkippableFact]
    public async Task InstallsIstioCrdsAndAddons()
    {
        TestData.RequireIstio();
        await using var sim = await Sim.StartAsync();
        var result = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { TestData.CrdFile, TestData.Addons } });
        Assert.NotNull(result);
        Assert.Equal(15, result!.Objects.Count(o => o.Kind == "CustomResourceDefinition" && o.Name.EndsWith(".istio.io")));
        Assert.Equal(result.Total, result.Created);
        var (pods, _) = await sim.Api.ListAsync(ResourceInfo.Pods.CollectionPath("istio-system"), null, default);
        Assert.NotEmpty(pods);
        Assert.All(pods, p => Assert.Equal("Running", (string?)p["status"]!["phase"]));

        var again = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { TestData.CrdFile, TestData.Addons } });
        Assert.Equal(again!.Total, again.Unchanged);
    }

    [Fact]
    public async Task TimeoutNamesWhatIsNotReadyAndWhy()
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 50, FailImage = "example/web" });
        var file = TestData.WriteTemp("app.yaml", Workload);
        // Long enough for the apply to finish on a loaded machine: the wait, not the apply, must run out.
        var ex = await Assert.ThrowsAsync<NotReadyException>(() => sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, Timeout = TimeSpan.FromSeconds(5) }));
        Assert.Equal("InstallTimeout", ex.ErrorId);
        var web = Assert.Single(ex.NotReady);
        Assert.Equal("web", web.Name);
        Assert.Contains(web.PodReasons, r => r.Contains("ImagePullBackOff"));
        Assert.Contains("ImagePullBackOff", ex.Message);
        Assert.StartsWith("-Timeout 5s ran out.", ex.Message);
    }

    [Fact]
    public async Task TimeoutNamesTheComponentsNeverApplied()
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 50, FailImage = "example/web" });
        var (read, _) = IstioPS.Engine.Manifests.ManifestReader.ReadFiles(new[] { TestData.WriteTemp("app.yaml", Workload) });
        var objects = read.Select(o => new IstioPS.Engine.Manifests.ManifestObject(o.Body, o.Source, o.Kind == "ConfigMap" ? "Later" : "First")).ToList();
        var ex = await Assert.ThrowsAsync<NotReadyException>(() => sim.InstallAsync(new InstallRequest
        {
            Objects = objects, ComponentOrder = new[] { "First", "Later" }, Timeout = TimeSpan.FromSeconds(1),
        }));
        Assert.Contains("Never applied (waiting for the components before them): Later.", ex.Message);
        Assert.Null(await sim.Api.TryGetAsync("/api/v1/namespaces/apps/configmaps/web-config", default));
    }

    [Fact]
    public async Task WithoutWaitingEachTierOfEveryComponentGoesOutTogether()
    {
        // 30 ms a request: writes of one wave are all in flight at once, a later wave starts after they are answered.
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 50, LatencyMs = 30 });
        var (read, _) = IstioPS.Engine.Manifests.ManifestReader.ReadFiles(new[] { TestData.WriteTemp("app.yaml", Workload) });
        // The Deployment and Service in the first component, the ConfigMap in the later one.
        var objects = read.Select(o => new IstioPS.Engine.Manifests.ManifestObject(o.Body, o.Source, o.Kind == "ConfigMap" ? "Later" : "First")).ToList();
        var result = await sim.InstallAsync(new InstallRequest { Objects = objects, ComponentOrder = new[] { "First", "Later" }, NoWait = true });
        Assert.Equal(4, result!.Created);

        // The later component's ConfigMap (tier of configuration) is answered before the first component's Deployment
        // (tier of workloads) is sent; its Service goes out with the Deployment: tiers in order, components merged.
        var writes = sim.Writes().Where(r => r.Method == "PATCH").ToList();
        var configMap = Assert.Single(writes, r => r.Path.Contains("/configmaps/"));
        var deployment = Assert.Single(writes, r => r.Path.Contains("/deployments/"));
        var service = Assert.Single(writes, r => r.Path.Contains("/services/"));
        Assert.True(configMap.AnsweredMs <= deployment.StartedMs, $"ConfigMap answered at {configMap.AnsweredMs} ms, Deployment sent at {deployment.StartedMs} ms");
        Assert.True(configMap.AnsweredMs <= service.StartedMs, $"ConfigMap answered at {configMap.AnsweredMs} ms, Service sent at {service.StartedMs} ms");
        Assert.True(service.StartedMs < deployment.AnsweredMs && deployment.StartedMs < service.AnsweredMs,
            $"Deployment {deployment.StartedMs}-{deployment.AnsweredMs} ms and Service {service.StartedMs}-{service.AnsweredMs} ms were not in flight together");
    }

    [Fact]
    public async Task TransientFailuresAreRetried()
    {
        await using var sim = await Sim.StartAsync();
        sim.Server.AddFault(new FaultRule { Method = "PATCH", PathRegex = "configmaps", Count = 2, Kind = FaultKind.Status429, RetryAfterSeconds = 0 });
        sim.Server.AddFault(new FaultRule { Method = "PATCH", PathRegex = "services", Count = 1, Kind = FaultKind.Status503 });
        sim.Server.AddFault(new FaultRule { Method = "PATCH", PathRegex = "deployments", Count = 1, Kind = FaultKind.DropConnection });
        var file = TestData.WriteTemp("app.yaml", Workload);
        var result = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, NoWait = true });
        Assert.Equal(4, result!.Created);
        Assert.True(sim.Api.RetryCount >= 4, $"retries: {sim.Api.RetryCount}");
        Assert.Contains(sim.Server.Requests, r => r.Status == 429);
    }

    [Fact]
    public async Task CancelledInstallCompletesWhenRunAgain()
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { ReadyAfterMs = 50, LatencyMs = 30 });
        var file = TestData.WriteTemp("app.yaml", Workload);
        using var cts = new CancellationTokenSource();
        var applied = 0;
        var callbacks = new OperationCallbacks { Applied = _ => { if (Interlocked.Increment(ref applied) == 2) cts.Cancel(); } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file }, Concurrency = 1 }, callbacks, cts.Token));
        sim.Server.LatencyMs = 0;
        var result = await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file } });
        Assert.True(result!.Waited);
        Assert.Equal(3, result.Objects.Count(o => o.Kind != "Namespace"));
        // The config map was applied before the stop (namespaces, then config maps, then workloads): it is unchanged now.
        Assert.Equal(ApplyAction.Unchanged, result.Objects.Single(o => o.Kind == "ConfigMap").Action);
        Assert.Equal(2, result.Created);
    }
}
