using System.Net;
using System.Text.Json.Nodes;

namespace KubeSim.Tests;

/// <summary>
/// Custom resources while their CRD is being deleted, as apiextensions-apiserver serves them: its finalizer controller
/// deletes them as a client would (their own finalizers hold them, and the CRD with them), and meanwhile every create
/// (a POST, or an apply that would create) is refused by its forbidCreateAdmission with 403 Forbidden
/// <c>widgets.example.com "w2" is forbidden: create not allowed while custom resource definition is terminating</c>;
/// reads, updates and applies to objects still there go on.
/// </summary>
public sealed class CrdTerminatingTests
{
    /// <summary>Manifests/widgets-crd.yaml (the engine's tests install it too).</summary>
    static readonly string Crd = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Manifests", "widgets-crd.yaml"));

    static string Widget(string name, string? finalizer = null) => $$"""
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: {{name}}
          namespace: default
        {{(finalizer is null ? "" : $"  finalizers: [{finalizer}]")}}
        spec: {size: 1}
        """;

    const string Refusal = "create not allowed while custom resource definition is terminating";

    [Fact]
    public async Task CreatesAreRefusedWhileTheCrdIsTerminatingAndAllowedOnceItIsCreatedAgain()
    {
        await using var sim = await SimClient.StartAsync();
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        const string widgets = "/apis/example.com/v1/namespaces/default/widgets";
        const string crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com";
        async Task<bool> Established() =>
            Conditions(await http.GetStringAsync(crdPath)).Any(c => (string?)c["type"] == "Established" && (string?)c["status"] == "True");

        await Expect(HttpStatusCode.Created, await http.SendTextAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Json(Crd)));
        await Eventually.Until(Established, "CRD established");
        await Expect(HttpStatusCode.Created, await http.SendTextAsync(HttpMethod.Post, widgets, Json(Widget("held", "example.com/hold"))));

        await Expect(HttpStatusCode.OK, await http.DeleteAsync(crdPath));
        // The finalizer controller deletes the instance; its finalizer holds it, and the CRD Terminating with it.
        await Eventually.Until(async () => Conditions(await http.GetStringAsync(crdPath))
            .Any(c => (string?)c["type"] == "Terminating" && (string?)c["reason"] == "InstanceDeletionInProgress"), "instance deletion in progress");
        var held = JsonNode.Parse(await http.GetStringAsync(widgets + "/held"))!;
        Assert.NotNull(held["metadata"]!["deletionTimestamp"]);

        // A create: kube-apiserver's errors.NewForbidden(widgets.example.com, name, ...), details naming the resource.
        var status = await Expect(HttpStatusCode.Forbidden, await http.SendTextAsync(HttpMethod.Post, widgets, Json(Widget("w2"))));
        Assert.Equal("Forbidden", (string?)status["reason"]);
        Assert.Equal($"widgets.example.com \"w2\" is forbidden: {Refusal}", (string?)status["message"]);
        Assert.Equal("""{"name":"w2","group":"example.com","kind":"widgets"}""", status["details"]!.ToJsonString());
        // generateName: no name, so none in the message (NewForbidden leaves the quotes out).
        var generated = await Expect(HttpStatusCode.Forbidden, await http.SendTextAsync(HttpMethod.Post, widgets,
            """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"generateName":"w-"}}"""));
        Assert.Equal($"widgets.example.com is forbidden: {Refusal}", (string?)generated["message"]);
        // An apply that would create, dry run or not, is refused the same way; a merge patch of a missing object stays 404.
        foreach (var dryRun in new[] { "", "&dryRun=All" })
        {
            var applied = await Expect(HttpStatusCode.Forbidden, await http.SendTextAsync(HttpMethod.Patch,
                $"{widgets}/w3?fieldManager=test{dryRun}", Widget("w3"), "application/apply-patch+yaml"));
            Assert.Equal($"widgets.example.com \"w3\" is forbidden: {Refusal}", (string?)applied["message"]);
        }
        await Expect(HttpStatusCode.NotFound, await http.SendTextAsync(HttpMethod.Patch, widgets + "/w3", """{"spec":{"size":2}}""", "application/merge-patch+json"));
        // The object still there takes an apply (an update) and is listed.
        await Expect(HttpStatusCode.OK, await http.SendTextAsync(HttpMethod.Patch, widgets + "/held?fieldManager=test&force=true",
            Widget("held", "example.com/hold").Replace("size: 1", "size: 2"), "application/apply-patch+yaml"));
        Assert.Single(JsonNode.Parse(await http.GetStringAsync(widgets))!["items"]!.AsArray());
        Assert.Null(sim.Server.Read("example.com/v1", "Widget", "default", "w2"));
        Assert.Null(sim.Server.Read("example.com/v1", "Widget", "default", "w3"));

        // Its finalizer off, the instance goes, then the CRD; created again, it takes creates again.
        await Expect(HttpStatusCode.OK, await http.SendTextAsync(HttpMethod.Patch, widgets + "/held",
            """{"metadata":{"finalizers":null}}""", "application/merge-patch+json"));
        await Eventually.Until(async () => (await http.GetAsync(crdPath)).StatusCode == HttpStatusCode.NotFound, "CRD gone");
        await Expect(HttpStatusCode.Created, await http.SendTextAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Json(Crd)));
        await Eventually.Until(Established, "CRD established again");
        await Expect(HttpStatusCode.Created, await http.SendTextAsync(HttpMethod.Post, widgets, Json(Widget("w2"))));
    }

    /// <summary>
    /// What kubectl prints of it: the Status above, as kubectl create and apply word a refused create. A CRD held by
    /// a custom resource's finalizer keeps the window open for as long as the test needs.
    /// </summary>
    [SkippableFact]
    public async Task KubectlCreateDuringTheTerminatingWindowPrintsTheApiServersRefusal()
    {
        await using var k = await Kubectl.StartAsync();
        var dir = k.Sim.Directory;
        string Write(string name, string text)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path, text);
            return path;
        }
        var crd = Write("crd.yaml", Crd);
        var held = Write("held.yaml", Widget("held", "example.com/hold"));
        var w2 = Write("w2.yaml", Widget("w2"));

        await k.Ok("apply", "-f", crd);
        await k.Ok("wait", "--for=condition=Established", "--timeout=30s", "crd/widgets.example.com");
        Assert.Equal("widget.example.com/held created\n", await k.Ok("create", "-f", held));
        await k.Ok("delete", "crd", "widgets.example.com", "--wait=false");

        var created = await k.Run("create", "-f", w2);
        Assert.Equal(1, created.Exit);
        Assert.Equal($"Error from server (Forbidden): error when creating \"{w2}\": widgets.example.com \"w2\" is forbidden: {Refusal}\n", created.Err);
        var applied = await k.Run("apply", "--server-side", "-f", w2);
        Assert.Equal(1, applied.Exit);
        // kubectl apply --server-side prints the server's answer as it is (no "error when ..." of create).
        Assert.Equal($"Error from server (Forbidden): widgets.example.com \"w2\" is forbidden: {Refusal}\n", applied.Err);
        // Still Terminating, held by the instance's finalizer; the instance is still served.
        Assert.Equal("True", await k.Ok("get", "crd", "widgets.example.com", "-o", "jsonpath={.status.conditions[?(@.type==\"Terminating\")].status}"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\S+Z$", await k.Ok("get", "widget", "held", "-o", "jsonpath={.metadata.deletionTimestamp}"));

        await k.Ok("patch", "widget", "held", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        await k.Ok("wait", "--for=delete", "--timeout=30s", "crd/widgets.example.com");
        await k.Ok("apply", "-f", crd);
        await k.Ok("wait", "--for=condition=Established", "--timeout=30s", "crd/widgets.example.com");
        Assert.Equal("widget.example.com/w2 created\n", await k.Ok("create", "-f", w2));
    }

    static string Json(string yaml) => Storage.Yaml.Parse(yaml)!.ToJsonString();

    static IEnumerable<JsonObject> Conditions(string crd) =>
        (JsonNode.Parse(crd)!["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>();

    static async Task<JsonObject> Expect(HttpStatusCode code, HttpResponseMessage answer)
    {
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == code, $"expected {(int)code}, got {(int)answer.StatusCode}: {body}");
        return JsonNode.Parse(body) as JsonObject ?? new JsonObject();
    }
}
