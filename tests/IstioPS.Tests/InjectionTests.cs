using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using IstioPS.Engine;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Components;
using IstioPS.Engine.Injection;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;
using Xunit;

namespace IstioPS.Tests;

public class InjectionTests
{
    private static async Task CreateNamespaces(Sim sim, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            await sim.Api.WriteAsync(HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } }, "application/json", default);
        }
    }

    [Fact]
    public async Task EnableDisableAndRevision()
    {
        await using var sim = await Sim.StartAsync();
        var names = Enumerable.Range(0, 40).Select(i => $"team-{i:00}").ToList();
        await CreateNamespaces(sim, names);
        var service = new InjectionService(sim.Api);
        var results = new ConcurrentBag<NamespaceInjection>();
        var errors = new ConcurrentBag<IstioPSException>();
        await service.SetAsync(names, new InjectionChange(true), false, new OperationCallbacks(), results.Add, errors.Add, default);
        Assert.Empty(errors);
        Assert.Equal(40, results.Count);
        Assert.All(results, r => Assert.Equal(InjectionState.Enabled, r.State));

        var listed = await service.GetAsync(new[] { "team-*" }, null, default);
        Assert.Equal(40, listed.Count);
        Assert.All(listed, r => Assert.Equal("istio-injection=enabled", r.Label));

        // No control plane serves canary yet: refused before any write; an istiod Deployment of that revision serves it.
        results.Clear();
        sim.Server.ClearRequests();
        var refused = await Assert.ThrowsAsync<IstioPSException>(() => service.SetAsync(new[] { "team-01" }, new InjectionChange(true, "canary"), false, new OperationCallbacks(), results.Add, errors.Add, default));
        Assert.Equal("RevisionNotFound", refused.ErrorId);
        Assert.Empty(results);
        Assert.DoesNotContain(sim.Server.Requests, r => r.IsWrite);
        sim.Server.Seed(new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "istiod-canary", ["namespace"] = "default", ["labels"] = new JsonObject { ["app"] = "istiod", ["istio.io/rev"] = "canary" } },
            ["spec"] = new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "istiod" } }, ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "istiod" } }, ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "discovery", ["image"] = "istio/pilot:1" }) } } },
        });
        Assert.True(await service.ServesAsync("canary", default));
        Assert.False(await service.ServesAsync("default", default));
        await service.SetAsync(new[] { "team-01" }, new InjectionChange(true, "canary"), false, new OperationCallbacks(), results.Add, errors.Add, default);
        var canary = Assert.Single(results);
        Assert.Equal(InjectionState.Revision, canary.State);
        Assert.Equal("canary", canary.Revision);
        Assert.Null(canary.InjectionLabel);

        results.Clear();
        await service.SetAsync(new[] { "team-02" }, new InjectionChange(false, Explicit: true), false, new OperationCallbacks(), results.Add, errors.Add, default);
        Assert.Equal(InjectionState.Disabled, Assert.Single(results).State);
        results.Clear();
        await service.SetAsync(new[] { "team-03" }, new InjectionChange(false), false, new OperationCallbacks(), results.Add, errors.Add, default);
        var removed = Assert.Single(results);
        Assert.Equal(InjectionState.NotSet, removed.State);
        Assert.Null(removed.Label);
    }

    [Fact]
    public async Task ProtectedAndMissingNamespacesAreErrorsAndWhatIfWritesNothing()
    {
        await using var sim = await Sim.StartAsync();
        await CreateNamespaces(sim, new[] { "a" });
        var service = new InjectionService(sim.Api);
        var errors = new ConcurrentBag<IstioPSException>();
        var results = new ConcurrentBag<NamespaceInjection>();
        sim.Server.ClearRequests();
        await service.SetAsync(new[] { "kube-system", "a" }, new InjectionChange(true), false,
            new OperationCallbacks { ShouldProcess = (_, _) => false }, results.Add, errors.Add, default);
        Assert.Equal("ProtectedNamespace", Assert.Single(errors).ErrorId);
        Assert.Empty(results);
        Assert.Empty(sim.Writes());

        errors.Clear();
        await service.SetAsync(new[] { "missing", "kube-system" }, new InjectionChange(true), true, new OperationCallbacks(), results.Add, errors.Add, default);
        Assert.Equal("NamespaceNotFound", Assert.Single(errors).ErrorId);
        Assert.Equal(InjectionState.Enabled, Assert.Single(results).State);
    }

    [Fact]
    public async Task ComponentsShowReadinessRoleAndVersion()
    {
        await using var sim = await Sim.StartAsync();
        var file = TestData.WriteTemp("istiod.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: istiod
              namespace: istio-system
              labels: {app: istiod, istio.io/rev: default}
            spec:
              selector:
                matchLabels: {app: istiod}
              template:
                metadata:
                  labels: {app: istiod, istio.io/rev: default}
                spec:
                  containers:
                  - name: discovery
                    image: docker.io/istio/pilot:1.30.3
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: something-else
              namespace: istio-system
            spec:
              selector:
                matchLabels: {app: other}
              template:
                metadata:
                  labels: {app: other}
                spec:
                  containers:
                  - name: c
                    image: example/other
            """);
        await sim.InstallAsync(new InstallRequest { ManifestPaths = new[] { file } });
        var components = await new ComponentReader(sim.Api).GetComponentsAsync("istio-system", default);
        var istiod = components.Single(c => c.Name == "istiod");
        Assert.Equal("1/1", istiod.Ready);
        Assert.Equal("Running", istiod.Status);
        Assert.Equal("1.30.3", istiod.Version);
        Assert.Equal("default", istiod.Revision);
        Assert.Contains("Control plane", istiod.Role);
        Assert.Contains(components, c => c.Name == "something-else" && c.Role.Contains("Other"));
        var pods = await new ComponentReader(sim.Api).GetPodsAsync("istio-system", default);
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal("Running", p.Status));
        Assert.Contains(pods, p => p.Component == "istiod" && p.Ready == "1/1");
    }
}
