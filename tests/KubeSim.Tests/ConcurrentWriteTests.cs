using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Tests;

/// <summary>
/// Writes commit as kube-apiserver's GuaranteedUpdate does (computed outside any lock, stored only if what they read is
/// still stored, else computed again): writes to different objects go side by side, and none to one object is lost.
/// </summary>
public class ConcurrentWriteTests
{
    static JsonObject ConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name },
        ["data"] = new JsonObject { ["k"] = "v" },
    };

    [Fact]
    public async Task AWriteThatAnotherOvertookIsComputedAgainOnWhatIsStoredNow()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { Controllers = false });
        var service = sim.Server.Service;
        var rt = sim.Server.Registry.Get("", "configmaps")!;
        var created = service.Create(rt, "default", ConfigMap("cm"), new WriteOptions { FieldManager = "test" });

        // The outer write reads the object, and while it computes, another write to the same object is stored.
        var attempts = 0;
        var result = service.Mutate(rt, "default", "cm", copy =>
        {
            if (++attempts == 1)
                service.Mutate(rt, "default", "cm", other => { other.Meta().Obj("labels")["b"] = "2"; return true; });
            copy.Meta().Obj("labels")["a"] = "1";
            return true;
        })!;

        Assert.Equal(2, attempts);
        var labels = result.Object.At("metadata", "labels")!.AsObject();
        Assert.Equal("1", labels.Str("a"));
        Assert.Equal("2", labels.Str("b"));
        Assert.Equal(created.Rv + 2, result.Rv);
    }

    [Fact]
    public async Task ACreateOvertakenByAnotherOfTheSameNameIsAlreadyExistsAndAnApplyBecomesAnUpdate()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { Controllers = false });
        var service = sim.Server.Service;
        var rt = sim.Server.Registry.Get("", "configmaps")!;
        // While a create is admitted, another create of the same name is stored.
        var admitted = 0;
        service.AdmissionPlugins.Add(new Overtaking(name =>
        {
            if (++admitted == 1) service.Create(rt, "default", ConfigMap(name), new WriteOptions { FieldManager = "first" });
        }));

        var e = Assert.Throws<ApiException>(() => service.Create(rt, "default", ConfigMap("created"), new WriteOptions { FieldManager = "second" }));
        Assert.Equal(409, e.Code);
        Assert.Equal("AlreadyExists", e.Reason);
        Assert.Equal("first", service.Get(rt, "default", "created").Object.At("metadata", "managedFields")![0].Str("manager"));

        // An apply that would create, overtaken the same way, applies to what was created instead: both managers' fields stay.
        admitted = 0;
        var body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"mine":"x"}}"""u8.ToArray();
        var (applied, created) = service.Patch(rt, "default", "applied", PatchTypes.ApplyYaml, body, null, new WriteOptions { FieldManager = "second" });
        Assert.False(created);
        Assert.Equal("x", applied.Object.At("data").Str("mine"));
        Assert.Equal(["first", "second"], applied.Object.At("metadata", "managedFields")!.AsArray().Select(m => m.Str("manager")!).Order());
    }

    [Fact]
    public async Task ConcurrentPatchesOfOneObjectAndApplyCreatesOfOneNameAreAllKept()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { Controllers = false });
        var client = sim.Client;
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "shared" } }, "default");
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"l" + i + "\":\"v\"}}}", V1Patch.PatchType.MergePatch), "shared", "default")));
        var patched = await client.CoreV1.ReadNamespacedConfigMapAsync("shared", "default");
        Assert.Equal(40, patched.Metadata.Labels.Count);

        // Twenty managers apply one new ConfigMap at once: one creates it, the others apply to it; every field is kept.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"k{{{i}}}":"v"}}""", V1Patch.PatchType.ApplyPatch),
            "applied", "default", fieldManager: $"manager-{i}")));
        var applied = await client.CoreV1.ReadNamespacedConfigMapAsync("applied", "default");
        Assert.Equal(20, applied.Data.Count);
        Assert.Equal(20, applied.Metadata.ManagedFields.Select(m => m.Manager).Distinct().Count());
        Assert.Equal(1, sim.Server.Requests.Count(r => r.Method == "PATCH" && r.Path.EndsWith("/applied") && r.Status == 201));
    }

    /// <summary>An admission step that lets a test write in between a write's read and its commit.</summary>
    sealed class Overtaking(Action<string> between) : KubeSim.Admission.IAdmissionPlugin
    {
        public void OnCreate(KubeSim.Admission.AdmissionContext context, ResourceType rt, JsonObject obj) => between(obj.Name());
    }
}
