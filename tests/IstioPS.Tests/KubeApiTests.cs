using IstioPS.Engine;
using IstioPS.Engine.Kube;
using KubeSim;
using Xunit;

namespace IstioPS.Tests;

public class KubeApiTests
{
    [Fact]
    public void MissingKubeconfigIsNamed()
    {
        var ex = Assert.Throws<IstioPSException>(() => KubeApi.Connect(new KubeConnectionOptions("/nonexistent/kubeconfig")));
        Assert.Equal("KubeconfigNotFound", ex.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
        Assert.Contains("/nonexistent/kubeconfig", ex.Message);
    }

    [Fact]
    public void InvalidKubeconfigIsNamed()
    {
        var path = TestData.WriteTemp("kubeconfig", "apiVersion: v1\nclusters: [\n");
        var ex = Assert.Throws<IstioPSException>(() => KubeApi.Connect(new KubeConnectionOptions(path)));
        Assert.Equal("KubeconfigInvalid", ex.ErrorId);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public async Task UnknownContextIsNamed()
    {
        await using var sim = await Sim.StartAsync();
        var ex = Assert.Throws<IstioPSException>(() => KubeApi.Connect(new KubeConnectionOptions(sim.Kubeconfig, "nope")));
        Assert.Equal("ContextNotFound", ex.ErrorId);
        Assert.Contains("'nope'", ex.Message);
        Assert.Equal("nope", ex.Target);
    }

    [Fact]
    public async Task UnreachableServerIsAConnectionError()
    {
        string kubeconfig;
        await using (var sim = await Sim.StartAsync())
        {
            kubeconfig = sim.Kubeconfig;
        }

        using var api = KubeApi.Connect(new KubeConnectionOptions(kubeconfig) { MaxRetries = 1 });
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => api.GetAsync("/api/v1", default));
        Assert.Equal("ClusterUnreachable", ex.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
        Assert.Contains(api.Server.ToString(), ex.Message);
    }

    [Fact]
    public async Task TokenIsSentAndNeverShown()
    {
        const string token = "s3cret-token-value";
        await using var sim = await Sim.StartAsync(new KubeSimOptions { Token = token });
        var ns = await sim.Api.GetAsync("/api/v1/namespaces/default", default);
        Assert.Equal("default", (string?)ns["metadata"]!["name"]);

        var bad = File.ReadAllText(sim.Kubeconfig).Replace(token, "wrong-token");
        var path = TestData.WriteTemp("kubeconfig", bad);
        using var api = KubeApi.Connect(new KubeConnectionOptions(path));
        var ex = await Assert.ThrowsAsync<KubeApiException>(() => api.GetAsync("/api/v1/namespaces/default", default));
        Assert.Equal(ErrorKind.PermissionDenied, ex.Kind);
        Assert.DoesNotContain("wrong-token", ex.Message);
        Assert.DoesNotContain(token, ex.ToString());
    }

    [Fact]
    public async Task AuthFailuresNameTheServerContextUserVerbResourceAndTheUsualFix()
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { Token = "right", UserName = "alice@example.com", Deny = ["create:clusterroles.rbac.authorization.k8s.io"] });
        var server = sim.Api.Server.ToString().TrimEnd('/');
        var body = new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "istiod" } };
        var forbidden = await Assert.ThrowsAsync<KubeApiException>(() => sim.Api.WriteAsync(HttpMethod.Post, "/apis/rbac.authorization.k8s.io/v1/clusterroles", body, "application/json", default));
        Assert.Equal(("Forbidden", ErrorKind.PermissionDenied), (forbidden.ErrorId, forbidden.Kind));
        Assert.Equal($"The user may not create clusterroles.rbac.authorization.k8s.io on {server} (context 'kubesim', user 'kubesim'): "
            + "clusterroles.rbac.authorization.k8s.io is forbidden: User \"alice@example.com\" cannot create resource \"clusterroles\" in API group \"rbac.authorization.k8s.io\" at the cluster scope. "
            + "Ask a cluster administrator for a Role or ClusterRole binding that grants it, or use a context with more rights (-Context).", forbidden.Message);

        var path = TestData.WriteTemp("kubeconfig", File.ReadAllText(sim.Kubeconfig).Replace("\"right\"", "\"expired\""));
        using var api = KubeApi.Connect(new KubeConnectionOptions(path));
        var unauthorized = await Assert.ThrowsAsync<KubeApiException>(() => api.GetAsync("/api/v1/namespaces/istio-system/pods", default));
        Assert.Equal(("Unauthorized", ErrorKind.PermissionDenied), (unauthorized.ErrorId, unauthorized.Kind));
        Assert.StartsWith($"The API server {server} (context 'kubesim', user 'kubesim') did not accept the credentials to list pods in namespace 'istio-system' (Unauthorized): they are missing, wrong or expired. Refresh them the way this kubeconfig gets them (", unauthorized.Message);
        Assert.Contains("az aks get-credentials", unauthorized.Message);
        Assert.Contains("kubelogin convert-kubeconfig", unauthorized.Message);
        Assert.DoesNotContain("expired\"", unauthorized.Message);
    }

    [Theory]
    [InlineData("PATCH", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/istio-validator", "patch validatingwebhookconfigurations.admissionregistration.k8s.io 'istio-validator'")]
    [InlineData("POST", "/api/v1/namespaces", "create namespaces")]
    [InlineData("POST", "/api/v1/namespaces/apps/pods/web/eviction", "create pods/eviction 'web' in namespace 'apps'")]
    [InlineData("DELETE", "/apis/apps/v1/namespaces/istio-system/deployments", "deletecollection deployments.apps in namespace 'istio-system'")]
    public void RequestsAreDescribedAsTheAuthorizerNamesThem(string method, string path, string expected) =>
        Assert.Equal(expected, AuthFailure.Describe(method, path));

    [Fact]
    public async Task TlsServerIsTrustedThroughItsKubeconfigOnly()
    {
        await using var sim = await Sim.StartAsync(new KubeSimOptions { Tls = true });
        Assert.Equal("https", sim.Api.Server.Scheme);
        await sim.Api.GetAsync("/api/v1", default);

        // The same server without its CA: the client must refuse it.
        var text = File.ReadAllText(sim.Kubeconfig);
        var lines = text.Split('\n').Where(l => !l.TrimStart().StartsWith("certificate-authority-data"));
        var path = TestData.WriteTemp("kubeconfig", string.Join('\n', lines));
        using var api = KubeApi.Connect(new KubeConnectionOptions(path) { MaxRetries = 0 });
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => api.GetAsync("/api/v1", default));
        Assert.Equal("TlsHandshakeFailed", ex.ErrorId);
    }

    [Fact]
    public async Task DiscoveryMapsKindsAndKnowsWhatIsNotServed()
    {
        await using var sim = await Sim.StartAsync();
        var mapper = new RestMapper(sim.Api);
        var deploy = await mapper.FindAsync("apps/v1", "Deployment", default);
        Assert.Equal("deployments", deploy!.Plural);
        Assert.True(deploy.Namespaced);
        var crd = await mapper.FindAsync("apiextensions.k8s.io/v1", "CustomResourceDefinition", default);
        Assert.False(crd!.Namespaced);
        Assert.Null(await mapper.FindAsync("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", default));
        Assert.False(await mapper.ServesAsync("apiextensions.k8s.io/v1beta1", default));
        var before = sim.Server.Requests.Count;
        await mapper.FindAsync("apps/v1", "DaemonSet", default);
        Assert.Equal(before, sim.Server.Requests.Count); // cached
    }
}
