using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;

namespace KubeSim.Tests;

/// <summary>An in-process server with a KubernetesClient connected through its kubeconfig.</summary>
public sealed class SimClient : IAsyncDisposable
{
    SimClient(KubeSimServer server, string dir)
    {
        Server = server;
        Directory = dir;
        KubeconfigPath = Path.Combine(dir, "kubeconfig");
        server.WriteKubeconfig(KubeconfigPath);
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));
    }

    public KubeSimServer Server { get; }
    public string Directory { get; }
    public string KubeconfigPath { get; }
    public Kubernetes Client { get; }

    public static async Task<SimClient> StartAsync(KubeSimOptions? options = null)
    {
        var server = await KubeSimServer.StartAsync(options ?? new KubeSimOptions { ReadyAfterMs = 20 });
        return new SimClient(server, TempDir.Create());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}

/// <summary>Raw HTTP with a text body (the content is disposed when the answer has arrived).</summary>
public static class HttpText
{
    public static async Task<HttpResponseMessage> SendTextAsync(this HttpClient http, HttpMethod method, string path, string body, string? contentType = "application/json")
    {
        using var content = contentType is null ? new StringContent(body) : new StringContent(body, System.Text.Encoding.UTF8, contentType);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        return await http.SendAsync(request);
    }
}

public static class TempDir
{
    public static string Create()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kubesim-tests", Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }
}

public static class Eventually
{
    /// <summary>Polls until the condition holds (default 10 s), failing with the message otherwise.</summary>
    public static async Task Until(Func<Task<bool>> condition, string because, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(10);
        }
        Assert.Fail($"timed out waiting: {because}");
    }

    public static Task Until(Func<bool> condition, string because, int timeoutMs = 10_000) =>
        Until(() => Task.FromResult(condition()), because, timeoutMs);
}

public static class StatusAssert
{
    /// <summary>Asserts an API failure and returns its Status object.</summary>
    public static async Task<JsonObject> Fails(int code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(code, (int)e.Response.StatusCode);
        var status = JsonNode.Parse(e.Response.Content) as JsonObject;
        Assert.NotNull(status);
        Assert.Equal("Status", (string?)status!["kind"]);
        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal(code, (int?)status["code"]);
        return status;
    }
}
