using System.Text.Json.Nodes;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Manifests;
using IstioPS.Engine.Plan;
using IstioPS.Engine.Uninstall;
using Xunit;
using Own = IstioPS.Engine.Ownership.Ownership;

namespace IstioPS.Tests;

/// <summary>Prune and uninstall ask the same question (Ownership.IsOurs): labels alone do not make an object ours.</summary>
public class OwnershipTests
{
    private static string ConfigMap(string name) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: mesh
        data:
          a: b
        """;

    /// <summary>An install of a release's Pilot component (as rendered objects, so that it may prune).</summary>
    private static InstallRequest Pilot(params string[] names)
    {
        var (objects, errors) = ManifestReader.ReadFiles(new[] { TestData.WriteTemp("pilot.yaml", string.Join("\n---\n", names.Select(ConfigMap))) }, "Pilot");
        Assert.Empty(errors);
        return new InstallRequest { Objects = objects, ComponentOrder = new[] { "Pilot" }, Prune = new PruneScope { Components = new[] { "Pilot" } }, Namespace = "mesh", NoWait = true };
    }

    [Fact]
    public void IsOursNeedsTheLabelsOfTheRevisionAndTheAnnotation()
    {
        static JsonObject Obj(string? revision, string? ownership) => new()
        {
            ["metadata"] = new JsonObject
            {
                ["labels"] = revision is null ? new JsonObject() : new JsonObject { [Own.ManagedByLabel] = Own.ManagedByValue, [Own.RevisionLabel] = revision },
                ["annotations"] = ownership is null ? new JsonObject() : new JsonObject { [Own.Annotation] = ownership },
            },
        };
        Assert.True(Own.IsOurs(Obj("default", Own.Created), "default"));
        Assert.True(Own.IsOurs(Obj("canary", Own.Adopted), null));
        Assert.False(Own.IsOurs(Obj("canary", Own.Created), "default"));
        Assert.False(Own.IsOurs(Obj("default", null), "default"));
        Assert.False(Own.IsOurs(Obj(null, Own.Created), null));
        Assert.False(Own.IsOurs(Obj("default", "borrowed"), "default"));
    }

    [Fact]
    public async Task AUsersObjectWithOurLabelsButNoAnnotationIsNeitherPrunedNorUninstalled()
    {
        await using var sim = await Sim.StartAsync();
        await sim.InstallAsync(Pilot("kept", "dropped"));
        // A user's ConfigMap beside ours, carrying every label IstioPS puts on its own (copied from ours), but not the annotation.
        var look = await sim.Api.GetAsync("/api/v1/namespaces/mesh/configmaps/kept", default);
        var labels = look["metadata"]!["labels"]!.DeepClone();
        Assert.Equal("Pilot", (string?)labels[Own.ComponentLabel]);
        await sim.Api.WriteAsync(HttpMethod.Post, "/api/v1/namespaces/mesh/configmaps", new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "users", ["labels"] = labels },
        }, "application/json", default);

        // Prune: the plan marks only our object that is no longer rendered; the install deletes only it.
        var plan = await sim.PlanAsync(Pilot("kept"));
        Assert.Equal(new[] { "ConfigMap/dropped" }, plan.Objects.Where(o => o.Action == PlanAction.Prune).Select(o => $"{o.Kind}/{o.Name}"));
        var installed = await sim.InstallAsync(Pilot("kept"));
        Assert.Equal(new[] { "ConfigMap/dropped" }, installed!.Objects.Where(o => o.Action == ApplyAction.Pruned).Select(o => $"{o.Kind}/{o.Name}"));
        Assert.Null(await sim.Api.TryGetAsync("/api/v1/namespaces/mesh/configmaps/dropped", default));
        Assert.NotNull(await sim.Api.TryGetAsync("/api/v1/namespaces/mesh/configmaps/users", default));

        // Uninstall: ours is deleted, the user's is left alone and named.
        var warnings = new List<string>();
        var removed = await new Uninstaller(sim.Api).UninstallAsync(new UninstallRequest { Revision = "default", Namespace = "mesh", Timeout = TimeSpan.FromSeconds(20) },
            new OperationCallbacks { Warning = warnings.Add }, default);
        Assert.Contains(removed!.Objects, o => o.Kind == "ConfigMap" && o.Name == "kept" && o.Action == ApplyAction.Deleted);
        Assert.DoesNotContain(removed.Objects, o => o.Name == "users");
        Assert.Contains(warnings, w => w.Contains("configmap/users", StringComparison.OrdinalIgnoreCase));
        Assert.Null(await sim.Api.TryGetAsync("/api/v1/namespaces/mesh/configmaps/kept", default));
        Assert.NotNull(await sim.Api.TryGetAsync("/api/v1/namespaces/mesh/configmaps/users", default));
    }
}
