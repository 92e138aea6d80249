using k8s;
using k8s.Models;
using KubeSim.Api;

namespace KubeSim.Tests;

/// <summary>Deny rules for the kubeconfig's user: kube-apiserver's 403 wording, and access reviews that agree.</summary>
public class PermissionsTests
{
    static KubeSimOptions Denying(params string[] rules) =>
        new() { ReadyAfterMs = 20, UserName = "alice@example.com", Deny = [.. rules] };

    static V1SelfSubjectAccessReview Review(string verb, string resource, string group = "", string? ns = null, string? sub = null) => new()
    {
        Spec = new V1SelfSubjectAccessReviewSpec
        {
            ResourceAttributes = new V1ResourceAttributes { Verb = verb, Resource = resource, Group = group, NamespaceProperty = ns, Subresource = sub },
        },
    };

    [Fact]
    public async Task DeniedRequestsGetKubeApiserversForbiddenAndReviewsAnswerFromTheSameRules()
    {
        await using var sim = await SimClient.StartAsync(Denying(
            "create:namespaces", "create,patch:clusterroles.rbac.authorization.k8s.io", "*:secrets:istio-system"));
        var client = sim.Client;

        var ns = await StatusAssert.Fails(403, () => client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "istio-system" } }));
        Assert.Equal("Forbidden", (string?)ns["reason"]);
        Assert.Equal("namespaces is forbidden: User \"alice@example.com\" cannot create resource \"namespaces\" in API group \"\" at the cluster scope", (string?)ns["message"]);
        Assert.Equal("namespaces", (string?)ns["details"]!["kind"]);

        var role = await StatusAssert.Fails(403, () => client.RbacAuthorizationV1.PatchClusterRoleAsync(
            new V1Patch("""{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"istiod"}}""", V1Patch.PatchType.ApplyPatch), "istiod", fieldManager: "t"));
        Assert.Equal("clusterroles.rbac.authorization.k8s.io \"istiod\" is forbidden: User \"alice@example.com\" cannot patch resource \"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope", (string?)role["message"]);
        Assert.Equal(("istiod", "rbac.authorization.k8s.io"), ((string?)role["details"]!["name"], (string?)role["details"]!["group"]));

        var secrets = await StatusAssert.Fails(403, () => client.CoreV1.ListNamespacedSecretAsync("istio-system"));
        Assert.Equal("secrets is forbidden: User \"alice@example.com\" cannot list resource \"secrets\" in API group \"\" in the namespace \"istio-system\"", (string?)secrets["message"]);
        Assert.Empty((await client.CoreV1.ListNamespacedSecretAsync("default")).Items);
        Assert.Contains(sim.Server.Requests, r => r.Method == "POST" && r.Path == "/api/v1/namespaces" && r.Status == 403);
        Assert.Null(sim.Server.Read("v1", "Namespace", null, "istio-system"));

        async Task<bool?> Allowed(V1SelfSubjectAccessReview review) =>
            (await client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review)).Status.Allowed;
        Assert.False(await Allowed(Review("create", "namespaces")));
        Assert.True(await Allowed(Review("get", "namespaces")));
        Assert.False(await Allowed(Review("create", "clusterroles", "rbac.authorization.k8s.io")));
        Assert.True(await Allowed(Review("create", "roles", "rbac.authorization.k8s.io", "istio-system")));
        Assert.False(await Allowed(Review("get", "secrets", ns: "istio-system")));
        Assert.True(await Allowed(Review("get", "secrets", ns: "default")));

        // Rules change while the server runs.
        sim.Server.Permissions.Deny(DenyRule.Parse("create:pods/eviction"));
        Assert.False(await Allowed(Review("create", "pods", ns: "default", sub: "eviction")));
        Assert.True(await Allowed(Review("create", "pods", ns: "default")));
        sim.Server.Permissions.Clear();
        Assert.True(await Allowed(Review("create", "namespaces")));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "istio-system" } });
    }

    [Fact]
    public async Task AnApplyThatCreatesNeedsCreateAsWellAsPatchAndADryRunToo()
    {
        await using var sim = await SimClient.StartAsync(Denying("create:clusterroles.rbac.authorization.k8s.io"));
        var client = sim.Client;
        const string Role = """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"istiod"},"rules":[]}""";
        Task<V1ClusterRole> Apply(string? dryRun = null) =>
            client.RbacAuthorizationV1.PatchClusterRoleAsync(new V1Patch(Role, V1Patch.PatchType.ApplyPatch), "istiod", fieldManager: "t", dryRun: dryRun);

        // kube-apiserver's patch handler authorizes a create through apply as "create" (withAuthorization): the user
        // may patch clusterroles, so the request itself passes, and the create inside it is forbidden.
        foreach (var dryRun in new[] { "All", null })
        {
            var status = await StatusAssert.Fails(403, () => Apply(dryRun));
            Assert.Equal("clusterroles.rbac.authorization.k8s.io \"istiod\" is forbidden: ", (string?)status["message"]);
            Assert.Equal(("istiod", "rbac.authorization.k8s.io", "clusterroles"), ((string?)status["details"]!["name"], (string?)status["details"]!["group"], (string?)status["details"]!["kind"]));
        }

        Assert.Null(sim.Server.Read("rbac.authorization.k8s.io/v1", "ClusterRole", null, "istiod"));

        // Once it exists (created by someone allowed to), applying it again is a patch only.
        sim.Server.Permissions.Clear();
        await Apply();
        sim.Server.Permissions.Deny(DenyRule.Parse("create:clusterroles.rbac.authorization.k8s.io"));
        Assert.Equal("istiod", (await Apply()).Metadata.Name);
    }

    [Fact]
    public void DenyRulesAreParsedStrictly()
    {
        var rule = DenyRule.Parse("create, patch:clusterroles.rbac.authorization.k8s.io");
        Assert.Equal(["create", "patch"], rule.Verbs);
        Assert.Equal("create,patch:clusterroles.rbac.authorization.k8s.io", rule.ToString());
        Assert.Throws<ArgumentException>(() => DenyRule.Parse("create"));
        Assert.Throws<ArgumentException>(() => DenyRule.Parse(":namespaces"));
        Assert.Throws<ArgumentException>(() => DenyRule.Parse("a:b:c:d"));
    }

    [SkippableFact]
    public async Task KubectlSeesTheDenialsAndCanIAgrees()
    {
        await using var k = await Kubectl.StartAsync(Denying("create:namespaces", "delete:deployments.apps:istio-system"));
        var (exit, stdout, _) = await k.Run("auth", "can-i", "create", "namespaces");
        Assert.Equal((1, "no\n"), (exit, stdout));
        Assert.Equal("yes\n", await k.Ok("auth", "can-i", "create", "deployments", "-n", "istio-system"));
        Assert.Equal(1, (await k.Run("auth", "can-i", "delete", "deployments.apps", "-n", "istio-system")).Exit);
        var (createExit, _, stderr) = await k.Run("create", "namespace", "blocked");
        Assert.NotEqual(0, createExit);
        Assert.Contains("Error from server (Forbidden): namespaces is forbidden: User \"alice@example.com\" cannot create resource \"namespaces\" in API group \"\" at the cluster scope", stderr);
    }
}
