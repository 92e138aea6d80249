using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeSim.Tests;

/// <summary>Unknown fields per fieldValidation, and custom resources pruned and validated against their CRD's schema.</summary>
public class SchemaValidationTests
{
    static JsonObject Deployment(string name) => JsonNode.Parse("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"NAME"},
         "spec":{"replica":2,"selector":{"matchLabels":{"app":"web"}},
           "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27","imagePullPolcy":"Always"}]}}}}
        """.Replace("NAME", name))!.AsObject();

    static async Task<(JsonObject? Body, IEnumerable<string> Warnings)> Create(SimClient sim, JsonObject body, string? fieldValidation, string group = "apps", string plural = "deployments")
    {
        using var response = await sim.Client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync(
            body, group, "v1", "default", plural, fieldValidation: fieldValidation);
        var warnings = response.Response.Headers.TryGetValues("Warning", out var values) ? values.ToList() : [];
        return (JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(response.Body)) as JsonObject, warnings);
    }

    [Fact]
    public async Task BuiltInKindsRefuseWarnOrIgnoreUnknownFieldsAndNeverStoreThem()
    {
        await using var sim = await SimClient.StartAsync();
        var strict = await StatusAssert.Fails(400, () => Create(sim, Deployment("strict"), "Strict"));
        Assert.Equal("BadRequest", (string?)strict["reason"]);
        Assert.Equal("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\", unknown field \"spec.template.spec.containers[0].imagePullPolcy\"",
            (string?)strict["message"]);
        Assert.Null(sim.Server.Read("apps/v1", "Deployment", "default", "strict"));

        var (_, warnings) = await Create(sim, Deployment("warned"), null);
        Assert.Equal(["299 - \"unknown field \\\"spec.replica\\\"\"", "299 - \"unknown field \\\"spec.template.spec.containers[0].imagePullPolcy\\\"\""], warnings);
        var stored = sim.Server.Read("apps/v1", "Deployment", "default", "warned")!;
        Assert.Null(stored["spec"]!["replica"]);
        Assert.Null(stored["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolcy"]);
        Assert.Equal(1, (int?)stored["spec"]!["replicas"]);

        var (_, ignored) = await Create(sim, Deployment("ignored"), "Ignore");
        Assert.Empty(ignored);
        Assert.Null(sim.Server.Read("apps/v1", "Deployment", "default", "ignored")!["spec"]!["replica"]);

        // Known fields everywhere (maps, lists, quantities, int-or-string) pass without a warning.
        var known = await sim.Client.AppsV1.CreateNamespacedDeploymentWithHttpMessagesAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "known", Labels = new Dictionary<string, string> { ["a"] = "b" } },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "known" } },
                Strategy = new V1DeploymentStrategy { RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = "50%", MaxUnavailable = 0 } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "known" } },
                    Spec = new V1PodSpec
                    {
                        Containers = [new V1Container
                        {
                            Name = "app", Image = "nginx",
                            Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } },
                            Ports = [new V1ContainerPort { ContainerPort = 80 }],
                        }],
                    },
                },
            },
        }, "default", fieldValidation: "Strict");
        Assert.False(known.Response.Headers.Contains("Warning"));

        // Merge patches are checked too.
        var patch = await StatusAssert.Fails(400, () => sim.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"paused":true,"pausd":true}}""", V1Patch.PatchType.MergePatch), "known", "default", fieldValidation: "Strict"));
        Assert.EndsWith("strict decoding error: unknown field \"spec.pausd\"", (string?)patch["message"]);
    }

    static async Task Widgets(SimClient sim)
    {
        var schema = JsonNode.Parse("""
            {"type":"object","properties":{"spec":{"type":"object","required":["replicas"],"properties":{
              "replicas":{"type":"integer"},
              "mode":{"type":"string","enum":["a","b"]},
              "port":{"x-kubernetes-int-or-string":true},
              "labels":{"type":"object","additionalProperties":{"type":"string"}},
              "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
              "items":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}}}}}}
            """)!;
        await sim.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = "widgets.example.com" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "example.com",
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Plural = "widgets", Singular = "widget", Kind = "Widget" },
                Versions = [new V1CustomResourceDefinitionVersion
                {
                    Name = "v1", Served = true, Storage = true,
                    Schema = new V1CustomResourceValidation { OpenAPIV3Schema = KubernetesJson.Deserialize<V1JSONSchemaProps>(schema.ToJsonString()) },
                }],
            },
        });
        await Eventually.Until(async () => (await sim.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.example.com"))
            .Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true, "CRD established");
    }

    static JsonObject Widget(string name, string spec) =>
        JsonNode.Parse("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"NAME"},"spec":SPEC}""".Replace("NAME", name).Replace("SPEC", spec))!.AsObject();

    /// <summary>Go's encoding/json, kube-apiserver's decoder, takes 10,000 levels of nesting; one more is refused.</summary>
    [Fact]
    public async Task BodiesNestUpToGosDecoderLimit()
    {
        await using var sim = await SimClient.StartAsync();
        await Widgets(sim);
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        // The object and spec are 2 levels; the rest nests from free down.
        static string Deep(string name, int levels) =>
            "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"replicas\":1,\"free\":"
            + string.Concat(Enumerable.Repeat("{\"a\":", levels - 2)) + "1" + new string('}', levels - 2) + "}}";

        var accepted = await http.SendTextAsync(HttpMethod.Post, "/apis/example.com/v1/namespaces/default/widgets", Deep("deep", 2_000));
        Assert.Equal(201, (int)accepted.StatusCode);
        var stored = sim.Server.Read("example.com/v1", "Widget", "default", "deep")!["spec"]!["free"]!;
        var depth = 2; // the object and spec; each "a" below free adds one
        for (; stored is JsonObject o && o["a"] is { } inner; stored = inner) depth++;
        Assert.Equal(2_000, depth); // far past System.Text.Json's default of 64; 10,000 works too but takes seconds here
        var read = await http.GetAsync("/apis/example.com/v1/namespaces/default/widgets/deep");
        Assert.Equal(200, (int)read.StatusCode);

        var refused = await http.SendTextAsync(HttpMethod.Post, "/apis/example.com/v1/namespaces/default/widgets", Deep("deeper", 10_001));
        Assert.True(400 == (int)refused.StatusCode, await refused.Content.ReadAsStringAsync());
        Assert.Equal("BadRequest", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["reason"]);
    }

    [Fact]
    public async Task CustomResourcesArePrunedAndValidatedAgainstTheirSchema()
    {
        await using var sim = await SimClient.StartAsync();
        await Widgets(sim);

        var (_, warnings) = await Create(sim, Widget("pruned", """{"replicas":1,"port":"http","unknown":1,"labels":{"x":"y"},"free":{"anything":{"goes":true}},"items":[{"name":"a","extra":1}]}"""),
            null, "example.com", "widgets");
        Assert.Equal(["299 - \"unknown field \\\"spec.unknown\\\"\"", "299 - \"unknown field \\\"spec.items[0].extra\\\"\""], warnings);
        var stored = sim.Server.Read("example.com/v1", "Widget", "default", "pruned")!["spec"]!.AsObject();
        Assert.Equal(["replicas", "port", "labels", "free", "items"], stored.Select(kv => kv.Key));
        Assert.True((bool?)stored["free"]!["anything"]!["goes"]);
        Assert.Null(stored["items"]![0]!["extra"]);

        var strict = await StatusAssert.Fails(400, () => Create(sim, Widget("strict", """{"replicas":1,"unknown":1}"""), "Strict", "example.com", "widgets"));
        Assert.Equal("Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.unknown\"", (string?)strict["message"]);

        var invalid = await StatusAssert.Fails(422, () => Create(sim, Widget("invalid", """{"replicas":"three","mode":"c","labels":{"x":1}}"""), null, "example.com", "widgets"));
        Assert.Equal("Widget.example.com \"invalid\" is invalid: [spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\", "
            + "spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\", spec.labels.x: Invalid value: \"integer\": spec.labels.x in body must be of type string: \"integer\"]",
            (string?)invalid["message"]);
        Assert.Equal(["spec.replicas", "spec.mode", "spec.labels.x"], invalid["details"]!["causes"]!.AsArray().Select(c => (string?)c!["field"]));

        var missing = await StatusAssert.Fails(422, () => Create(sim, Widget("missing", """{"mode":"a"}"""), null, "example.com", "widgets"));
        Assert.Equal("Widget.example.com \"missing\" is invalid: spec.replicas: Required value", (string?)missing["message"]);

        // Server-side apply does not prune: its field manager cannot type a configuration with an undeclared field
        // (500, as kube-apiserver 1.32 answers it), while a preserved subtree takes anything.
        var applied = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => sim.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(Widget("applied", """{"replicas":2,"unknown":true}""").ToJsonString(), V1Patch.PatchType.ApplyPatch),
            "example.com", "v1", "default", "widgets", "applied", fieldManager: "t"));
        Assert.Equal(500, (int)applied.Response.StatusCode);
        Assert.Equal("failed to create typed patch object (/applied; example.com/v1, Kind=Widget): .spec.unknown: field not declared in schema",
            (string?)JsonNode.Parse(applied.Response.Content)!["message"]);
        await sim.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(Widget("applied", """{"replicas":2,"free":{"anything":1}}""").ToJsonString(), V1Patch.PatchType.ApplyPatch),
            "example.com", "v1", "default", "widgets", "applied", fieldManager: "t");
        Assert.Equal(1, (int)sim.Server.Read("example.com/v1", "Widget", "default", "applied")!["spec"]!["free"]!["anything"]!);
    }

    [SkippableFact]
    public async Task KubectlValidatesStrictlyByDefaultAndWarnsWhenAsked()
    {
        await using var k = await Kubectl.StartAsync();
        var file = Path.Combine(k.Sim.Directory, "web.yaml");
        await File.WriteAllTextAsync(file, Deployment("web").ToJsonString());
        var (exit, _, stderr) = await k.Run("apply", "-f", file);
        Assert.NotEqual(0, exit);
        Assert.Contains("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\"", stderr);
        var (warnExit, stdout, warnErr) = await k.Run("apply", "--validate=warn", "-f", file);
        Assert.Equal(0, warnExit);
        Assert.Contains("deployment.apps/web created", stdout);
        Assert.Contains("Warning: unknown field \"spec.replica\"", warnErr);
    }
}
