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
