using k8s;
using k8s.Models;
using System.Text.Json.Nodes;
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

    [Fact]
    public void DenyRulesNameTheUsersAndGroupsTheyApplyTo()
    {
        var rule = DenyRule.Parse("create:namespaces@alice,group=developers,user=system:serviceaccount:ci:deployer");
        Assert.Equal(["alice", "system:serviceaccount:ci:deployer"], rule.Users);
        Assert.Equal(["developers"], rule.Groups);
        Assert.Equal("create:namespaces@alice,system:serviceaccount:ci:deployer,group=developers", rule.ToString());
        Assert.Equal(rule.ToString(), DenyRule.Parse(rule.ToString()).ToString());
        var access = new Access("bob", "create", "", "namespaces", null, "", "x");
        Assert.False(rule.Denies(access));
        Assert.True(rule.Denies(access with { UserGroups = ["developers", "system:authenticated"] }));
        Assert.True(rule.Denies(access with { User = "alice" }));
        Assert.True(DenyRule.Parse("create:namespaces").Denies(access));
        Assert.Equal("create:namespaces@bob", DenyRule.Parse("create:namespaces").For(["bob"], []).ToString());
        Assert.Throws<ArgumentException>(() => DenyRule.Parse("create:namespaces@"));
    }

    /// <summary>
    /// One server, several users (kube-apiserver's impersonation headers make the admin's requests theirs): the rules
    /// about alice or the group developers deny only them, in requests and in every review that asks about them.
    /// </summary>
    [Fact]
    public async Task RulesApplyPerUserAndGroupInRequestsImpersonationAndEveryReview()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions
        {
            ReadyAfterMs = 20, UserName = "admin", Deny = ["create:namespaces@alice", "*:secrets:istio-system@group=developers"],
        });
        using var http = new HttpClient { BaseAddress = sim.Server.Url };
        async Task<(int Code, JsonObject Body)> Send(HttpMethod method, string path, string? body, string? user = null, params string[] groups)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            if (user is not null) request.Headers.Add("Impersonate-User", user);
            foreach (var g in groups) request.Headers.Add("Impersonate-Group", g);
            using var answer = await http.SendAsync(request);
            return ((int)answer.StatusCode, JsonNode.Parse(await answer.Content.ReadAsStringAsync()) as JsonObject ?? new JsonObject());
        }
        static string Ns(string name) => $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""";

        var denied = await Send(HttpMethod.Post, "/api/v1/namespaces", Ns("a"), "alice");
        Assert.Equal(403, denied.Code);
        Assert.Equal("namespaces is forbidden: User \"alice\" cannot create resource \"namespaces\" in API group \"\" at the cluster scope", (string?)denied.Body["message"]);
        Assert.Equal(201, (await Send(HttpMethod.Post, "/api/v1/namespaces", Ns("b"), "bob")).Code);
        Assert.Equal(201, (await Send(HttpMethod.Post, "/api/v1/namespaces", Ns("istio-system"))).Code);
        Assert.Equal(["alice", "bob", "admin"], sim.Server.Requests.Where(r => r.Path == "/api/v1/namespaces").Select(r => r.User));
        var secrets = await Send(HttpMethod.Get, "/api/v1/namespaces/istio-system/secrets", null, "bob", "developers");
        Assert.Equal("secrets is forbidden: User \"bob\" cannot list resource \"secrets\" in API group \"\" in the namespace \"istio-system\"", (string?)secrets.Body["message"]);
        Assert.Equal(200, (await Send(HttpMethod.Get, "/api/v1/namespaces/istio-system/secrets", null, "alice")).Code);

        static string Attributes(string verb, string resource, string? ns = null) =>
            $$"""{"verb":"{{verb}}","resource":"{{resource}}"{{(ns is null ? "" : $",\"namespace\":\"{ns}\"")}}}""";
        async Task<bool?> Self(string attributes, string? user = null, params string[] groups) =>
            (bool?)(await Send(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                $$$"""{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{{{attributes}}}}}""", user, groups)).Body["status"]!["allowed"];
        async Task<(int Code, JsonObject Body)> Subject(string kind, string path, string subject, string attributes) =>
            await Send(HttpMethod.Post, path, $$$$"""{"apiVersion":"authorization.k8s.io/v1","kind":"{{{{kind}}}}","spec":{{{{{subject}}}}"resourceAttributes":{{{{attributes}}}}}}""");
        Assert.False(await Self(Attributes("create", "namespaces"), "alice"));
        Assert.True(await Self(Attributes("create", "namespaces"), "bob"));
        Assert.True(await Self(Attributes("create", "namespaces")));
        Assert.False(await Self(Attributes("get", "secrets", "istio-system"), "bob", "developers"));
        Assert.True(await Self(Attributes("get", "secrets", "istio-system"), "bob"));

        const string sar = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
        Assert.Equal(false, (bool?)(await Subject("SubjectAccessReview", sar, "\"user\":\"alice\",", Attributes("create", "namespaces"))).Body["status"]!["allowed"]);
        Assert.Equal(true, (bool?)(await Subject("SubjectAccessReview", sar, "\"user\":\"bob\",", Attributes("create", "namespaces"))).Body["status"]!["allowed"]);
        Assert.Equal(false, (bool?)(await Subject("SubjectAccessReview", sar, "\"groups\":[\"developers\"],", Attributes("list", "secrets", "istio-system"))).Body["status"]!["allowed"]);
        var nobody = await Subject("SubjectAccessReview", sar, "", Attributes("create", "namespaces"));
        Assert.Equal((422, "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified"),
            (nobody.Code, (string?)nobody.Body["message"]));
        const string local = "/apis/authorization.k8s.io/v1/namespaces/istio-system/localsubjectaccessreviews";
        Assert.Equal(false, (bool?)(await Subject("LocalSubjectAccessReview", local, "\"user\":\"bob\",\"groups\":[\"developers\"],", Attributes("get", "secrets", "istio-system"))).Body["status"]!["allowed"]);
        var elsewhere = await Subject("LocalSubjectAccessReview", local, "\"user\":\"bob\",", Attributes("get", "secrets", "default"));
        Assert.Equal((400, "spec.resourceAttributes.namespace must match namespace: istio-system"), (elsewhere.Code, (string?)elsewhere.Body["message"]));

        async Task<JsonObject> Rules(string ns, string? user = null) =>
            (await Send(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                $$$"""{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"{{{ns}}}"}}""", user)).Body["status"]!.AsObject();
        static string[] VerbsOn(JsonObject rules, string resource) =>
            [.. rules["resourceRules"]!.AsArray().Where(r => r!["apiGroups"]![0]!.ToString() == "" && r["resources"]!.AsArray().Any(x => (string?)x == resource))
                .SelectMany(r => r!["verbs"]!.AsArray().Select(v => (string)v!))];
        Assert.Equal("""[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]""", (await Rules("default", "bob"))["resourceRules"]!.ToJsonString());
        var alice = await Rules("default", "alice");
        Assert.Equal(["delete", "get", "list", "patch", "update", "watch"], VerbsOn(alice, "namespaces"));
        Assert.Contains("create", VerbsOn(alice, "configmaps"));
        Assert.Equal(false, (bool?)alice["incomplete"]);
        var missing = await Send(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{}}""");
        Assert.Equal((400, "no namespace on request"), (missing.Code, (string?)missing.Body["message"]));
        Assert.DoesNotContain(sim.Server.Requests, r => r.Path.EndsWith("reviews", StringComparison.Ordinal) && r.IsWrite);

        // Impersonating is itself authorized: denied, the request is refused as the authorizer words it.
        sim.Server.Permissions.Deny(DenyRule.Parse("impersonate:users@admin"));
        var impersonating = await Send(HttpMethod.Get, "/api/v1/namespaces", null, "carol");
        Assert.Equal((403, "users \"carol\" is forbidden: User \"admin\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"),
            (impersonating.Code, (string?)impersonating.Body["message"]));
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

    /// <summary>kubectl --as and --as-group (impersonation) against rules about one user and one group.</summary>
    [SkippableFact]
    public async Task KubectlAsAnotherUserSeesThatUsersRules()
    {
        await using var k = await Kubectl.StartAsync(new KubeSimOptions
        {
            ReadyAfterMs = 30, UserName = "admin", Deny = ["create:namespaces@alice", "*:secrets:istio-system@group=developers"],
        });
        Assert.Equal((1, "no\n"), await CanI("create", "namespaces", "--as", "alice"));
        Assert.Equal((0, "yes\n"), await CanI("create", "namespaces", "--as", "bob"));
        Assert.Equal((0, "yes\n"), await CanI("create", "namespaces"));
        Assert.Equal((1, "no\n"), await CanI("list", "secrets", "-n", "istio-system", "--as", "bob", "--as-group", "developers"));
        Assert.Equal((0, "yes\n"), await CanI("list", "secrets", "-n", "istio-system", "--as", "bob"));

        var (exit, _, stderr) = await k.Run("create", "namespace", "blocked", "--as", "alice");
        Assert.Equal(1, exit);
        Assert.Equal("Error from server (Forbidden): namespaces is forbidden: User \"alice\" cannot create resource \"namespaces\" in API group \"\" at the cluster scope\n", stderr);
        Assert.Equal("namespace/allowed created\n", await k.Ok("create", "namespace", "allowed", "--as", "bob"));
        Assert.Equal(["alice", "bob"], k.Sim.Server.Requests.Where(r => r.Method == "POST" && r.Path == "/api/v1/namespaces").Select(r => r.User));

        // --list: the SelfSubjectRulesReview of the user asked about.
        var list = await k.Ok("auth", "can-i", "--list", "-n", "default", "--as", "alice");
        Assert.Matches(@"(?m)^namespaces\s+\[\]\s+\[\]\s+\[delete get list patch update watch\]$", list);
        Assert.Matches(@"(?m)^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$", await k.Ok("auth", "can-i", "--list", "-n", "default", "--as", "bob"));

        async Task<(int, string)> CanI(params string[] args)
        {
            var (code, stdout, _) = await k.Run(["auth", "can-i", .. args]);
            return (code, stdout);
        }
    }
}
